// Sandbox status cache, billing events and waiting for `running` (docs/protocol.md §3.5, §12).
#include "sandbox_internal.hpp"
#include "transport/transport_errors.hpp"

#include <algorithm>

namespace sockt::detail {
namespace {

std::string encodeSegment(const std::string& s) {
    std::string out;
    Poco::URI::encode(s, "/?#%&=+;:@ ", out);
    return out;
}

} // namespace

std::string sandboxPath(const SandboxState& state, const std::string& suffix) {
    return "/sandboxes/" + encodeSegment(state.id) + suffix;
}

std::string executionPath(const std::string& execution_id) {
    return "/executions/" + encodeSegment(execution_id);
}

std::optional<Credential> sandboxCredential(const ClientCore& core, const SandboxState& state) {
    {
        std::lock_guard<std::mutex> lock(state.mutex);
        if (state.own_token)
            return Credential{*state.own_token, true};
    }
    return core.defaultCredential();
}

std::vector<BillingEvent> noteInvoice(SandboxState& state, const std::optional<PendingInvoice>& inv,
                                      const Json& data) {
    std::vector<BillingEvent> events;
    // Per-listener deduplication happens in fireEvents.
    if (inv && !inv->payment_hash.empty())
        events.push_back({"pending_invoice", inv, data});
    if (inv)
        state.pending_invoice = inv;
    return events;
}

SandboxStatus statusFromJson(const SandboxState& state, Json body) {
    SandboxStatus status = SandboxStatus::fromJson(std::move(body));
    if (status.sandbox_id.empty())
        status.sandbox_id = state.id;
    return status;
}

std::vector<BillingEvent> applyStatus(SandboxState& state, const SandboxStatus& status,
                                      std::string body) {
    std::lock_guard<std::mutex> lock(state.mutex);
    state.status = status.status;
    state.last_status_body = std::move(body);
    auto events = noteInvoice(state, status.pending_invoice, status.raw);
    state.pending_invoice = status.pending_invoice;
    if (status.warning_level != state.last_warning_level) {
        state.last_warning_level = status.warning_level;
        if (status.warning_level &&
            (*status.warning_level == "low_balance" || *status.warning_level == "out_of_balance"))
            events.push_back({*status.warning_level, status.pending_invoice, status.raw});
    }
    return events;
}

void fireEvents(SandboxState& state, const std::vector<BillingEvent>& events) {
    for (const auto& event : events) {
        std::vector<Sandbox::Listener> listeners;
        {
            std::lock_guard<std::mutex> lock(state.mutex);
            auto it = state.listeners.find(event.name);
            if (it != state.listeners.end())
                for (auto& entry : it->second) {
                    if (event.name == "pending_invoice" && event.invoice) {
                        if (entry.delivered_payment_hash == event.invoice->payment_hash)
                            continue;
                        entry.delivered_payment_hash = event.invoice->payment_hash;
                    }
                    listeners.push_back(entry.listener);
                }
        }
        for (const auto& f : listeners)
            if (f)
                f(event);
    }
}

SandboxStatus fetchStatus(ClientCore& core, SandboxState& state, const CancelToken& cancel) {
    HttpRequest request{"GET", sandboxPath(state)};
    HttpResponse response = core.sendAs(request, sandboxCredential(core, state), cancel);
    SandboxStatus status = statusFromJson(state, ClientCore::parseJsonAnswer(request, response));
    fireEvents(state, applyStatus(state, status, std::move(response.body)));
    return status;
}

void waitRunning(ClientCore& core, SandboxState& state, const WaitPlan& plan,
                 const CancelToken& cancel) {
    const std::string what = "waiting for sandbox " + state.id + " to run";
    int rate_limited = 0;
    int transport_failures = 0;
    Duration interval = plan.first_interval;
    std::string last = "unknown";
    while (true) {
        if (cancel.cancelled())
            throwCancelled(what);
        Duration pause = interval;
        try {
            SandboxStatus status = fetchStatus(core, state, cancel);
            rate_limited = 0;
            transport_failures = 0;
            last = status.status;
            auto cls = protocol::classifyStatus(status.status);
            if (cls == protocol::StatusClass::Runnable)
                return;
            if (cls == protocol::StatusClass::Final) {
                std::string msg = "sandbox " + state.id + " is " + status.status;
                if (status.status_reason)
                    msg += " (reason: " + *status.status_reason + ")";
                msg += "; it will not reach running";
                throw SandboxNotRunningError({msg, "", 0});
            }
            interval = std::min(plan.max_interval, interval * 2);
        } catch (const RateLimitedError& e) {
            // docs/protocol.md §3.5: polling loops back off on 429 and give up after 5 in a row.
            if (++rate_limited >= protocol::kMaxConsecutiveRateLimited)
                throw;
            pause = e.retryAfter() ? Duration(static_cast<long long>(*e.retryAfter() * 1000))
                                   : protocol::kDefaultRetryAfter;
        } catch (const ConnectionError&) {
            if (core.closed() || ++transport_failures > 3)
                throw;
        } catch (const TimeoutError&) {
            if (++transport_failures > 3)
                throw;
        }
        auto left = plan.deadline - Clock::now();
        if (left <= Clock::duration::zero()) {
            throw SandboxNotRunningError(
                {"sandbox " + state.id + " did not reach running within " +
                     std::to_string(plan.limit.count()) + " ms (last status: " + last +
                     "); raise the wait timeout or check the sandbox (awaiting_payment needs its "
                     "invoice paid, paused needs resume)",
                 "", 0});
        }
        auto sleep = std::min<Clock::duration>(pause, left);
        if (!cancel.sleepFor(std::chrono::duration_cast<Duration>(sleep)))
            throwCancelled(what);
    }
}

void ensureDataPlaneReady(ClientCore& core, SandboxState& state, const CancelToken& cancel) {
    std::string status;
    {
        std::lock_guard<std::mutex> lock(state.mutex);
        status = state.status;
    }
    if (protocol::classifyStatus(status) != protocol::StatusClass::Booting)
        return;
    // Short first interval: a local server boots in milliseconds; production in 30-90 s.
    WaitPlan plan{Clock::now() + core.timeout(), core.timeout(), Duration(50), Duration(1000)};
    waitRunning(core, state, plan, cancel);
}

std::string normalizeEncoding(const std::string& encoding) {
    std::string e = encoding;
    for (auto& c : e)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (e.empty() || e == "utf8" || e == "utf-8")
        return "utf8";
    if (e == "base64")
        return "base64";
    throw InvalidArgumentError(
        {"unknown encoding \"" + encoding + "\" (use \"utf8\" or \"base64\")", "", 0});
}

void requireNonEmpty(const std::string& value, const char* what) {
    if (value.empty())
        throw InvalidArgumentError({std::string(what) + " must not be empty", "", 0});
}

} // namespace sockt::detail
