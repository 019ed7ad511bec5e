// SandboxManager: the timer thread (boot delays, invoice expiry, the 1 s meter) and billing
// (docs/protocol.md §7, §11.2, §11.3).
#include "billing/bolt11.hpp"
#include "billing/money.hpp"
#include "billing/tariff.hpp"
#include "common/clock.hpp"
#include "manager/sandbox_manager.hpp"

#include <iostream>
#include <optional>

namespace sockt::server {
namespace {

constexpr std::int64_t kMeterPeriodMs = 1000; // §11.2 "Metering ticks every second"
constexpr auto kTimerSlice = std::chrono::milliseconds(20);

OJson billingFrame(const std::string& level, std::int64_t seconds, std::int64_t balance) {
    OJson f;
    f["type"] = "billing";
    f["data"] = "balance " + std::to_string(balance) + " msats, " + std::to_string(seconds) +
                " s remaining (" + level + ")";
    f["warning_level"] = level;
    f["seconds_remaining"] = seconds;
    f["prepaid_balance_msats"] = balance;
    return f;
}

} // namespace

void SandboxManager::timerLoop() {
    std::int64_t last_meter = nowMs();
    for (;;) {
        {
            std::unique_lock<std::mutex> lock(timer_mu_);
            timer_cv_.wait_for(lock, kTimerSlice, [this] { return stopping_; });
            if (stopping_)
                return;
        }
        try {
            const auto now = nowMs();
            std::vector<std::string> boots, expired, exhausted;
            std::vector<Frame> frames;
            std::optional<std::pair<std::string, std::uint64_t>> metered;
            {
                std::lock_guard<std::mutex> lock(mu_);
                for (const auto& [id, rec] : records_) {
                    if (rec.status == status::kStarting && rec.boot_at_ms <= now)
                        boots.push_back(id);
                    if (rec.status == status::kAwaitingPayment &&
                        !outstandingInvoiceLocked(id, now))
                        expired.push_back(id);
                }
                if (now - last_meter >= kMeterPeriodMs) {
                    last_meter = now;
                    meterAllLocked(now, frames, exhausted);
                    metered = stateSnapshotLocked();
                }
            }
            // Written outside mu_: requests go on during its fsyncs (state changes they make
            // meanwhile are written by them, and a later snapshot is never overwritten).
            if (metered)
                writeState(metered->first, metered->second);
            broadcast(frames);
            for (const auto& id : boots)
                bootDue(id);
            for (const auto& id : expired)
                expireInitialInvoice(id);
            for (const auto& id : exhausted)
                autoPause(id);
        } catch (const std::exception& e) {
            // The timer must survive anything (a full disk while persisting, say): log and go on.
            std::cerr << "sockt serve: timer: " << e.what() << "\n";
        }
    }
}

void SandboxManager::bootDue(const std::string& sandbox_id) {
    auto live = liveOf(sandbox_id);
    std::unique_lock<std::shared_mutex> op(live->op);
    {
        std::lock_guard<std::mutex> lock(mu_);
        const auto& rec = records_.at(sandbox_id);
        if (rec.status != status::kStarting || rec.boot_at_ms > nowMs())
            return;
    }
    std::shared_ptr<SandboxRuntime> rt;
    std::string failure;
    try {
        rt = bootRuntime(sandbox_id);
    } catch (const std::exception& e) {
        failure = e.what();
    }
    std::lock_guard<std::mutex> lock(mu_);
    auto& rec = records_.at(sandbox_id);
    if (rt) {
        live->runtime = rt;
        rec.status = status::kRunning;
        rec.status_reason.reset();
        live->last_meter_ms = nowMs();
    } else {
        std::cerr << "sockt serve: sandbox " << sandbox_id << " failed to boot: " << failure
                  << "\n";
        rec.status = status::kFailed;
        rec.status_reason = "boot_failed";
    }
    persistLocked();
}

void SandboxManager::expireInitialInvoice(const std::string& sandbox_id) {
    auto live = liveOf(sandbox_id);
    std::unique_lock<std::shared_mutex> op(live->op);
    std::lock_guard<std::mutex> lock(mu_);
    auto& rec = records_.at(sandbox_id);
    const auto now = nowMs();
    if (rec.status != status::kAwaitingPayment || outstandingInvoiceLocked(sandbox_id, now))
        return;
    rec.status = status::kTerminated;
    rec.status_reason = "invoice_expired";
    rec.terminated_ms = now;
    persistLocked();
    dirs_.discard(sandbox_id);
}

void SandboxManager::autoPause(const std::string& sandbox_id) {
    auto live = liveOf(sandbox_id);
    std::unique_lock<std::shared_mutex> op(live->op);
    std::shared_ptr<SandboxRuntime> rt;
    {
        std::lock_guard<std::mutex> lock(mu_);
        auto& rec = records_.at(sandbox_id);
        if (rec.status != status::kRunning)
            return;
        meterLocked(rec, *live, nowMs());
        if (hasBudgetLocked(rec))
            return; // paid or credited in the meantime
        rec.status = status::kPaused;
        rec.status_reason = "out_of_balance";
        rt = live->runtime;
        persistLocked();
    }
    if (rt) {
        rt->freeze();
        executions_->pauseSandbox(sandbox_id);
    }
    closeShells(sandbox_id, "sandbox paused");
}

void SandboxManager::meterAllLocked(std::int64_t now, std::vector<Frame>& frames,
                                    std::vector<std::string>& exhausted) {
    for (auto& [id, rec] : records_) {
        if (rec.status != status::kRunning)
            continue;
        const bool out = meterLocked(rec, *live_.at(id), now);
        if (rec.lightning)
            evaluateWarningLocked(rec, now, frames);
        if (out) {
            if (rec.lightning)
                frames.push_back({id, OJson{{"type", "out_of_balance"},
                                            {"data", "balance exhausted; sandbox pausing"}}});
            exhausted.push_back(id);
        }
    }
}

bool SandboxManager::meterLocked(SandboxRecord& rec, Live& live, std::int64_t now) {
    const auto elapsed = now - live.last_meter_ms;
    live.last_meter_ms = now;
    const auto* tier = protocol::findTier(rec.tier);
    if (elapsed > 0) {
        if (rec.lightning) {
            // §7.1: whole seconds only; the partial second carries over (also across pauses).
            rec.meter_carry += elapsed;
            const auto due = lightningDueMsats(rec.meter_carry, *tier);
            rec.meter_carry %= 1000;
            const auto charge = std::min(due, rec.balance_msats);
            rec.balance_msats -= charge;
            rec.consumed_msats += charge;
        } else {
            // §7.2: floor(running_ms × cents_per_hour / 36), exact over time via the carry.
            rec.meter_carry += elapsed * tier->cents_per_hour;
            const auto due = rec.meter_carry / 36;
            rec.meter_carry %= 36;
            std::int64_t budget =
                rec.reserve_subcents ? *rec.reserve_subcents : accounts_.balance(rec.billing_key);
            const auto charge = std::max<std::int64_t>(0, std::min(due, budget));
            budget -= charge;
            if (rec.reserve_subcents)
                rec.reserve_subcents = budget;
            else
                accounts_.setBalance(rec.billing_key, budget);
            rec.consumed_subcents += charge;
        }
    }
    if (rec.lightning)
        return secondsRemaining(rec.balance_msats, *tier) == 0;
    const auto budget =
        rec.reserve_subcents ? *rec.reserve_subcents : accounts_.balance(rec.billing_key);
    return budget <= 0;
}

void SandboxManager::evaluateWarningLocked(SandboxRecord& rec, std::int64_t now,
                                           std::vector<Frame>& frames) {
    if (!rec.lightning || rec.status == status::kAwaitingPayment ||
        rec.status == status::kTerminated)
        return;
    const auto* tier = protocol::findTier(rec.tier);
    const auto seconds = secondsRemaining(rec.balance_msats, *tier);
    const auto level = warningLevel(seconds);
    if (level != rec.last_warning) {
        rec.last_warning = level;
        frames.push_back({rec.id, billingFrame(level, seconds, rec.balance_msats)});
        if (level == "low_balance")
            frames.push_back(
                {rec.id, OJson{{"type", "low_balance"},
                               {"data", "balance low: " + std::to_string(seconds) + " s remaining"},
                               {"seconds_remaining", seconds}}});
    }
    // §7.1 top-up: one unexpired unpaid invoice at a time, for the initial amount.
    if (level != "ok" && !outstandingInvoiceLocked(rec.id, now)) {
        const auto& inv = newInvoiceLocked(rec.id, rec.topup_amount_msats, false, now);
        frames.push_back({rec.id, OJson{{"type", "deposit_required"},
                                        {"data", inv.bolt11},
                                        {"pending_invoice", inv.pendingJson()}}});
    }
}

const Invoice* SandboxManager::outstandingInvoiceLocked(const std::string& sandbox_id,
                                                        std::int64_t now) const {
    const Invoice* best = nullptr;
    for (const auto& [_, inv] : invoices_)
        if (inv.sandbox_id == sandbox_id && inv.outstanding(now) &&
            (!best || inv.expires_ms > best->expires_ms))
            best = &inv;
    return best;
}

Invoice& SandboxManager::newInvoiceLocked(const std::string& sandbox_id, std::int64_t amount_msats,
                                          bool initial, std::int64_t now) {
    Invoice inv;
    inv.payment_hash = makePaymentHash();
    inv.bolt11 = makeBolt11(amount_msats / 1000);
    inv.sandbox_id = sandbox_id;
    inv.amount_msats = amount_msats;
    inv.expires_ms =
        now +
        std::chrono::duration_cast<std::chrono::milliseconds>(protocol::kInvoiceExpiry).count();
    inv.initial = initial;
    return invoices_[inv.payment_hash] = inv;
}

std::optional<OJson> SandboxManager::connectBillingFrame(const std::string& sandbox_id) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = records_.find(sandbox_id);
    if (it == records_.end() || !it->second.lightning)
        return std::nullopt;
    const auto& rec = it->second;
    const auto seconds = secondsRemaining(rec.balance_msats, *protocol::findTier(rec.tier));
    return billingFrame(warningLevel(seconds), seconds, rec.balance_msats);
}

OJson SandboxManager::payInvoice(const std::string& ref) {
    std::vector<Frame> frames;
    OJson body;
    {
        std::lock_guard<std::mutex> lock(mu_);
        Invoice* inv = nullptr;
        auto it = invoices_.find(ref);
        if (it != invoices_.end())
            inv = &it->second;
        for (auto& [_, candidate] : invoices_)
            if (!inv && candidate.bolt11 == ref)
                inv = &candidate;
        if (!inv)
            throw ApiError("not_found", "unknown invoice");
        const auto now = nowMs();
        auto& rec = records_.at(inv->sandbox_id);
        if (!inv->paid()) {
            if (now >= inv->expires_ms)
                throw ApiError("invoice_expired", "the invoice has expired",
                               "create a new sandbox or wait for a new top-up invoice");
            if (rec.status == status::kTerminated)
                throw ApiError("invoice_expired", "the invoice's sandbox has been terminated");
            inv->paid_ms = now;
            rec.balance_msats = saturatingAdd(rec.balance_msats, inv->amount_msats);
            if (inv->initial && rec.status == status::kAwaitingPayment) {
                rec.status = status::kStarting;
                rec.boot_at_ms = now + config_.boot_delay_ms;
            }
            evaluateWarningLocked(rec, now, frames);
            persistLocked();
        }
        body["payment_hash"] = inv->payment_hash;
        body["bolt11"] = inv->bolt11;
        body["status"] = "paid";
        body["amount_msats"] = inv->amount_msats;
        body["amount_sats"] = inv->amount_msats / 1000;
        body["sandbox_id"] = inv->sandbox_id;
        body["paid_at"] = rfc3339(*inv->paid_ms);
    }
    timer_cv_.notify_all();
    broadcast(frames);
    return body;
}

OJson SandboxManager::addCredits(const std::string& api_key, std::int64_t cents) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!accounts_.has(api_key))
        throw ApiError("not_found", "unknown API key");
    // §11.3: the amount is bounded by the API layer; the sum is checked all the same.
    const auto added = subcentsOf(cents);
    const auto balance = added ? checkedAdd(accounts_.balance(api_key), *added) : std::nullopt;
    if (!balance || *balance > *subcentsOf(kMaxCents))
        throw ApiError("invalid_params",
                       "the key's balance would exceed " + std::to_string(kMaxCents) + " cents",
                       "add fewer cents");
    accounts_.setBalance(api_key, *balance);
    persistLocked();
    return OJson{{"balance_cents", *balance / protocol::kSubcentsPerCent}};
}

} // namespace sockt::server
