#include "manager/sandbox_manager.hpp"

#include "billing/bolt11.hpp"
#include "billing/money.hpp"
#include "manager/ids.hpp"
#include "shell/shell_service.hpp"
#include "manager/state_errors.hpp"

#include <algorithm>
#include <iostream>

namespace sockt::server {

SandboxManager::SandboxManager(ManagerConfig config, std::shared_ptr<ShellService> shells)
    : config_(std::move(config)), dirs_(config_.data_dir), shells_(std::move(shells)),
      executions_(std::make_unique<ExecRegistry>(config_.data_dir / "executions")) {}

SandboxManager::~SandboxManager() {
    shutdown();
}

std::filesystem::path SandboxManager::rootOf(const std::string& sandbox_id) const {
    return dirs_.rootOf(sandbox_id);
}

std::shared_ptr<SandboxManager::Live> SandboxManager::liveOf(const std::string& id) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = live_.find(id);
    if (it == live_.end())
        throw ApiError("not_found", "sandbox " + id + " not found");
    return it->second;
}

std::shared_ptr<SandboxRuntime> SandboxManager::bootRuntime(const std::string& sandbox_id) {
    RuntimeConfig rc;
    rc.sandbox_id = sandbox_id;
    rc.root = rootOf(sandbox_id);
    rc.isolation = config_.isolation;
    {
        std::lock_guard<std::mutex> lock(mu_);
        rc.tier = records_.at(sandbox_id).tier;
    }
    SandboxRuntime::seedHome(rc.root / "home"); // keeps existing files; recreates a lost home
    return SandboxRuntime::start(rc);
}

void SandboxManager::closeShells(const std::string& sandbox_id, const std::string& reason) {
    if (shells_)
        shells_->closeAll(sandbox_id, reason);
}

void SandboxManager::broadcast(const std::vector<Frame>& frames) {
    if (!shells_)
        return;
    for (const auto& f : frames)
        shells_->broadcast(f.sandbox_id, f.frame);
}

// --- lifecycle of the server ---

std::string SandboxManager::start(const std::vector<KeySpec>& keys) {
    std::string first_key;
    std::vector<std::string> to_boot, terminated;
    {
        std::lock_guard<std::mutex> lock(mu_);
        loadLocked();
        for (const auto& spec : keys) {
            if (accounts_.has(spec.key)) {
                if (spec.balance_subcents)
                    accounts_.setBalance(spec.key, *spec.balance_subcents);
            } else {
                accounts_.add(spec.key, spec.balance_subcents.value_or(kDefaultKeyBalanceSubcents));
            }
        }
        if (accounts_.keys().empty())
            accounts_.add(std::string(protocol::kApiKeyPrefix) + uuid4(),
                          kDefaultKeyBalanceSubcents);
        first_key = keys.empty() ? accounts_.keys().front() : keys.front().key;
        const auto now = nowMs();
        for (auto& [id, rec] : records_) {
            live_[id]->last_meter_ms = now;
            if (rec.status == status::kRunning)
                to_boot.push_back(id);
            if (rec.status == status::kTerminated)
                terminated.push_back(id);
        }
        persistLocked();
    }
    // §11.2: a terminate or a delete cut short by a crash is finished before anything starts.
    dirs_.sweep(terminated);
    executions_->load();
    // §11.2: running sandboxes come back running, with a fresh runtime and no old processes.
    for (const auto& id : to_boot) {
        auto live = liveOf(id);
        std::unique_lock<std::shared_mutex> op(live->op);
        std::shared_ptr<SandboxRuntime> rt;
        std::string failure;
        try {
            rt = bootRuntime(id);
        } catch (const std::exception& e) {
            failure = e.what();
        }
        std::lock_guard<std::mutex> lock(mu_);
        auto& rec = records_.at(id);
        if (rt) {
            live->runtime = rt;
            live->last_meter_ms = nowMs();
        } else {
            std::cerr << "sockt serve: sandbox " << id << " could not restart: " << failure << "\n";
            rec.status = status::kFailed;
            rec.status_reason = "boot_failed";
            persistLocked();
        }
    }
    timer_ = std::thread([this] { timerLoop(); });
    return first_key;
}

void SandboxManager::shutdown() {
    if (shut_down_.exchange(true))
        return;
    {
        std::lock_guard<std::mutex> lock(timer_mu_);
        stopping_ = true;
    }
    timer_cv_.notify_all();
    if (timer_.joinable())
        timer_.join();
    std::vector<std::shared_ptr<Live>> lives;
    {
        std::lock_guard<std::mutex> lock(mu_);
        const auto now = nowMs();
        for (auto& [id, rec] : records_)
            if (rec.status == status::kRunning)
                meterLocked(rec, *live_[id], now);
        persistLocked();
        for (auto& [id, live] : live_)
            lives.push_back(live);
    }
    executions_->shutdown();
    for (auto& live : lives) {
        std::unique_lock<std::shared_mutex> op(live->op);
        if (live->runtime) {
            try {
                live->runtime->shutdown();
            } catch (const std::exception& e) {
                std::cerr << "sockt serve: sandbox shutdown failed: " << e.what() << "\n";
            }
            live->runtime.reset();
        }
    }
}

// --- authentication and authorization ---

bool SandboxManager::isApiKey(const std::string& credential) const {
    std::lock_guard<std::mutex> lock(mu_);
    return accounts_.has(credential);
}

std::string SandboxManager::firstApiKey(const std::vector<std::string>& credentials) const {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& c : credentials)
        if (accounts_.has(c))
            return c;
    return {};
}

std::string SandboxManager::authorizeSandbox(const std::vector<std::string>& credentials,
                                             const std::string& sandbox_id) const {
    std::lock_guard<std::mutex> lock(mu_);
    bool known = false;
    for (const auto& c : credentials)
        if (accounts_.has(c) || token_index_.count(c))
            known = true;
    if (!known)
        throw ApiError("unauthorized", "missing or unknown credential",
                       "send Authorization: Bearer <API key or sandbox token>");
    auto it = records_.find(sandbox_id);
    if (it == records_.end())
        throw ApiError("not_found", "sandbox " + sandbox_id + " not found");
    const auto& rec = it->second;
    for (const auto& c : credentials) {
        if (rec.sandbox_token && c == *rec.sandbox_token)
            return c;
        if (std::find(rec.owner_keys.begin(), rec.owner_keys.end(), c) != rec.owner_keys.end())
            return c;
    }
    throw ApiError("forbidden", "credential has no access to sandbox " + sandbox_id,
                   "use the API key that created the sandbox or its sandbox token");
}

std::pair<std::string, std::string>
SandboxManager::authorizeExecution(const std::vector<std::string>& credentials,
                                   const std::string& execution_id) {
    {
        std::lock_guard<std::mutex> lock(mu_);
        bool known = false;
        for (const auto& c : credentials)
            if (accounts_.has(c) || token_index_.count(c))
                known = true;
        if (!known)
            throw ApiError("unauthorized", "missing or unknown credential",
                           "send Authorization: Bearer <API key or sandbox token>");
    }
    auto sandbox = executions_->sandboxOf(execution_id);
    if (!sandbox)
        throw ApiError("not_found", "execution " + execution_id + " not found");
    try {
        return {*sandbox, authorizeSandbox(credentials, *sandbox)};
    } catch (const ApiError& e) {
        if (e.code() != "forbidden" && e.code() != "not_found")
            throw;
        throw ApiError("forbidden", "execution belongs to another caller",
                       "Ensure your request Authorization header matches the credential used to "
                       "start this execution");
    }
}

// --- control plane ---

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
    auto admit = [&](std::int64_t now) {
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
            throw ApiError(
                "no_capacity",
                "no capacity: " + std::to_string(config_.max_sandboxes) +
                    " sandboxes already exist",
                "terminate a sandbox or start sockt serve with a higher --max-sandboxes");
        (void)now;
    };
    {
        std::lock_guard<std::mutex> lock(mu_);
        admit(nowMs());
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
        admit(now); // again: another create may have won the race for the last slot
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

    // §2.2: the superset response; snake_case always, PascalCase repeats for credits.
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
        j["msats_per_second"] = tier->msats_per_second;
        j["prepaid_seconds"] = invoice->amount_msats / tier->msats_per_second;
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

OJson SandboxManager::status(const std::string& sandbox_id) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = records_.find(sandbox_id);
    if (it == records_.end())
        throw ApiError("not_found", "sandbox " + sandbox_id + " not found");
    return statusViewLocked(it->second, nowMs());
}

// --- data plane ---

DataPlaneLease SandboxManager::acquire(const std::string& sandbox_id) {
    auto live = liveOf(sandbox_id);
    DataPlaneLease lease{std::shared_lock<std::shared_mutex>(live->op), nullptr};
    std::lock_guard<std::mutex> lock(mu_);
    const auto& rec = records_.at(sandbox_id);
    if (rec.status != status::kRunning || !live->runtime) {
        const Invoice* inv = outstandingInvoiceLocked(sandbox_id, nowMs());
        throwDataPlaneStateError(rec, inv ? inv->pendingJson() : OJson(nullptr));
    }
    lease.runtime = live->runtime;
    return lease;
}

OJson SandboxManager::pendingInvoice(const std::string& sandbox_id) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = records_.find(sandbox_id);
    if (it == records_.end() || it->second.status == status::kTerminated)
        return nullptr;
    const Invoice* inv = outstandingInvoiceLocked(sandbox_id, nowMs());
    return inv ? inv->pendingJson() : OJson(nullptr);
}

// --- shell tickets ---

std::pair<std::string, std::int64_t> SandboxManager::issueTicket(const std::string& sandbox_id) {
    std::lock_guard<std::mutex> lock(mu_);
    const auto now = nowMs();
    for (auto it = tickets_.begin(); it != tickets_.end();)
        it = it->second.second <= now ? tickets_.erase(it) : std::next(it);
    std::string ticket = "tkt_" + randomHex(32);
    const auto expires =
        now + std::chrono::duration_cast<std::chrono::milliseconds>(protocol::kShellTicketLifetime)
                  .count();
    tickets_[ticket] = {sandbox_id, expires};
    return {ticket, expires};
}

bool SandboxManager::consumeTicket(const std::string& ticket, const std::string& sandbox_id) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = tickets_.find(ticket);
    if (it == tickets_.end())
        return false;
    const bool ok = it->second.first == sandbox_id && it->second.second > nowMs();
    if (ok)
        tickets_.erase(it); // single use (§2.13); a ticket for another sandbox stays valid
    return ok;
}

} // namespace sockt::server
