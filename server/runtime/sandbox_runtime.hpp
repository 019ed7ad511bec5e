// One sandbox's processes: the bubblewrap instance + agent, exec children, shell PTYs, freeze,
// thaw and teardown (docs/protocol.md §2.4, §2.6, §4.1, §6.1 step 4, §11.4). Thread-safe.
#pragma once

#include "runtime/isolation.hpp"
#include "runtime/tier_limits.hpp"

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace sockt::server {

class AgentClient;
class HostUidLease;
class SandboxCgroup;
class SlirpNetwork;

struct RuntimeConfig {
    std::string sandbox_id;
    std::filesystem::path root; // <data>/sandboxes/<id>; home = root/"home", tmp = root/"tmp"
    IsolationMode isolation = IsolationMode::None;
    /// Picks the limits of runtime/tier_limits.hpp.
    std::string tier;
};

/// A process started inside a sandbox (an exec child or a shell). Its process group is its pid.
class SandboxProcess {
public:
    virtual ~SandboxProcess();
    SandboxProcess(const SandboxProcess&) = delete;
    SandboxProcess& operator=(const SandboxProcess&) = delete;

    /// Exit code, or 128+N when it died of signal N; nullopt while it runs.
    std::optional<int> exitStatus() const;
    /// Waits for the exit; true if it has exited.
    bool wait(std::chrono::milliseconds timeout) const;
    /// Readable (never drained by us) once the process has exited: lets reader threads poll()
    /// the exit together with the output descriptors.
    int exitEventFd() const;
    /// Sends `sig` to the process group (the whole command tree that stayed in the group).
    void signalGroup(int sig);

    /// The pid as the agent sees it (inside the sandbox's pid namespace in bwrap mode).
    int pid() const { return pid_; }

protected:
    SandboxProcess(std::shared_ptr<AgentClient> agent, int pid);

    struct ExitState {
        std::mutex mutex;
        std::condition_variable cv;
        std::optional<int> status;
        int event[2] = {-1, -1};
    };
    std::shared_ptr<AgentClient> agent_;
    int pid_;
    std::shared_ptr<ExitState> state_;

private:
    friend class AgentClient;
class HostUidLease;
class SandboxCgroup;
class SlirpNetwork;
    /// `raw` is a waitpid() status.
    void markExited(int raw);
};

/// `/bin/bash -lc -- <command>` with stdin /dev/null and two output pipes (§4.1).
class ExecProcess : public SandboxProcess {
public:
    ExecProcess(std::shared_ptr<AgentClient> agent, int pid, int stdout_fd, int stderr_fd);
    ~ExecProcess() override;
    /// Read ends of the pipes, owned by this object (non-blocking).
    int stdoutFd() const { return stdout_fd_; }
    int stderrFd() const { return stderr_fd_; }

private:
    int stdout_fd_;
    int stderr_fd_;
};

/// A login bash under a real PTY (§6.1 step 4).
class PtyProcess : public SandboxProcess {
public:
    PtyProcess(std::shared_ptr<AgentClient> agent, int pid, int master_fd);
    ~PtyProcess() override;
    /// The PTY master, owned by this object (blocking; read output, write input).
    int masterFd() const { return master_fd_; }
    void resize(int cols, int rows);
    /// Client went away (§6.4): SIGHUP to the shell's group, SIGKILL 2 s later if still alive.
    void hangup();

private:
    int master_fd_;
};

class SandboxRuntime : public std::enable_shared_from_this<SandboxRuntime> {
public:
    /// Creates `home` with exactly the `.bashrc` and `.profile` of §11.4 (existing files kept).
    static void seedHome(const std::filesystem::path& home);
    /// Boots the one bubblewrap instance (or the host agent in `none` mode). Creates root/"tmp"
    /// and the generated passwd/group files. Throws std::runtime_error with the reason on failure.
    static std::shared_ptr<SandboxRuntime> start(RuntimeConfig config);
    ~SandboxRuntime();

    /// Starts `/bin/bash -lc -- <command>` in `sandbox_cwd` (an already resolved sandbox path such as
    /// "/home/sandbox/src"; mapped to the real directory in `none` mode) with the env of §4.1 plus
    /// `extra_env`. Throws std::runtime_error("<reason>") when it cannot start (→ "could not
    /// start").
    std::shared_ptr<ExecProcess> spawn(const std::string& command, const std::string& sandbox_cwd,
                                       const std::map<std::string, std::string>& extra_env = {});
    /// `/bin/bash -l` under a PTY of cols×rows (80×24 when ≤ 0), cwd home, TERM=xterm-256color.
    std::shared_ptr<PtyProcess> openShell(int cols = 80, int rows = 24);

    /// SIGSTOP / SIGCONT every process of the sandbox (daemons in their own session included).
    void freeze();
    void thaw();
    bool frozen() const;
    /// Kills every process of the sandbox and the instance itself; returns once none remains.
    /// Idempotent. spawn/openShell afterwards throw.
    void shutdown();
    bool alive() const;

    const std::string& sandboxId() const { return config_.sandbox_id; }
    IsolationMode isolation() const { return config_.isolation; }
    /// The real home directory (root/"home").
    const std::filesystem::path& home() const { return home_; }
    /// Host pids of every process of the sandbox except the instance's own (bwrap, agent).
    std::vector<int> processIds() const;

private:
    explicit SandboxRuntime(RuntimeConfig config);
    void boot();
    void prepareHost(const TierLimits& limits);
    void launchAgent(int agent_socket, const TierLimits& limits);
    void connectAgent(int server_end);
    void startNetwork();
    std::filesystem::path logPath() const { return config_.root / "runtime.log"; }
    std::map<std::string, std::string> baseEnvironment() const;
    std::string hostCwd(const std::string& sandbox_cwd) const;
    /// The agent of a sandbox that is up; throws std::runtime_error once it is shut down.
    std::shared_ptr<AgentClient> runningAgent() const;

    RuntimeConfig config_;
    std::filesystem::path home_;
    std::unique_ptr<HostUidLease> ids_;    // bwrap as root: the sandbox's own host uids
    std::unique_ptr<SandboxCgroup> cgroup_; // null when the host allows no cgroup
    std::unique_ptr<SlirpNetwork> network_; // null: no network beyond the sandbox's loopback
    mutable std::mutex mutex_;
    std::shared_ptr<AgentClient> agent_;
    int launcher_pid_ = -1; // bwrap (outer) or the host agent: our direct child
    int agent_host_pid_ = -1;
    bool frozen_ = false;
    bool shut_down_ = false;
};

} // namespace sockt::server
