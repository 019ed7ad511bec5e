// The exact data-plane answers for a sandbox that is not running (docs/protocol.md §1.7, §3.2).
#pragma once

#include "common/api_error.hpp"
#include "manager/sandbox_record.hpp"

#include <string>

namespace sockt::server {

/// Throws the state error of `record` for a data-plane call (402/409/410/503). `pending_invoice`
/// is attached to 402 payment_required.
[[noreturn]] void throwDataPlaneStateError(const SandboxRecord& record,
                                           const OJson& pending_invoice);
/// 410 for anything but status/terminate/polls on a terminated sandbox.
[[noreturn]] void throwTerminated(const std::string& sandbox_id);
/// 409 invalid_state for an operation the status does not allow.
[[noreturn]] void throwInvalidState(const SandboxRecord& record, const std::string& operation);

} // namespace sockt::server
