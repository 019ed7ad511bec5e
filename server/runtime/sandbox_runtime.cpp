#include "runtime/sandbox_runtime.hpp"

#include "runtime/agent.hpp"
#include "runtime/agent_client.hpp"
#include "runtime/bwrap_command.hpp"
#include "runtime/launcher.hpp"
#include "runtime/process_tree.hpp"
#include "runtime/sandbox_cgroup.hpp"
#include "runtime/sandbox_network.hpp"
#include "runtime/user_namespace.hpp"
#include "sockt/protocol.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <ftw.h>
#include <iostream>
#include <signal.h>
#include <stdexcept>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <thread>
#include <unistd.h>

namespace fs = std::filesystem;

namespace sockt::server {
namespace {

constexpr auto kAgentBootTimeout = std::chrono::seconds(15);

int highFd(int fd) {
    // Out of the range posix_spawn's dup2 targets use (3, 4), so no mapping clobbers another.
    int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, 10);
    ::close(fd);
    if (moved < 0)
        throw std::runtime_error(std::string("fcntl: ") + std::strerror(errno));
    return moved;
}

void writeText(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out)
        throw std::runtime_error("cannot write " + path.string());
}

std::string readLog(const fs::path& path) {
    std::ifstream in(path);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
        text.pop_back();
    if (text.size() > 500)
        text = text.substr(text.size() - 500);
    return text;
}

/// Closes a descriptor unless released.
class FdGuard {
public:
    explicit FdGuard(int fd = -1) : fd_(fd) {}
    ~FdGuard() { reset(); }
    FdGuard(const FdGuard&) = delete;
    FdGuard& operator=(const FdGuard&) = delete;
    int get() const { return fd_; }
    void reset(int fd = -1) {
        if (fd_ >= 0)
            ::close(fd_);
        fd_ = fd;
    }

private:
    int fd_;
};

uid_t chown_target; // nftw passes no context

int chownEntry(const char* path, const struct stat* st, int, FTW*) {
    if (st->st_uid != chown_target || st->st_gid != chown_target)
        ::lchown(path, chown_target, chown_target);
    return 0;
}

/// Makes `dir` and everything below it belong to `uid` (gid alike) without following links: a
/// home that a previous run gave to another slot's uid comes back to this one.
void giveTo(const fs::path& dir, uid_t uid) {
    struct stat st;
    if (::lstat(dir.c_str(), &st) == 0 && st.st_uid == uid && st.st_gid == uid)
        return;
    static std::mutex mutex;
    std::lock_guard lock(mutex);
    chown_target = uid;
    ::nftw(dir.c_str(), chownEntry, 16, FTW_PHYS | FTW_MOUNT);
}

} // namespace

// ---- SandboxRuntime ---------------------------------------------------------------------------

void SandboxRuntime::seedHome(const fs::path& home) {
    fs::create_directories(home);
    fs::permissions(home, fs::perms(0755));
    // docs/protocol.md §11.4: exactly these two files.
    if (!fs::exists(home / ".profile"))
        writeText(home / ".profile",
                  "# ~/.profile: executed by login shells.\n"
                  "if [ -n \"$BASH_VERSION\" ] && [ -f \"$HOME/.bashrc\" ]; then . "
                  "\"$HOME/.bashrc\"; fi\n");
    if (!fs::exists(home / ".bashrc"))
        writeText(home / ".bashrc", "# ~/.bashrc: executed by bash for interactive shells.\n"
                                    "case $- in *i*) ;; *) return;; esac\n"
                                    "PS1='sandbox@sockt:\\w\\$ '\n");
}

SandboxRuntime::SandboxRuntime(RuntimeConfig config)
    : config_(std::move(config)), home_(config_.root / "home") {}

std::shared_ptr<SandboxRuntime> SandboxRuntime::start(RuntimeConfig config) {
    std::shared_ptr<SandboxRuntime> runtime(new SandboxRuntime(std::move(config)));
    runtime->boot();
    return runtime;
}

SandboxRuntime::~SandboxRuntime() {
    shutdown();
}

// Directories, the runtime log, and as root the sandbox's host uids and cgroup.
void SandboxRuntime::prepareHost(const TierLimits& limits) {
    const fs::path& root = config_.root;
    fs::create_directories(home_);
    fs::create_directories(root / "tmp");
    fs::permissions(root / "tmp", fs::perms(01777));
    std::error_code ec;
    fs::remove(logPath(), ec);
    if (::geteuid() == 0) {
        ids_ = HostUidLease::acquire(); // in `none` mode only its slot is used (the cgroup's name)
        cgroup_ = SandboxCgroup::create(ids_->slot(), limits);
    }
    if (config_.isolation == IsolationMode::Bwrap && ids_) {
        giveTo(home_, ids_->user());
        giveTo(root / "tmp", ids_->user());
    }
}

// Starts bubblewrap (or the host agent in `none` mode) with the agent's end of the socket pair as
// fd 3; sets launcher_pid_.
void SandboxRuntime::launchAgent(int agent_socket, const TierLimits& limits) {
    const bool bwrap = config_.isolation == IsolationMode::Bwrap;
    AgentOptions agent;
    agent.fd = 3;
    // Without cgroups, rlimits stand in; RLIMIT_NPROC counts per host uid, so it is only
    // meaningful when the sandbox has a uid of its own.
    if (bwrap && ids_)
        agent.rlimit_processes = limits.processes;
    if (!cgroup_)
        agent.rlimit_data = limits.memory_bytes;
    FdGuard userns;
    std::unique_ptr<BwrapLaunch> bwrap_launch;
    launcher::Launch host_launch;
    launcher::Launch* launch = &host_launch;
    if (bwrap) {
        if (ids_) { // as root: the sandbox's own uids
            agent.user_uid = kInsideUserUid;
            userns.reset(createSandboxUserNamespace(*ids_));
        }
        BwrapSpec spec;
        spec.home = fs::absolute(home_);
        spec.tmp = fs::absolute(config_.root / "tmp");
        spec.ids = ids_.get(); // null unless root
        spec.userns_fd = userns.get();
        spec.agent_socket = agent_socket;
        spec.agent_args = agentArguments(agent);
        bwrap_launch = std::make_unique<BwrapLaunch>(spec);
        launch = &bwrap_launch->launch();
    } else {
        agent.parent_pid = ::getpid();
        host_launch.argv = {"/proc/self/exe"};
        auto args = agentArguments(agent);
        host_launch.argv.insert(host_launch.argv.end(), args.begin(), args.end());
        host_launch.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"};
        host_launch.fds = {{agent_socket, 3}};
    }
    launch->stderr_path = logPath().string();
    if (cgroup_)
        launch->cgroup_procs_fds = cgroup_->procsFds();
    if (::geteuid() == 0)
        launch->oom_score_adj = -1000; // the agent outlives its sandbox's memory overrun
    launcher_pid_ = launcher::spawn(*launch);
}

// Waits for the agent's hello on `server_end` (owned from here on) and finds its host pid; on
// failure kills the launcher and throws with the runtime log's reason.
void SandboxRuntime::connectAgent(int server_end) {
    const bool bwrap = config_.isolation == IsolationMode::Bwrap;
    auto agent_client = std::make_shared<AgentClient>(server_end);
    bool ready = agent_client->start(kAgentBootTimeout);
    if (ready && !bwrap) {
        agent_host_pid_ = launcher_pid_;
    } else if (ready) {
        for (int i = 0; i < 200 && agent_host_pid_ < 0; ++i) {
            agent_host_pid_ = process_tree::findDescendantWithArg(launcher_pid_,
                                                                  kSandboxAgentMarker);
            if (agent_host_pid_ < 0)
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        ready = agent_host_pid_ > 0;
    }
    if (!ready) {
        agent_client->close();
        ::kill(launcher_pid_, SIGKILL);
        ::waitpid(launcher_pid_, nullptr, 0);
        launcher_pid_ = -1;
        std::string why = readLog(logPath());
        throw std::runtime_error("the sandbox runtime did not start" +
                                 (why.empty() ? std::string() : ": " + why));
    }
    agent_ = std::move(agent_client);
}

// slirp4netns for a bwrap sandbox; without it the sandbox keeps its own loopback only.
void SandboxRuntime::startNetwork() {
    if (config_.isolation != IsolationMode::Bwrap ||
        sandboxNetworkMode() != NetworkMode::Slirp4netns)
        return;
    std::optional<launcher::HostIdentity> as;
    if (ids_)
        as = launcher::HostIdentity{ids_->agent(), ids_->agent()};
    try {
        network_ = std::make_unique<SlirpNetwork>(agent_host_pid_, as, logPath());
    } catch (const std::exception& e) {
        // Never the host's network: the sandbox keeps its own loopback only.
        std::cerr << "sockt serve: sandbox " << config_.sandbox_id
                  << " has no network: " << e.what() << std::endl;
    }
}

void SandboxRuntime::boot() {
    const TierLimits& limits = tierLimits(config_.tier);
    prepareHost(limits);
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0)
        throw std::runtime_error(std::string("socketpair: ") + std::strerror(errno));
    int server_end = pair[0];
    {
        FdGuard agent_end(highFd(pair[1]));
        try {
            launchAgent(agent_end.get(), limits);
        } catch (...) {
            ::close(server_end);
            throw;
        }
    }
    connectAgent(server_end);
    startNetwork();
}

std::map<std::string, std::string> SandboxRuntime::baseEnvironment() const {
    // docs/protocol.md §4.1, exactly; HOME is the real directory in `none` isolation (§11.4).
    return {
        {"HOME", config_.isolation == IsolationMode::Bwrap ? std::string(protocol::kSandboxHome)
                                                           : fs::absolute(home_).string()},
        {"USER", "sandbox"},
        {"LOGNAME", "sandbox"},
        {"SHELL", "/bin/bash"},
        {"PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
        {"LANG", "C.UTF-8"},
        {"SOCKT_SANDBOX_ID", config_.sandbox_id},
    };
}

std::string SandboxRuntime::hostCwd(const std::string& sandbox_cwd) const {
    std::string home(protocol::kSandboxHome);
    std::string cwd = sandbox_cwd.empty() ? home : sandbox_cwd;
    if (config_.isolation == IsolationMode::Bwrap)
        return cwd;
    if (cwd == home)
        return fs::absolute(home_).string();
    if (cwd.rfind(home + "/", 0) == 0)
        return (fs::absolute(home_) / cwd.substr(home.size() + 1)).string();
    return cwd;
}

std::shared_ptr<AgentClient> SandboxRuntime::runningAgent() const {
    std::lock_guard lock(mutex_);
    if (shut_down_ || !agent_)
        throw std::runtime_error("the sandbox is not running");
    return agent_;
}

std::shared_ptr<ExecProcess>
SandboxRuntime::spawn(const std::string& command, const std::string& sandbox_cwd,
                      const std::map<std::string, std::string>& extra_env) {
    std::shared_ptr<AgentClient> agent = runningAgent();
    auto env = baseEnvironment();
    for (const auto& [k, v] : extra_env)
        env[k] = v;
    std::vector<std::string> envv;
    for (const auto& [k, v] : env)
        envv.push_back(k + "=" + v);
    auto spawned =
        agent->spawn(false, 0, 0, hostCwd(sandbox_cwd), {"/bin/bash", "-lc", "--", command}, envv);
    if (spawned.fds.size() != 2) {
        for (int fd : spawned.fds)
            ::close(fd);
        agent->signalGroup(spawned.pid, SIGKILL);
        throw std::runtime_error("the sandbox agent returned no output pipes");
    }
    auto process =
        std::make_shared<ExecProcess>(agent, spawned.pid, spawned.fds[0], spawned.fds[1]);
    agent->attach(spawned.pid, process);
    return process;
}

std::shared_ptr<PtyProcess> SandboxRuntime::openShell(int cols, int rows) {
    std::shared_ptr<AgentClient> agent = runningAgent();
    auto env = baseEnvironment();
    env["TERM"] = "xterm-256color";
    std::vector<std::string> envv;
    for (const auto& [k, v] : env)
        envv.push_back(k + "=" + v);
    auto spawned =
        agent->spawn(true, cols > 0 ? cols : 80, rows > 0 ? rows : 24,
                     hostCwd(std::string(protocol::kSandboxHome)), {"/bin/bash", "-l"}, envv);
    if (spawned.fds.size() != 1) {
        for (int fd : spawned.fds)
            ::close(fd);
        agent->signalGroup(spawned.pid, SIGKILL);
        throw std::runtime_error("the sandbox agent returned no pty");
    }
    auto process = std::make_shared<PtyProcess>(agent, spawned.pid, spawned.fds[0]);
    agent->attach(spawned.pid, process);
    return process;
}

void SandboxRuntime::freeze() {
    std::lock_guard lock(mutex_);
    if (shut_down_ || frozen_)
        return;
    process_tree::stopAll(agent_host_pid_);
    frozen_ = true;
}

void SandboxRuntime::thaw() {
    std::lock_guard lock(mutex_);
    if (shut_down_ || !frozen_)
        return;
    process_tree::continueAll(agent_host_pid_);
    frozen_ = false;
}

bool SandboxRuntime::frozen() const {
    std::lock_guard lock(mutex_);
    return frozen_;
}

void SandboxRuntime::shutdown() {
    std::shared_ptr<AgentClient> agent;
    int launcher_pid, agent_pid;
    {
        std::lock_guard lock(mutex_);
        if (shut_down_)
            return;
        shut_down_ = true;
        agent = std::move(agent_);
        launcher_pid = launcher_pid_;
        agent_pid = agent_host_pid_;
        launcher_pid_ = agent_host_pid_ = -1;
    }
    // Kill the tree while the agent still reaps (frozen processes die of SIGKILL too), then the
    // instance itself; in bwrap mode the pid namespace takes anything that slipped through.
    if (agent_pid > 0)
        process_tree::killAll(agent_pid, std::chrono::seconds(5));
    if (agent)
        agent->close();
    if (launcher_pid > 0) {
        ::kill(launcher_pid, SIGKILL);
        while (::waitpid(launcher_pid, nullptr, 0) < 0 && errno == EINTR) {
        }
    }
    network_.reset();
    cgroup_.reset(); // whatever escaped the process tree is still in the group
    ids_.reset();
}

bool SandboxRuntime::alive() const {
    std::lock_guard lock(mutex_);
    return !shut_down_ && agent_ && agent_->alive();
}

std::vector<int> SandboxRuntime::processIds() const {
    int agent_pid;
    {
        std::lock_guard lock(mutex_);
        agent_pid = agent_host_pid_;
    }
    return process_tree::descendants(agent_pid);
}

} // namespace sockt::server
