// What the manager needs of the sandboxes' live shells, as an interface: pause, terminate and
// billing reach every shell of a sandbox (docs/protocol.md §6.3, §6.4) without the manager knowing
// the WebSocket side. server/shell/ implements it; serve/ hands it to the manager.
#pragma once

#include "common/api_error.hpp"

#include <string>

namespace sockt::server {

class ShellNotifier {
public:
    virtual ~ShellNotifier() = default;
    /// Every shell of the sandbox gets {"type":"error","data":reason}, then close 1001 and a
    /// hangup of its shell. Returns once they are told.
    virtual void closeAll(const std::string& sandbox_id, const std::string& reason) = 0;
    /// Sends `frame` (billing, low_balance, deposit_required, out_of_balance) to every shell of
    /// the sandbox.
    virtual void broadcast(const std::string& sandbox_id, const OJson& frame) = 0;
};

} // namespace sockt::server
