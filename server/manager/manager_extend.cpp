// SandboxManager::extendBalance: the MCP tool `sandbox_extend_balance` (docs/protocol.md §9.3), the
// one way to add to a sandbox's budget after create (the REST API has no such route).
#include "common/clock.hpp"
#include "manager/sandbox_manager.hpp"
#include "manager/state_errors.hpp"

namespace sockt::server {

OJson SandboxManager::extendBalance(const std::string& sandbox_id, const std::string& acting_key,
                                    std::optional<std::int64_t> cents,
                                    std::optional<std::int64_t> sats) {
    std::lock_guard<std::mutex> lock(mu_);
    auto& rec = records_.at(sandbox_id); // authorizeSandbox found it
    // §3.4 step 7: the arguments, which depend on the billing method.
    const char* wanted = rec.lightning ? "sats" : "cents";
    const auto& given = rec.lightning ? sats : cents;
    if ((cents && sats) || !given)
        throw ApiError("invalid_params", std::string("a ") +
                                             (rec.lightning ? "lightning" : "credits") +
                                             " sandbox is extended with `" + wanted +
                                             "` (and only that)");
    if (*given < 1)
        throw ApiError("invalid_params", std::string(wanted) + " must be at least 1");
    // Step 8: the state. Any state but terminated may be extended.
    if (rec.status == status::kTerminated)
        throwTerminated(sandbox_id);
    const auto now = nowMs();
    OJson out;
    out["sandbox_id"] = sandbox_id;
    if (rec.lightning) {
        const Invoice& inv = newInvoiceLocked(sandbox_id, *sats * 1000, false, now);
        out["bolt11"] = inv.bolt11;
        out["payment_hash"] = inv.payment_hash;
        out["amount_msats"] = inv.amount_msats;
        out["expires_at"] = rfc3339(inv.expires_ms);
    } else {
        const std::int64_t amount = *cents * protocol::kSubcentsPerCent;
        const std::int64_t balance = accounts_.balance(acting_key);
        if (!accounts_.has(acting_key) || balance < amount)
            throw ApiError("insufficient_credits",
                           "the API key has " + std::to_string(balance / protocol::kSubcentsPerCent) +
                               " cents, fewer than the " + std::to_string(*cents) + " asked for",
                           "add credits (sockt local credit <cents>), then extend again");
        accounts_.setBalance(acting_key, balance - amount);
        rec.reserve_subcents = rec.reserve_subcents.value_or(0) + amount;
        out["reserved_cents"] = *rec.reserve_subcents / protocol::kSubcentsPerCent;
        out["key_balance_cents"] = (balance - amount) / protocol::kSubcentsPerCent;
    }
    persistLocked();
    return out;
}

} // namespace sockt::server
