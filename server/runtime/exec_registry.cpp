#include "runtime/exec_registry.hpp"

#include "common/clock.hpp"
#include "common/ids.hpp"
#include "files/beneath.hpp"
#include "files/sandbox_path.hpp"
#include "runtime/execution.hpp"
#include "runtime/sandbox_runtime.hpp"
#include "sockt/protocol.hpp"
#include "store/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <system_error>

namespace fs = std::filesystem;

namespace sockt::server {
namespace {

constexpr auto kPurgeInterval = std::chrono::minutes(1);
const std::int64_t kRetentionMs =
    std::chrono::duration_cast<std::chrono::milliseconds>(protocol::kExecutionRetention).count();

bool validId(const std::string& id) {
    if (id.size() != 29 || id.rfind("exec_", 0) != 0)
        return false;
    for (std::size_t i = 5; i < id.size(); ++i)
        if (!std::isxdigit(static_cast<unsigned char>(id[i])))
            return false;
    return true;
}

} // namespace

ExecRegistry::ExecRegistry(fs::path state_dir) : state_dir_(std::move(state_dir)) {
    fs::create_directories(state_dir_);
}

ExecRegistry::~ExecRegistry() {
    shutdown();
}

void ExecRegistry::onFinished(const std::shared_ptr<Execution>& execution) {
    persist(state_dir_, execution);
}

void ExecRegistry::persist(const fs::path& state_dir, const std::shared_ptr<Execution>& execution,
                           Durability durability) {
    // Best effort: a full disk must not take the exec path down; the record stays in memory.
    try {
        writeFileAtomically(state_dir / (execution->info().id + ".json"),
                            execution->toRecord().dump(), durability);
    } catch (const std::exception&) {
    }
}

Execution::FinishedHook ExecRegistry::hook() const {
    // Reader threads may outlive the registry: the hook holds the directory, not `this`.
    return [dir = state_dir_](const std::shared_ptr<Execution>& e) { persist(dir, e); };
}

void ExecRegistry::load() {
    std::error_code ec;
    std::int64_t now = nowMs();
    for (const auto& entry : fs::directory_iterator(state_dir_, ec)) {
        const auto& path = entry.path();
        if (path.extension() != ".json")
            continue;
        try {
            auto text = readWholeFile(path);
            if (!text)
                continue;
            auto record = OJson::parse(*text);
            auto execution = Execution::fromRecord(record, hook());
            if (execution->running()) {
                // §11.2: its processes died with the old server.
                execution->finishNow(std::nullopt, "execution lost: server restarted");
            } else if (now - execution->finishedMs() > kRetentionMs) {
                fs::remove(path, ec);
                continue;
            }
            std::lock_guard lock(mutex_);
            executions_[execution->info().id] = execution;
        } catch (const std::exception&) {
            // A corrupt record cannot be served; leave the file for inspection.
        }
    }
}

void ExecRegistry::purgeExpiredLocked() {
    auto now = std::chrono::steady_clock::now();
    if (now - last_purge_ < kPurgeInterval)
        return;
    last_purge_ = now;
    std::int64_t wall = nowMs();
    for (auto it = executions_.begin(); it != executions_.end();) {
        const auto& e = it->second;
        if (!e->running() && wall - e->finishedMs() > kRetentionMs) {
            std::error_code ec;
            fs::remove(state_dir_ / (it->first + ".json"), ec);
            it = executions_.erase(it);
        } else {
            ++it;
        }
    }
}

std::shared_ptr<Execution> ExecRegistry::find(const std::string& execution_id) {
    std::lock_guard lock(mutex_);
    purgeExpiredLocked();
    auto it = executions_.find(execution_id);
    if (it == executions_.end() || !validId(execution_id))
        return nullptr;
    const auto& e = it->second;
    if (!e->running() && nowMs() - e->finishedMs() > kRetentionMs)
        return nullptr;
    return e;
}

OJson ExecRegistry::start(std::shared_ptr<SandboxRuntime> runtime, const std::string& sandbox_id,
                          const std::string& command, const std::string& sandbox_cwd,
                          std::int64_t timeout_ms, const std::string& acting_credential) {
    if (command.empty())
        throw ApiError("invalid_params", "command must be a non-empty string");
    if (timeout_ms < 0 || timeout_ms > protocol::kMaxExecTimeoutMs)
        throw ApiError("invalid_params", "timeout_ms must be between 0 and 86400000");
    auto cleaned = cleanSandboxPath(sandbox_cwd, PathUse::WorkingDir);
    if (!runtime)
        throw ApiError("host_error", "the sandbox runtime is not available");

    Execution::Info info;
    info.sandbox_id = sandbox_id;
    info.command = command;
    info.working_dir = cleaned.sandbox;
    info.credential = acting_credential;
    info.timeout_ms = timeout_ms;
    info.started_ms = nowMs();
    std::shared_ptr<Execution> execution;
    {
        // Count and reserve under one lock, so concurrent starts cannot exceed the limit (§3.3).
        std::lock_guard lock(mutex_);
        if (shut_down_)
            throw ApiError("host_error", "the server is shutting down");
        purgeExpiredLocked();
        int running = 0;
        for (const auto& [id, e] : executions_)
            if (e->info().credential == acting_credential && e->running())
                ++running;
        if (running >= protocol::kMaxRunningExecutions)
            throw ApiError("too_many_executions",
                           "more than 10 concurrent executions for this credential",
                           "wait for a running execution to finish or cancel one");
        do {
            info.id = "exec_" + randomHex(24);
        } while (executions_.count(info.id));
        execution = std::make_shared<Execution>(info, hook());
        executions_[info.id] = execution;
    }
    SandboxPath cwd;
    try {
        // §3.4 step 10: checks that need the file system come after the concurrency check.
        // On descriptors from the home, as the file routes do (files/beneath.hpp): the sandbox
        // may swap a component for a link to a host path meanwhile.
        Fd home(::open(runtime->home().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
        if (!home.ok())
            throw ApiError("host_error", "the sandbox's home is gone");
        cwd = resolveSandboxPath(home.get(), sandbox_cwd, PathUse::WorkingDir);
        Fd dir(openBeneath(home.get(), cwd.relative(), O_PATH | O_NOFOLLOW));
        struct stat st;
        if (!dir.ok() || ::fstat(dir.get(), &st) != 0)
            throw ApiError("invalid_params", "working_dir " + cleaned.sandbox + " does not exist");
        if (!S_ISDIR(st.st_mode))
            throw ApiError("invalid_params",
                           "working_dir " + cleaned.sandbox + " is not a directory");
    } catch (...) {
        std::lock_guard lock(mutex_);
        executions_.erase(info.id);
        throw;
    }
    // Persisted as running before the spawn, so a server that dies at any point after this
    // answer comes back reporting it failed, "execution lost: server restarted" (docs/protocol.md
    // §11.2). Durability::Process: the record is in place for a kill -9 of the server, and the
    // spawn does not wait for two fsyncs (≈ 7–10 ms, bench finding B7). A crash of the machine
    // may lose this record only (the execution is then unknown after the reboot, and its
    // processes died with the machine); the terminal status is written durably when it ends.
    persist(state_dir_, execution, Durability::Process);
    bool started = true;
    try {
        execution->attach(runtime->spawn(command, cwd.resolvedSandbox(), {}));
    } catch (const std::exception& e) {
        started = false;
        execution->finishNow(std::nullopt, std::string("could not start: ") + e.what());
    }
    OJson body;
    body["execution_id"] = info.id;
    // §4.1: the start answers "running" even when a quick command has already ended (polls
    // report the end), unless it could not start at all.
    body["status"] = started ? std::string("running") : execution->status();
    body["sandbox_id"] = sandbox_id;
    body["command"] = command;
    body["working_dir"] = info.working_dir;
    body["timeout_ms"] = timeout_ms;
    body["started_at"] = rfc3339(info.started_ms);
    body["next_step"] = "Poll the execution result endpoint using the execution_id";
    return body;
}

OJson ExecRegistry::poll(const std::string& execution_id, std::int64_t wait_ms,
                         const OJson& pending_invoice, std::optional<std::int64_t> since) {
    auto execution = find(execution_id);
    if (!execution)
        throw ApiError("not_found", "execution " + execution_id + " not found");
    bool took = false;
    auto body = execution->poll(wait_ms, pending_invoice, &took, since);
    if (took)
        onFinished(execution); // delivered chunks must not come back after a restart
    return body;
}

OJson ExecRegistry::cancel(const std::string& execution_id) {
    auto execution = find(execution_id);
    if (!execution)
        throw ApiError("not_found", "execution " + execution_id + " not found");
    OJson body;
    body["execution_id"] = execution_id;
    body["status"] = execution->cancel();
    return body;
}

std::optional<std::string> ExecRegistry::sandboxOf(const std::string& execution_id) {
    auto execution = find(execution_id);
    if (!execution)
        return std::nullopt;
    return execution->info().sandbox_id;
}

void ExecRegistry::pauseSandbox(const std::string& sandbox_id) {
    std::lock_guard lock(mutex_);
    for (const auto& [id, e] : executions_)
        if (e->info().sandbox_id == sandbox_id)
            e->pause();
}

void ExecRegistry::resumeSandbox(const std::string& sandbox_id) {
    std::lock_guard lock(mutex_);
    for (const auto& [id, e] : executions_)
        if (e->info().sandbox_id == sandbox_id)
            e->resume();
}

void ExecRegistry::terminateSandbox(const std::string& sandbox_id) {
    std::vector<std::shared_ptr<Execution>> victims;
    {
        std::lock_guard lock(mutex_);
        for (const auto& [id, e] : executions_)
            if (e->info().sandbox_id == sandbox_id && e->running())
                victims.push_back(e);
    }
    for (const auto& e : victims)
        e->finishNow(137, "sandbox terminated");
}

int ExecRegistry::runningCount(const std::string& credential) {
    std::lock_guard lock(mutex_);
    int n = 0;
    for (const auto& [id, e] : executions_)
        if (e->info().credential == credential && e->running())
            ++n;
    return n;
}

void ExecRegistry::shutdown() {
    std::lock_guard lock(mutex_);
    if (shut_down_)
        return;
    shut_down_ = true;
    for (const auto& [id, e] : executions_)
        e->detach();
}

} // namespace sockt::server
