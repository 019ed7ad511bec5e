// SandboxManager::create: admission, the record, the invoice of a lightning sandbox and the
// answer of docs/protocol.md §2.2.
#include "manager/sandbox_manager.hpp"

#include "billing/money.hpp"
#include "common/clock.hpp"
#include "common/ids.hpp"

namespace sockt::server {
namespace {

// §2.2: the superset response; snake_case always, PascalCase repeats for credits.
OJson createdJson(const std::string& id, const SandboxRecord& rec, const CreateRequest& req,
                  const Invoice* invoice, const protocol::TierSpec& tier, std::int64_t now) {
    OJson j;
    j["sandbox_id"] = id;
    j["status"] = rec.status;
    j["tier"] = rec.tier;
    j["billing_method"] = req.lightning ? "lightning" : "credits";
    j["runtime"] = "local";
    j["template"] = "sockt-" + rec.tier;
    j["label"] = rec.label ? OJson(*rec.label) : OJson(nullptr);
    j["sandbox_token"] = rec.sandbox_token ? OJson(*rec.sandbox_token) : OJson(nullptr);
    if (invoice) {
        j["invoice"] = invoice->bolt11;
        j["payment_hash"] = invoice->payment_hash;
        j["amount_msats"] = invoice->amount_msats;
        j["amount_sats"] = invoice->amount_msats / 1000;
        j["msats_per_second"] = tier.msats_per_second;
        j["prepaid_seconds"] = invoice->amount_msats / tier.msats_per_second;
        j["expires_at"] = rfc3339(invoice->expires_ms);
        j["pending_invoice"] = invoice->pendingJson();
    } else {
        for (const char* k :
             {"invoice", "payment_hash", "amount_msats", "amount_sats", "msats_per_second",
              "prepaid_seconds", "expires_at", "pending_invoice"})
            j[k] = nullptr;
    }
    j["created_at"] = rfc3339(now);
    if (!req.lightning) {
        j["ID"] = id;
        j["Status"] = rec.status;
        j["BillingMethod"] = "credits";
        j["Tier"] = rec.tier;
        j["Template"] = "sockt-" + rec.tier;
        j["Runtime"] = "local";
        j["PrepaidBalanceSubcents"] = rec.initial_prepaid_subcents;
        j["UserID"] = userIdForKey(req.api_key);
    }
    return j;
}

} // namespace

// Whether one more sandbox may be created now: the key's credits (credits billing) and the
// server's capacity.
void SandboxManager::admitLocked(const CreateRequest& req, std::int64_t reserve) const {
    if (!req.lightning) {
        const auto balance = accounts_.balance(req.api_key);
        if (balance <= 0)
            throw ApiError("insufficient_credits", "the API key has no credits left",
                           "add credits: sockt local credit <cents>");
        if (balance < reserve)
            throw ApiError("insufficient_credits",
                           "the API key balance is below initial_credits_cents",
                           "request fewer initial credits or add credits");
    }
    int active = 0;
    for (const auto& [_, r] : records_)
        if (r.status != status::kTerminated)
            ++active;
    if (active >= config_.max_sandboxes)
        throw ApiError("no_capacity",
                       "no capacity: " + std::to_string(config_.max_sandboxes) +
                           " sandboxes already exist",
                       "terminate a sandbox or start sockt serve with a higher --max-sandboxes");
}

OJson SandboxManager::create(const CreateRequest& req) {
    const auto* tier = protocol::findTier(req.tier);
    // The API layer bounds the amount (§2.2); a reservation is never computed unchecked.
    std::int64_t reserve = 0;
    if (!req.lightning && req.initial_credits_cents) {
        const auto subcents = subcentsOf(*req.initial_credits_cents);
        if (!subcents)
            throw ApiError("invalid_params", "initial_credits_cents must be between 0 and " +
                                                 std::to_string(kMaxCents));
        reserve = *subcents;
    }
    const std::string id = uuid4();
    const auto root = rootOf(id);
    {
        std::lock_guard<std::mutex> lock(mu_);
        admitLocked(req, reserve);
    }
    try {
        dirs_.create(id);
        SandboxRuntime::seedHome(root / "home");
    } catch (const std::exception& e) {
        dirs_.discard(id);
        throw ApiError("host_error", std::string("could not create the sandbox home: ") + e.what());
    }

    std::lock_guard<std::mutex> lock(mu_);
    const auto now = nowMs();
    try {
        admitLocked(req, reserve); // again: another create may have won the race for the last slot
    } catch (...) {
        dirs_.discard(id);
        throw;
    }
    SandboxRecord rec;
    rec.id = id;
    rec.tier = std::string(tier->name);
    rec.lightning = req.lightning;
    rec.label = req.label;
    rec.created_ms = now;
    if (!req.api_key.empty())
        rec.owner_keys.push_back(req.api_key);
    const Invoice* invoice = nullptr;
    if (req.lightning) {
        rec.status = status::kAwaitingPayment;
        rec.sandbox_token = "sbx_" + randomHex(32);
        rec.topup_amount_msats = req.prepaid_sats * 1000;
        token_index_[*rec.sandbox_token] = id;
        invoice = &newInvoiceLocked(id, rec.topup_amount_msats, true, now);
    } else {
        rec.status = status::kStarting;
        rec.boot_at_ms = now + config_.boot_delay_ms;
        rec.billing_key = req.api_key;
        const auto balance = accounts_.balance(req.api_key);
        if (reserve > 0) {
            accounts_.setBalance(req.api_key, balance - reserve);
            rec.reserve_subcents = reserve;
            rec.initial_prepaid_subcents = reserve;
        } else {
            rec.initial_prepaid_subcents = balance;
        }
    }
    auto live = std::make_shared<Live>();
    live->last_meter_ms = now;
    live_[id] = live;
    records_[id] = rec;
    persistLocked();
    timer_cv_.notify_all();

    return createdJson(id, rec, req, invoice, *tier, now);
}

} // namespace sockt::server
