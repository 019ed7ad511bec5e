// The sandboxes of the server: records, lifecycle state machine (docs/protocol.md §1.7), boot
// timers, lightning and credits billing (§7), invoices, shell tickets, persistence (§11.2) and the
// runtime handles behind them. Thread-safe.
//
// Locking: `mu_` guards every record, account, invoice and ticket and is held only briefly. Each
// sandbox also has an operation lock (`Live::op`): lifecycle changes (boot, pause, resume,
// terminate, auto-pause) take it exclusively, data-plane calls take it shared for as long as they
// touch the runtime, so a command can never be spawned between a pause's state change and its
// freeze. Order: op before mu_, never the reverse.
#pragma once

#include "billing/accounts.hpp"
#include "billing/invoice.hpp"
#include "billing/key_spec.hpp"
#include "common/api_error.hpp"
#include "manager/sandbox_dirs.hpp"
#include "manager/sandbox_record.hpp"
#include "manager/shell_notifier.hpp"
#include "runtime/exec_registry.hpp"
#include "runtime/isolation.hpp"
#include "runtime/sandbox_runtime.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

namespace sockt::server {


struct ManagerConfig {
    std::filesystem::path data_dir;
    std::int64_t boot_delay_ms = 1000;
    int max_sandboxes = 16;
    IsolationMode isolation = IsolationMode::None;
};

struct CreateRequest {
    std::string tier = "nano";
    bool lightning = false;
    std::int64_t prepaid_sats = 1000;
    std::optional<std::int64_t> initial_credits_cents;
    std::optional<std::string> label;
    std::string api_key; // credits: the paying key; lightning: a valid header key or ""
};

/// Shared hold on a running sandbox's runtime (see the locking note above).
struct DataPlaneLease {
    std::shared_lock<std::shared_mutex> lock;
    std::shared_ptr<SandboxRuntime> runtime;
};

class SandboxManager {
public:
    SandboxManager(ManagerConfig config, std::shared_ptr<ShellNotifier> shells);
    ~SandboxManager();
    SandboxManager(const SandboxManager&) = delete;
    SandboxManager& operator=(const SandboxManager&) = delete;

    /// Loads the data dir, applies the configured keys (generating one when none exists), brings
    /// sandboxes back (§11.2) and starts the timer thread. Returns the key printed at startup.
    std::string start(const std::vector<KeySpec>& keys);
    /// Server shutdown: stops timers, persists, kills every sandbox process. Idempotent.
    void shutdown();

    ExecRegistry& executions() { return *executions_; }
    const ManagerConfig& config() const { return config_; }

    // --- authentication and authorization (§1.3); each throws 401 / 404 / 403 in that order ---
    bool isApiKey(const std::string& credential) const;
    /// First credential that is a known API key, or "".
    std::string firstApiKey(const std::vector<std::string>& credentials) const;
    /// Returns the acting credential for the sandbox.
    std::string authorizeSandbox(const std::vector<std::string>& credentials,
                                 const std::string& sandbox_id) const;
    /// Returns {sandbox id, acting credential} of the execution.
    std::pair<std::string, std::string>
    authorizeExecution(const std::vector<std::string>& credentials,
                       const std::string& execution_id);

    // --- control plane (§2.2-§2.6) ---
    OJson create(const CreateRequest& request);
    OJson status(const std::string& sandbox_id);
    OJson pause(const std::string& sandbox_id);
    OJson resume(const std::string& sandbox_id);
    OJson terminate(const std::string& sandbox_id, const std::optional<std::string>& address);

    // --- data plane ---
    /// Step 8 of §3.4 (402/409/410/503) then a shared hold on the runtime.
    DataPlaneLease acquire(const std::string& sandbox_id);
    /// The outstanding lightning invoice of the sandbox as `pending_invoice`, or null.
    OJson pendingInvoice(const std::string& sandbox_id);
    /// The `billing` frame sent when a shell connects (lightning only).
    std::optional<OJson> connectBillingFrame(const std::string& sandbox_id);

    // --- shell tickets (§2.13) ---
    std::pair<std::string, std::int64_t> issueTicket(const std::string& sandbox_id);
    bool consumeTicket(const std::string& ticket, const std::string& sandbox_id);

    // --- MCP `sandbox_extend_balance` (§9.3) ---
    /// Credits (`cents`): moves that much from `acting_key`'s balance into the sandbox's
    /// reservation, creating one if it consumed the key balance directly; answers
    /// {"sandbox_id","reserved_cents","key_balance_cents"}. Lightning (`sats`): a new invoice for
    /// that amount, shown as pending_invoice until paid; answers {"sandbox_id","bolt11",
    /// "payment_hash","amount_msats","expires_at"}. Exactly one of the two, matching the billing
    /// method (400 invalid_params); terminated → 410; the key lacking the cents → 402.
    OJson extendBalance(const std::string& sandbox_id, const std::string& acting_key,
                        std::optional<std::int64_t> cents, std::optional<std::int64_t> sats);

    // --- local admin (§11.3) ---
    OJson payInvoice(const std::string& ref);
    OJson addCredits(const std::string& api_key, std::int64_t cents);

private:
    struct Live {
        std::shared_mutex op;
        std::shared_ptr<SandboxRuntime> runtime; // written under op (exclusive)
        std::int64_t last_meter_ms = 0;          // guarded by mu_
    };
    struct Frame {
        std::string sandbox_id;
        OJson frame;
    };

    std::shared_ptr<Live> liveOf(const std::string& sandbox_id) const;
    std::filesystem::path rootOf(const std::string& sandbox_id) const;
    std::shared_ptr<SandboxRuntime> bootRuntime(const std::string& sandbox_id);

    void timerLoop();
    void bootDue(const std::string& sandbox_id);
    void expireInitialInvoice(const std::string& sandbox_id);
    void autoPause(const std::string& sandbox_id);
    void meterAllLocked(std::int64_t now, std::vector<Frame>& frames,
                        std::vector<std::string>& exhausted);
    /// Charges the running time since the last meter; true when the budget is exhausted.
    bool meterLocked(SandboxRecord& record, Live& live, std::int64_t now);
    void evaluateWarningLocked(SandboxRecord& record, std::int64_t now, std::vector<Frame>& frames);
    const Invoice* outstandingInvoiceLocked(const std::string& sandbox_id, std::int64_t now) const;
    Invoice& newInvoiceLocked(const std::string& sandbox_id, std::int64_t amount_msats,
                              bool initial, std::int64_t now);
    OJson statusViewLocked(const SandboxRecord& record, std::int64_t now) const;
    bool hasBudgetLocked(SandboxRecord& record);
    void broadcast(const std::vector<Frame>& frames);
    void closeShells(const std::string& sandbox_id, const std::string& reason);

    /// Writes the state now, before the caller answers (docs/protocol.md §11.2). mu_ held.
    void persistLocked();
    /// The state as state.json's text, and its place in the order of states. mu_ held.
    std::pair<std::string, std::uint64_t> stateSnapshotLocked();
    /// Writes a snapshot unless a later one is on disk already. Takes state_write_mu_ only, so
    /// the meter's write each second does not hold every request behind mu_ for its fsyncs.
    void writeState(const std::string& text, std::uint64_t seq);
    void requireKnownCredentialLocked(const std::vector<std::string>& credentials) const;
    void admitLocked(const CreateRequest& req, std::int64_t reserve) const;
    void loadLocked();

    ManagerConfig config_;
    SandboxDirs dirs_;
    std::shared_ptr<ShellNotifier> shells_;
    std::unique_ptr<ExecRegistry> executions_;

    mutable std::mutex mu_;
    Accounts accounts_;
    std::map<std::string, SandboxRecord> records_;
    std::map<std::string, std::shared_ptr<Live>> live_;
    std::map<std::string, std::string> token_index_; // sandbox token → sandbox id
    std::map<std::string, Invoice> invoices_;        // by payment hash
    std::map<std::string, std::pair<std::string, std::int64_t>> tickets_; // → sandbox, expiry

    std::uint64_t state_seq_ = 0; // guarded by mu_: the snapshots taken so far

    std::mutex state_write_mu_;
    std::uint64_t written_seq_ = 0; // guarded by state_write_mu_: the last snapshot on disk

    std::mutex timer_mu_;
    std::condition_variable timer_cv_;
    bool stopping_ = false;
    std::thread timer_;
    std::atomic<bool> shut_down_{false};
};

} // namespace sockt::server
