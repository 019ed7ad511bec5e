#include "manager/state_errors.hpp"

namespace sockt::server {

void throwTerminated(const std::string& sandbox_id) {
    throw ApiError("sandbox_terminated", "sandbox " + sandbox_id + " has been terminated");
}

void throwInvalidState(const SandboxRecord& record, const std::string& operation) {
    throw ApiError("invalid_state",
                   "cannot " + operation + " sandbox " + record.id + " in status " + record.status);
}

void throwDataPlaneStateError(const SandboxRecord& r, const OJson& pending_invoice) {
    if (r.status == status::kAwaitingPayment)
        throw ApiError("payment_required",
                       "sandbox " + r.id + " is awaiting payment of its invoice",
                       "pay the pending_invoice (sockt local pay <bolt11>), then poll the status",
                       OJson{{"pending_invoice", pending_invoice}});
    if (r.status == status::kStarting || r.status == "pending")
        throw ApiError("pod_starting", "sandbox is starting; pod unreachable, retry shortly",
                       "Wait until GET /v1/sandboxes/{id} reports \"running\" (CLI: --wait; SDK: "
                       "wait_until_running)");
    if (r.status == status::kPaused)
        throw ApiError("sandbox_paused", "sandbox " + r.id + " is paused",
                       "resume it first: POST /v1/sandboxes/" + r.id + "/resume");
    if (r.status == status::kTerminated)
        throwTerminated(r.id);
    throw ApiError("invalid_state", "sandbox " + r.id + " is " + r.status);
}

} // namespace sockt::server
