// The agent runs single-threaded inside the sandbox: it forks every exec and shell (so they all
// live in the one bubblewrap instance, docs/protocol.md §11.4), hands their pipe / PTY descriptors
// back over the socket, reports exit statuses, signals process groups, and reaps orphans as a
// subreaper so that every sandbox process stays below it (freeze and teardown walk that tree).
#include "runtime/agent.hpp"

#include "runtime/agent_protocol.hpp"
#include "runtime/child_failure.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <poll.h>
#include <set>
#include <signal.h>
#include <string>
#include <sys/ioctl.h>
#include <linux/capability.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include <vector>

namespace sockt::server {
namespace {

namespace wire = agent_wire;

constexpr int kAgentSocketFd = 3;

/// Drops a forked child to the sandbox user: no supplementary groups, the user's uid and gid,
/// no capabilities left in any set, limits where no cgroup enforces them. Async-signal-safe.
void becomeSandboxUser(const AgentOptions& o, int errpipe) {
    // Sandbox processes rank first for the OOM killer, inside their cgroup and on the host: a
    // memory overrun kills the command, never the agent or the server (docs/protocol.md §11.4).
    // Raising needs no privilege.
    int oom = ::open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
    if (oom >= 0) {
        ssize_t ignored = ::write(oom, "1000", 4);
        (void)ignored;
        ::close(oom);
    }
    if (o.user_uid >= 0) {
        if (::syscall(SYS_setgroups, 0, nullptr) != 0 ||
            ::syscall(SYS_setresgid, o.user_uid, o.user_uid, o.user_uid) != 0 ||
            ::syscall(SYS_setresuid, o.user_uid, o.user_uid, o.user_uid) != 0)
            childFail(errpipe, "setuid");
        ::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
        __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
        __user_cap_data_struct none[2] = {};
        if (::syscall(SYS_capset, &header, none) != 0)
            childFail(errpipe, "capset");
    }
    if (o.rlimit_processes > 0) {
        rlimit r{o.rlimit_processes, o.rlimit_processes};
        if (::setrlimit(RLIMIT_NPROC, &r) != 0)
            childFail(errpipe, "setrlimit");
    }
    if (o.rlimit_data > 0) {
        rlimit r{o.rlimit_data, o.rlimit_data};
        if (::setrlimit(RLIMIT_DATA, &r) != 0)
            childFail(errpipe, "setrlimit");
    }
}

class Agent {
public:
    Agent(int sock, const AgentOptions& options) : sock_(sock), options_(options) {}

    int run() {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGCHLD);
        sigprocmask(SIG_BLOCK, &set, nullptr);
        sigfd_ = ::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
        if (sigfd_ < 0)
            return 1;
        if (!wire::send(sock_, {wire::Type::Ready, {std::to_string(::getpid())}, {}}))
            return 1;
        for (;;) {
            pollfd fds[2] = {{sock_, POLLIN, 0}, {sigfd_, POLLIN, 0}};
            if (::poll(fds, 2, -1) < 0) {
                if (errno == EINTR)
                    continue;
                return 1;
            }
            if (fds[1].revents)
                reap();
            if (fds[0].revents) {
                wire::Message m;
                if (!wire::receive(sock_, m))
                    return 0; // the server closed us: the instance ends (§2.6)
                handle(m);
            }
        }
    }

private:
    void reap() {
        signalfd_siginfo info;
        while (::read(sigfd_, &info, sizeof(info)) == sizeof(info)) {
        }
        for (;;) {
            int status = 0;
            pid_t pid = ::waitpid(-1, &status, WNOHANG);
            if (pid <= 0)
                break;
            // Orphans reparented to us (we are a subreaper) are reaped silently.
            if (children_.erase(pid))
                wire::send(sock_,
                           {wire::Type::Exited, {std::to_string(pid), std::to_string(status)}, {}});
        }
    }

    void handle(wire::Message& m) {
        for (int fd : m.fds)
            ::close(fd);
        if (m.type == wire::Type::Signal && m.fields.size() == 2) {
            int pid = std::atoi(m.fields[0].c_str());
            int sig = std::atoi(m.fields[1].c_str());
            if (pid > 1)
                ::kill(-pid, sig);
            return;
        }
        if (m.type == wire::Type::Spawn)
            spawn(m.fields);
    }

    void fail(const std::string& req, const std::string& reason) {
        wire::send(sock_, {wire::Type::SpawnFailed, {req, reason}, {}});
    }

    void spawn(const std::vector<std::string>& f) {
        if (f.size() < 6) {
            fail(f.empty() ? "" : f[0], "malformed spawn request");
            return;
        }
        const std::string& req = f[0];
        bool pty = f[1] == "pty";
        int cols = std::atoi(f[2].c_str()), rows = std::atoi(f[3].c_str());
        const std::string& cwd = f[4];
        std::size_t argc = static_cast<std::size_t>(std::atoi(f[5].c_str()));
        if (argc == 0 || 6 + argc > f.size()) {
            fail(req, "malformed spawn request");
            return;
        }
        std::vector<char*> argv, envp;
        for (std::size_t i = 0; i < argc; ++i)
            argv.push_back(const_cast<char*>(f[6 + i].c_str()));
        argv.push_back(nullptr);
        for (std::size_t i = 6 + argc; i < f.size(); ++i)
            envp.push_back(const_cast<char*>(f[i].c_str()));
        envp.push_back(nullptr);

        int out[2] = {-1, -1}, err[2] = {-1, -1}, errpipe[2] = {-1, -1};
        int master = -1;
        std::string slave_name;
        auto closeAll = [&] {
            for (int fd : {out[0], out[1], err[0], err[1], errpipe[0], errpipe[1], master})
                if (fd >= 0)
                    ::close(fd);
        };
        if (::pipe2(errpipe, O_CLOEXEC) != 0) {
            fail(req, std::strerror(errno));
            return;
        }
        if (pty) {
            // devpts gives the new terminal the opener's fsuid/fsgid: the sandbox user's, so the
            // shell can open it once it runs as that user.
            if (options_.user_uid >= 0) {
                ::setfsuid(static_cast<uid_t>(options_.user_uid));
                ::setfsgid(static_cast<gid_t>(options_.user_uid));
            }
            master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
            if (options_.user_uid >= 0) {
                ::setfsuid(::geteuid());
                ::setfsgid(::getegid());
            }
            if (master < 0 || ::grantpt(master) != 0 || ::unlockpt(master) != 0) {
                fail(req, std::string("cannot open a pty: ") + std::strerror(errno));
                closeAll();
                return;
            }
            char name[128];
            if (::ptsname_r(master, name, sizeof(name)) != 0) {
                fail(req, std::string("cannot open a pty: ") + std::strerror(errno));
                closeAll();
                return;
            }
            slave_name = name;
            winsize ws{};
            ws.ws_col = static_cast<unsigned short>(cols > 0 ? cols : 80);
            ws.ws_row = static_cast<unsigned short>(rows > 0 ? rows : 24);
            ::ioctl(master, TIOCSWINSZ, &ws);
        } else if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
            fail(req, std::strerror(errno));
            closeAll();
            return;
        }

        pid_t pid = ::fork();
        if (pid < 0) {
            fail(req, std::string("fork: ") + std::strerror(errno));
            closeAll();
            return;
        }
        if (pid == 0) {
            // Child: only async-signal-safe calls from here on.
            sigset_t none;
            sigemptyset(&none);
            sigprocmask(SIG_SETMASK, &none, nullptr);
            // Ignored dispositions survive exec: restore every one the agent ignores, or Ctrl-C in
            // a shell and the SIGHUP of a closed shell (docs/protocol.md §6.4) would not reach
            // programs.
            ::signal(SIGPIPE, SIG_DFL);
            ::signal(SIGHUP, SIG_DFL);
            ::signal(SIGINT, SIG_DFL);
            ::prctl(PR_SET_CHILD_SUBREAPER, 0);
            if (::setsid() < 0)
                childFail(errpipe[1], "setsid");
            becomeSandboxUser(options_, errpipe[1]);
            if (pty) {
                int slave = ::open(slave_name.c_str(), O_RDWR);
                if (slave < 0)
                    childFail(errpipe[1], "open pty");
                ::ioctl(slave, TIOCSCTTY, 0);
                ::dup2(slave, 0);
                ::dup2(slave, 1);
                ::dup2(slave, 2);
                if (slave > 2)
                    ::close(slave);
            } else {
                int devnull = ::open("/dev/null", O_RDONLY);
                if (devnull < 0)
                    childFail(errpipe[1], "open /dev/null");
                ::dup2(devnull, 0);
                ::dup2(out[1], 1);
                ::dup2(err[1], 2);
                if (devnull > 2)
                    ::close(devnull);
            }
            if (::chdir(cwd.c_str()) != 0)
                childFail(errpipe[1], "chdir");
            ::execve(argv[0], argv.data(), envp.data());
            childFail(errpipe[1], "exec");
        }
        children_.insert(pid);
        ::close(errpipe[1]);
        errpipe[1] = -1;
        if (auto failure = readChildFailure(errpipe[0])) {
            // The child reported a failure before exec: report it instead of an exit.
            int status;
            ::waitpid(pid, &status, 0);
            children_.erase(pid);
            fail(req, *failure);
            closeAll();
            return;
        }
        std::vector<int> fds = pty ? std::vector<int>{master} : std::vector<int>{out[0], err[0]};
        wire::send(sock_, {wire::Type::Spawned, {req, std::to_string(pid)}, fds});
        closeAll();
    }

    int sock_;
    AgentOptions options_;
    int sigfd_ = -1;
    std::set<pid_t> children_;
};

int runAgent(AgentOptions options) {
    int sock = options.fd;
    long expected_parent = options.parent_pid;
    // Keep orphans (daemons, `nohup … &`) below us, so freeze and teardown find them (§2.4).
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);
    if (expected_parent > 0) {
        // `none` isolation: no pid namespace ends us with the server, so ask for it.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != static_cast<pid_t>(expected_parent))
            return 1;
    }
    ::signal(SIGPIPE, SIG_IGN);
    ::signal(SIGHUP, SIG_IGN);
    ::signal(SIGINT, SIG_IGN);
    ::signal(SIGTERM, SIG_DFL);
    // Descriptors the server leaked into us (listening sockets, state files) must never reach a
    // sandbox process.
    if (sock != kAgentSocketFd) {
        if (::dup2(sock, kAgentSocketFd) < 0)
            return 1;
        sock = kAgentSocketFd;
    }
    ::syscall(SYS_close_range, kAgentSocketFd + 1, ~0U, 0);
    ::fcntl(sock, F_SETFD, FD_CLOEXEC);
    options.fd = sock;
    return Agent(sock, options).run();
}

bool isAgentInvocation(int argc, char** argv) {
    return argc >= 3 && argv[1] && std::strcmp(argv[1], kSandboxAgentMarker) == 0;
}

// Runs the agent before main() of whatever binary links the server library (see agent.hpp).
const bool kStaticDispatch = [] {
    std::ifstream in("/proc/self/cmdline", std::ios::binary);
    std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<std::string> args;
    std::size_t pos = 0;
    while (pos < all.size()) {
        std::size_t end = all.find('\0', pos);
        if (end == std::string::npos)
            end = all.size();
        args.push_back(all.substr(pos, end - pos));
        pos = end + 1;
    }
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    int rc = maybeRunSandboxAgent(static_cast<int>(args.size()), argv.data());
    if (rc >= 0)
        ::_exit(rc);
    return false;
}();

} // namespace

int maybeRunSandboxAgent(int argc, char** argv) {
    if (!isAgentInvocation(argc, argv))
        return -1;
    // argv: <exe> __sandbox-agent <fd> <parent pid> <user uid> <nproc> <data bytes>
    AgentOptions o;
    o.fd = std::atoi(argv[2]);
    if (argc >= 4)
        o.parent_pid = std::atol(argv[3]);
    if (argc >= 5)
        o.user_uid = std::atol(argv[4]);
    if (argc >= 6)
        o.rlimit_processes = std::strtoull(argv[5], nullptr, 10);
    if (argc >= 7)
        o.rlimit_data = std::strtoull(argv[6], nullptr, 10);
    return runAgent(o);
}

std::vector<std::string> agentArguments(const AgentOptions& o) {
    return {kSandboxAgentMarker,
            std::to_string(o.fd),
            std::to_string(o.parent_pid),
            std::to_string(o.user_uid),
            std::to_string(o.rlimit_processes),
            std::to_string(o.rlimit_data)};
}

} // namespace sockt::server
