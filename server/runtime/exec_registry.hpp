// Every execution of the server (docs/protocol.md §2.7-§2.9, §4): start, destructive polls, long
// polls, cancel, timeouts, pause clocks, terminate, the 10-running limit, 24 h retention and
// persistence of finished executions. Thread-safe.
#pragma once

#include "common/api_error.hpp"
#include "runtime/execution.hpp"
#include "store/atomic_file.hpp"

#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace sockt::server {

class SandboxRuntime;

class ExecRegistry {
public:
    /// `state_dir` receives one JSON file per execution (atomic writes); created if missing.
    explicit ExecRegistry(std::filesystem::path state_dir);
    ~ExecRegistry();
    ExecRegistry(const ExecRegistry&) = delete;
    ExecRegistry& operator=(const ExecRegistry&) = delete;

    /// On startup: finished executions come back (with their undelivered output); ones that were
    /// running become failed "execution lost: server restarted"; expired ones are deleted.
    void load();

    /// §2.7. `sandbox_cwd` is the request's raw `working_dir` ("" = home); it is resolved per
    /// §1.6 against the runtime's home (400 bad_request / invalid_params). Throws ApiError
    /// too_many_executions when `acting_credential` already has 10 running. Returns the response.
    OJson start(std::shared_ptr<SandboxRuntime> runtime, const std::string& sandbox_id,
                const std::string& command, const std::string& sandbox_cwd, std::int64_t timeout_ms,
                const std::string& acting_credential);

    /// §2.8: destructive, or with `since` a replay poll (§4.5). `wait_ms` > 0 holds the call per
    /// §4.4 (the caller validated 0…30000). Throws ApiError not_found for unknown/expired ids.
    OJson poll(const std::string& execution_id, std::int64_t wait_ms, const OJson& pending_invoice,
               std::optional<std::int64_t> since = std::nullopt);

    /// §2.9: kills the group and answers {"execution_id","status"}; an ended one answers its
    /// status.
    OJson cancel(const std::string& execution_id);

    /// For authorization; nullopt = unknown or expired.
    std::optional<std::string> sandboxOf(const std::string& execution_id);

    /// Stop / continue the timeout clocks of the sandbox's running executions (§2.4). The caller
    /// freezes/thaws the processes through SandboxRuntime.
    void pauseSandbox(const std::string& sandbox_id);
    void resumeSandbox(const std::string& sandbox_id);
    /// §2.6: running executions of the sandbox → failed, 137, "sandbox terminated", at once (their
    /// groups get SIGKILL; the caller shuts the runtime down, in either order).
    void terminateSandbox(const std::string& sandbox_id);

    /// Running executions started with this credential.
    int runningCount(const std::string& credential);

    /// Server shutdown: running executions are persisted as running (→ "execution lost" on the next
    /// load), long polls are released. Idempotent.
    void shutdown();

private:
    std::shared_ptr<Execution> find(const std::string& execution_id);
    void purgeExpiredLocked();
    void onFinished(const std::shared_ptr<Execution>& execution);
    static void persist(const std::filesystem::path& state_dir,
                        const std::shared_ptr<Execution>& execution,
                        Durability durability = Durability::Machine);
    Execution::FinishedHook hook() const;

    std::filesystem::path state_dir_;
    std::mutex mutex_;
    std::map<std::string, std::shared_ptr<Execution>> executions_;
    std::chrono::steady_clock::time_point last_purge_{};
    bool shut_down_ = false;
};

} // namespace sockt::server
