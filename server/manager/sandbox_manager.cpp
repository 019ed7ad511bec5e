#include "manager/sandbox_manager.hpp"

#include "billing/bolt11.hpp"
#include "billing/money.hpp"
#include "common/clock.hpp"
#include "common/ids.hpp"
#include "manager/state_errors.hpp"

#include <algorithm>
#include <iostream>

namespace sockt::server {

SandboxManager::SandboxManager(ManagerConfig config, std::shared_ptr<ShellNotifier> shells)
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

// --- control plane (create: manager_create.cpp) ---

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

} // namespace sockt::server
