// INTERNAL: an HTTP/1.1 upgrade (the shell's WebSocket handshake, docs/protocol.md §6.1) on a new
// connection, through the same connect, codec and socket I/O as every REST request.
#pragma once

#include "transport/transport_context.hpp"

#include <Poco/Net/StreamSocket.h>
#include <string>
#include <utility>
#include <vector>

namespace sockt::detail {

struct UpgradeResult {
    /// The answer: status and headers; when the status is not 101 also its body.
    HttpResponse response;
    /// 101 only: the connection, now the caller's, in blocking mode (a SecureStreamSocket for
    /// wss). Empty otherwise (the connection was closed).
    Poco::Net::StreamSocket socket;
    /// 101 only: bytes of the new protocol that arrived with the answer's head.
    std::string early_bytes;
};

/// Connects to `uri` (ws/wss or http/https) and sends `GET <path?query>` with `headers` (the
/// caller's Connection/Upgrade fields among them), bounded by `deadline` and `cancel` as a REST
/// request is. `describe` names the exchange in errors (already redacted). Throws ConnectionError,
/// TimeoutError, CancelledError; any answer, 101 or not, is returned.
UpgradeResult upgrade(TransportContext& context, const Poco::URI& uri,
                      std::vector<std::pair<std::string, std::string>> headers,
                      std::string describe, Deadline deadline, const CancelToken& cancel);

} // namespace sockt::detail
