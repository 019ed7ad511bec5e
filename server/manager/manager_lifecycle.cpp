// SandboxManager: the transitions a client asks for on an existing sandbox, pause, resume and
// terminate (docs/protocol.md §1.7, §2.4-§2.6, §7), each under the sandbox's operation lock.
#include "billing/money.hpp"
#include "billing/tariff.hpp"
#include "common/clock.hpp"
#include "manager/sandbox_manager.hpp"
#include "manager/state_errors.hpp"

namespace sockt::server {

OJson SandboxManager::pause(const std::string& sandbox_id) {
    auto live = liveOf(sandbox_id);
    std::unique_lock<std::shared_mutex> op(live->op);
    std::shared_ptr<SandboxRuntime> rt;
    {
        std::lock_guard<std::mutex> lock(mu_);
        auto& rec = records_.at(sandbox_id);
        if (rec.status == status::kTerminated)
            throwTerminated(sandbox_id);
        if (rec.status == status::kAwaitingPayment || rec.status == status::kFailed)
            throwInvalidState(rec, "pause");
        if (rec.status == status::kPaused)
            return OJson{{"sandbox_id", sandbox_id}, {"status", status::kPaused}};
        if (rec.status == status::kRunning) {
            meterLocked(rec, *live, nowMs());
            rt = live->runtime;
        }
        rec.status = status::kPaused;
        rec.status_reason = "user";
        persistLocked();
    }
    if (rt) {
        rt->freeze();
        executions_->pauseSandbox(sandbox_id);
    }
    closeShells(sandbox_id, "sandbox paused");
    return OJson{{"sandbox_id", sandbox_id}, {"status", status::kPaused}};
}

bool SandboxManager::hasBudgetLocked(SandboxRecord& rec) {
    if (rec.lightning) {
        const auto* tier = protocol::findTier(rec.tier);
        return secondsRemaining(rec.balance_msats, *tier) > 0;
    }
    if (rec.reserve_subcents && *rec.reserve_subcents > 0)
        return true;
    return accounts_.balance(rec.billing_key) > 0;
}

OJson SandboxManager::resume(const std::string& sandbox_id) {
    auto live = liveOf(sandbox_id);
    std::unique_lock<std::shared_mutex> op(live->op);
    bool need_boot = false;
    {
        std::lock_guard<std::mutex> lock(mu_);
        auto& rec = records_.at(sandbox_id);
        if (rec.status == status::kTerminated)
            throwTerminated(sandbox_id);
        if (rec.status == status::kAwaitingPayment || rec.status == status::kFailed)
            throwInvalidState(rec, "resume");
        if (rec.status != status::kPaused)
            return OJson{{"sandbox_id", sandbox_id}, {"status", rec.status}};
        const auto now = nowMs();
        if (!hasBudgetLocked(rec)) {
            if (rec.lightning) {
                std::vector<Frame> frames;
                evaluateWarningLocked(rec, now, frames); // makes sure a top-up invoice exists
                const Invoice* inv = outstandingInvoiceLocked(sandbox_id, now);
                persistLocked();
                throw ApiError(
                    "payment_required", "sandbox " + sandbox_id + " has no balance left",
                    "pay the pending_invoice (sockt local pay <bolt11>), then resume",
                    OJson{{"pending_invoice", inv ? inv->pendingJson() : OJson(nullptr)}});
            }
            throw ApiError("insufficient_credits", "the API key has no credits left",
                           "add credits (sockt local credit <cents>), then resume");
        }
        // §7.2: once the reservation is used up the sandbox lives on the key balance.
        if (!rec.lightning && rec.reserve_subcents && *rec.reserve_subcents <= 0)
            rec.reserve_subcents.reset();
        need_boot = live->runtime == nullptr;
    }
    if (need_boot) {
        try {
            live->runtime = bootRuntime(sandbox_id);
        } catch (const std::exception& e) {
            std::lock_guard<std::mutex> lock(mu_);
            auto& rec = records_.at(sandbox_id);
            rec.status = status::kFailed;
            rec.status_reason = "boot_failed";
            persistLocked();
            throw ApiError("host_error", std::string("sandbox could not be started: ") + e.what());
        }
    } else {
        live->runtime->thaw();
        executions_->resumeSandbox(sandbox_id);
    }
    std::lock_guard<std::mutex> lock(mu_);
    auto& rec = records_.at(sandbox_id);
    rec.status = status::kRunning;
    rec.status_reason.reset();
    live->last_meter_ms = nowMs();
    persistLocked();
    return OJson{{"sandbox_id", sandbox_id}, {"status", status::kRunning}};
}

OJson SandboxManager::terminate(const std::string& sandbox_id,
                                const std::optional<std::string>& address) {
    auto live = liveOf(sandbox_id);
    std::unique_lock<std::shared_mutex> op(live->op);
    OJson out;
    std::shared_ptr<SandboxRuntime> rt;
    {
        std::lock_guard<std::mutex> lock(mu_);
        auto& rec = records_.at(sandbox_id);
        const bool again = rec.status == status::kTerminated;
        const auto now = nowMs();
        if (!again) {
            if (rec.status == status::kRunning)
                meterLocked(rec, *live, now);
            rec.status = status::kTerminated;
            if (!rec.status_reason || *rec.status_reason != "invoice_expired")
                rec.status_reason = "user";
            rec.terminated_ms = now;
        }
        out["sandbox_id"] = sandbox_id;
        out["status"] = status::kTerminated;
        out["consumed_msats_total"] = rec.lightning ? rec.consumed_msats : 0;
        if (!rec.lightning)
            out["consumed_subcents_total"] = rec.consumed_subcents;
        out["terminated_at"] = rfc3339(*rec.terminated_ms);
        if (again) {
            out["refund"] = nullptr;
            out["already_terminated"] = true;
            return out;
        }
        if (rec.lightning) {
            const auto sats = rec.balance_msats / 1000;
            if (sats <= 0) {
                out["refund"] = OJson{{"status", "none"}, {"amount_sats", 0}};
            } else if (address) {
                out["refund"] =
                    OJson{{"status", "sent"}, {"amount_sats", sats}, {"address", *address}};
                rec.balance_msats -= sats * 1000;
            } else {
                out["refund"] = OJson{{"status", "not_requested"}, {"amount_sats", sats}};
            }
        } else {
            std::int64_t cents = 0;
            if (rec.reserve_subcents) {
                cents = *rec.reserve_subcents / protocol::kSubcentsPerCent;
                accounts_.setBalance(rec.billing_key,
                                     saturatingAdd(accounts_.balance(rec.billing_key),
                                                   cents * protocol::kSubcentsPerCent));
                rec.reserve_subcents = 0;
            }
            out["refund"] = OJson{{"status", "credited"}, {"amount_cents", cents}};
        }
        rt = live->runtime;
        live->runtime.reset();
        persistLocked();
    }
    closeShells(sandbox_id, "sandbox terminated");
    executions_->terminateSandbox(sandbox_id);
    if (rt)
        rt->shutdown();
    // Recorded terminated above; whatever happens from here on, a restart finishes (§11.2).
    dirs_.discard(sandbox_id);
    return out;
}

} // namespace sockt::server
