// Sandbox: accessors, lifecycle calls and event listeners (official Python SDK "Sandbox").
#include "sockt/sandbox.hpp"

#include "sandbox_internal.hpp"

#include "json/lenient.hpp"
#include "json/fast_parse.hpp"

namespace sockt {

using detail::sandboxCredential;
using detail::sandboxPath;

Sandbox::Sandbox(std::shared_ptr<detail::ClientCore> core,
                 std::shared_ptr<detail::SandboxState> state)
    : core_(std::move(core)), state_(std::move(state)) {}

const std::string& Sandbox::id() const {
    return state_->id;
}

std::string Sandbox::status() const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    return state_->status;
}

std::optional<PendingInvoice> Sandbox::pendingInvoice() const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    return state_->pending_invoice;
}

std::optional<std::string> Sandbox::sandboxToken() const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    return state_->own_token;
}

std::optional<CreatedSandbox> Sandbox::created() const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    return state_->created;
}

std::optional<SandboxStatus> Sandbox::lastStatus() const {
    std::optional<std::string> body;
    {
        std::lock_guard<std::mutex> lock(state_->mutex);
        body = state_->last_status_body;
    }
    if (!body)
        return std::nullopt;
    // The text parsed once already, in fetchStatus.
    return detail::statusFromJson(*state_, body->empty() ? Json::object() : json::parseAnswer(*body));
}

void Sandbox::waitUntilRunning(const WaitOptions& options, const CancelToken& cancel) {
    if (options.timeout.count() < 0)
        throw InvalidArgumentError({"wait timeout must be >= 0", "", 0});
    if (options.poll_interval.count() <= 0)
        throw InvalidArgumentError({"poll_interval must be positive", "", 0});
    detail::WaitPlan plan{detail::Clock::now() + options.timeout, options.timeout,
                          options.poll_interval, options.poll_interval};
    detail::waitRunning(*core_, *state_, plan, cancel);
}

SandboxStatus Sandbox::refreshStatus(const CancelToken& cancel) {
    return detail::fetchStatus(*core_, *state_, cancel);
}

namespace {

std::string lifecycleCall(detail::ClientCore& core, detail::SandboxState& state,
                          const std::string& action, const CancelToken& cancel) {
    HttpRequest request{"POST", sandboxPath(state, "/" + action)};
    Json body = core.callJson(request, sandboxCredential(core, state), cancel);
    std::string status = json::getString(body, "status");
    if (!status.empty()) {
        std::lock_guard<std::mutex> lock(state.mutex);
        state.status = status;
    }
    return status;
}

bool plausibleLightningAddress(const std::string& a) {
    auto at = a.find('@');
    return at != std::string::npos && at > 0 && at + 1 < a.size() &&
           a.find('@', at + 1) == std::string::npos &&
           a.find_first_of(" \t\r\n") == std::string::npos;
}

} // namespace

std::string Sandbox::pause(const CancelToken& cancel) {
    return lifecycleCall(*core_, *state_, "pause", cancel);
}

std::string Sandbox::resume(const CancelToken& cancel) {
    return lifecycleCall(*core_, *state_, "resume", cancel);
}

TerminateResult Sandbox::terminate(const std::optional<std::string>& lightning_address,
                                   const CancelToken& cancel) {
    HttpRequest request{"DELETE", sandboxPath(*state_)};
    if (lightning_address && !lightning_address->empty()) {
        if (!plausibleLightningAddress(*lightning_address))
            throw InvalidArgumentError({"lightning_address must look like name@domain (got \"" +
                                            *lightning_address + "\")",
                                        "", 0});
        // docs/protocol.md §1.2/§2.6: SDKs send the refund address in a JSON body.
        request.body = Json{{"lightning_address", *lightning_address}}.dump();
    }
    HttpResponse response = core_->sendAs(request, sandboxCredential(*core_, *state_), cancel);
    TerminateResult result =
        TerminateResult::fromJson(detail::ClientCore::parseJsonAnswer(request, response));
    result.raw_text = std::move(response.body);
    if (result.sandbox_id.empty())
        result.sandbox_id = state_->id;
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->status = result.status.empty() ? "terminated" : result.status;
    return result;
}

std::uint64_t Sandbox::on(const std::string& event, Listener listener) {
    if (event != "pending_invoice" && event != "low_balance" && event != "out_of_balance")
        throw InvalidArgumentError(
            {"unknown event \"" + event + "\" (use pending_invoice, low_balance or out_of_balance)",
             "", 0});
    if (!listener)
        throw InvalidArgumentError({"listener must be callable", "", 0});
    std::lock_guard<std::mutex> lock(state_->mutex);
    std::uint64_t id = state_->next_listener_id++;
    state_->listeners[event].push_back({id, std::move(listener), {}});
    return id;
}

bool Sandbox::off(const std::string& event, std::uint64_t listener_id) {
    if (event != "pending_invoice" && event != "low_balance" && event != "out_of_balance")
        throw InvalidArgumentError(
            {"unknown event \"" + event + "\" (use pending_invoice, low_balance or out_of_balance)",
             "", 0});
    std::lock_guard<std::mutex> lock(state_->mutex);
    auto it = state_->listeners.find(event);
    if (it == state_->listeners.end())
        return false;
    auto& list = it->second;
    for (auto jt = list.begin(); jt != list.end(); ++jt) {
        if (jt->id == listener_id) {
            list.erase(jt);
            return true;
        }
    }
    return false;
}

std::string Sandbox::describe() const {
    std::string status = this->status();
    return "Sandbox(id=" + state_->id + ", status=" + (status.empty() ? "unknown" : status) + ")";
}

} // namespace sockt
