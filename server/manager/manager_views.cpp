// SandboxManager: the `GET /v1/sandboxes/{id}` body (docs/protocol.md §2.3, key order as there).
#include "billing/tariff.hpp"
#include "common/clock.hpp"
#include "manager/sandbox_manager.hpp"

namespace sockt::server {

OJson SandboxManager::statusViewLocked(const SandboxRecord& rec, std::int64_t now) const {
    const auto* tier = protocol::findTier(rec.tier);
    const bool terminated = rec.status == status::kTerminated;
    OJson j;
    j["sandbox_id"] = rec.id;
    j["status"] = rec.status;
    j["status_reason"] = rec.status_reason ? OJson(*rec.status_reason) : OJson(nullptr);
    j["tier"] = rec.tier;
    j["runtime"] = "local";
    j["template"] = "sockt-" + rec.tier;
    j["billing_method"] = rec.lightning ? "lightning" : "credits";
    j["label"] = rec.label ? OJson(*rec.label) : OJson(nullptr);
    j["created_at"] = rfc3339(rec.created_ms);
    j["terminated_at"] = rec.terminated_ms ? OJson(rfc3339(*rec.terminated_ms)) : OJson(nullptr);

    std::string warning;
    if (rec.lightning) {
        const auto seconds = secondsRemaining(rec.balance_msats, *tier);
        if (rec.status != status::kAwaitingPayment)
            warning = warningLevel(seconds);
        j["consumed_msats"] = rec.consumed_msats;
        j["msats_per_second"] = tier->msats_per_second;
        j["sats_per_second"] = tier->sats_per_second;
        j["prepaid_balance_msats"] = rec.balance_msats;
        j["seconds_remaining"] = seconds;
        j["warning_level"] = warning.empty() ? OJson(nullptr) : OJson(warning);
    } else {
        j["consumed_msats"] = 0;
        j["msats_per_second"] = nullptr;
        j["sats_per_second"] = nullptr;
        j["prepaid_balance_msats"] = nullptr;
        j["seconds_remaining"] = nullptr;
        const bool starved = rec.status == status::kPaused && rec.status_reason &&
                             *rec.status_reason == "out_of_balance";
        j["warning_level"] = starved ? OJson("out_of_balance") : OJson(nullptr);
    }
    j["next_poll_secs"] = nextPollSecs(rec.status, warning);
    j["metrics_stale"] = false;
    j["runtime_consumed_total"] = rec.lightning ? rec.consumed_msats : rec.consumed_subcents;
    const Invoice* inv = terminated ? nullptr : outstandingInvoiceLocked(rec.id, now);
    j["pending_invoice"] = inv ? inv->pendingJson() : OJson(nullptr);
    j["invoice"] = inv ? OJson(inv->bolt11) : OJson(nullptr);
    j["sandbox_token"] = rec.sandbox_token ? OJson(*rec.sandbox_token) : OJson(nullptr);
    if (rec.lightning) {
        j["usd_cents_per_second"] = nullptr;
        j["consumed_subcents"] = nullptr;
        j["prepaid_balance_subcents"] = nullptr;
    } else {
        j["usd_cents_per_second"] = tier->usd_cents_per_second;
        j["consumed_subcents"] = rec.consumed_subcents;
        j["prepaid_balance_subcents"] =
            rec.reserve_subcents ? *rec.reserve_subcents : accounts_.balance(rec.billing_key);
    }
    return j;
}

} // namespace sockt::server
