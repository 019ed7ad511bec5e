#include "runtime/launcher.hpp"

#include "runtime/child_failure.hpp"

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <functional>
#include <future>
#include <linux/close_range.h>
#include <mutex>
#include <sched.h>
#include <signal.h>
#include <stdexcept>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace sockt::server::launcher {
namespace {

class LauncherThread {
public:
    static LauncherThread& instance() {
        // Deliberately leaked and detached: it must outlive every child it started.
        static auto* thread = new LauncherThread();
        return *thread;
    }

    void run(std::function<void()> task) {
        std::packaged_task<void()> job(std::move(task));
        auto done = job.get_future();
        {
            std::lock_guard lock(mutex_);
            jobs_.push_back(std::move(job));
        }
        cv_.notify_one();
        done.get();
    }

private:
    LauncherThread() {
        std::thread([this] {
            for (;;) {
                std::packaged_task<void()> job;
                {
                    std::unique_lock lock(mutex_);
                    cv_.wait(lock, [&] { return !jobs_.empty(); });
                    job = std::move(jobs_.front());
                    jobs_.pop_front();
                }
                job();
            }
        }).detach();
    }

    std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<std::packaged_task<void()>> jobs_;
};

} // namespace

namespace {

bool writeAll(int fd, const char* text) {
    std::size_t len = std::strlen(text);
    return ::write(fd, text, len) == static_cast<ssize_t>(len);
}

/// Appends the decimal digits of `n` ≥ 0 to the C string `buf` (async-signal-safe).
void appendNumber(char* buf, int n) {
    char digits[12];
    int len = 0;
    do {
        digits[len++] = static_cast<char>('0' + n % 10);
        n /= 10;
    } while (n > 0);
    std::size_t end = std::strlen(buf);
    while (len > 0)
        buf[end++] = digits[--len];
    buf[end] = 0;
}

constexpr std::size_t kMaxStaged = 32;

// Sources are moved above every target first, so no dup2 onto a target clobbers a source.
constexpr int kRelocateBase = 64;

/// The child between fork and exec: async-signal-safe calls only (the server is multi-threaded).
[[noreturn]] void runChild(const Launch& launch, char* const* argv, char* const* envp,
                           const char* oom_text, int err_pipe) {
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; ++sig)
        ::sigaction(sig, &dfl, nullptr);

    for (int fd : launch.cgroup_procs_fds)
        if (!writeAll(fd, "0"))
            childFail(err_pipe, "join cgroup");
    if (oom_text) {
        // Best effort: lowering needs CAP_SYS_RESOURCE, which a root without it (a container)
        // lacks; sandbox processes then still rank first because they raise theirs (agent.cpp).
        int fd = ::open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
        if (fd >= 0) {
            (void)writeAll(fd, oom_text);
            ::close(fd);
        }
    }
    // Before any mount below can hide the log's folder.
    int in = ::open("/dev/null", O_RDONLY);
    int out = ::open("/dev/null", O_WRONLY);
    int err = launch.stderr_path.empty()
                  ? ::open("/dev/null", O_WRONLY)
                  : ::open(launch.stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (launch.private_tun || !launch.staged.empty()) {
        if (::unshare(CLONE_NEWNS) != 0 ||
            ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
            childFail(err_pipe, "private mount namespace");
    }
    if (!launch.staged.empty()) {
        // Opened before the tmpfs hides kStagingDir (a host path may lie below it) and after
        // unshare (a bind source must belong to this mount namespace).
        int fds[kMaxStaged];
        for (std::size_t i = 0; i < launch.staged.size(); ++i) {
            fds[i] = ::open(launch.staged[i].host_path.c_str(), O_PATH | O_CLOEXEC);
            if (fds[i] < 0)
                childFail(err_pipe, "stage");
        }
        if (::mount("tmpfs", kStagingDir, "tmpfs", MS_NOSUID | MS_NODEV, "mode=755") != 0)
            childFail(err_pipe, "staging tmpfs");
        for (std::size_t i = 0; i < launch.staged.size(); ++i) {
            const char* path = launch.staged[i].path.c_str();
            struct stat st;
            if (::fstat(fds[i], &st) != 0)
                childFail(err_pipe, "stage");
            if (S_ISDIR(st.st_mode) ? ::mkdir(path, 0755) != 0
                                    : ::mknod(path, S_IFREG | 0644, 0) != 0)
                childFail(err_pipe, "stage");
            char source[32] = "/proc/self/fd/";
            appendNumber(source, fds[i]);
            if (::mount(source, path, nullptr, MS_BIND, nullptr) != 0)
                childFail(err_pipe, "stage bind");
            ::close(fds[i]);
        }
    }
    if (launch.private_tun) {
        if (::mount("tmpfs", "/dev/net", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=755") != 0)
            childFail(err_pipe, "private /dev/net");
        if (::mknod("/dev/net/tun", S_IFCHR | 0600, makedev(10, 200)) != 0 ||
            (launch.run_as &&
             ::chown("/dev/net/tun", launch.run_as->uid, launch.run_as->gid) != 0))
            childFail(err_pipe, "private /dev/net/tun");
    }

    int high_err = ::fcntl(err_pipe, F_DUPFD_CLOEXEC, kRelocateBase);
    if (high_err < 0)
        childFail(err_pipe, "fcntl");
    err_pipe = high_err;
    int moved[32];
    std::size_t count = std::min<std::size_t>(launch.fds.size(), 32);
    for (std::size_t i = 0; i < count; ++i) {
        moved[i] = ::fcntl(launch.fds[i].first, F_DUPFD_CLOEXEC, kRelocateBase);
        if (moved[i] < 0)
            childFail(err_pipe, "fcntl");
    }
    if (in < 0 || out < 0 || err < 0 || ::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 ||
        ::dup2(err, 2) < 0)
        childFail(err_pipe, "stdio");
    for (int fd : {in, out, err})
        if (fd > 2)
            ::close(fd);
    int highest = 2;
    for (std::size_t i = 0; i < count; ++i) {
        int to = launch.fds[i].second;
        if (::dup2(moved[i], to) < 0)
            childFail(err_pipe, "dup2");
        highest = std::max(highest, to);
    }
    // Nothing else of the server (listening sockets, state files, other sandboxes' descriptors)
    // may leak into a child; the error pipe stays open until exec succeeds.
    if (::syscall(SYS_close_range, highest + 1, ~0U, CLOSE_RANGE_CLOEXEC) != 0)
        childFail(err_pipe, "close_range");

    if (launch.run_as) {
        if (::syscall(SYS_setgroups, 0, nullptr) != 0 ||
            ::syscall(SYS_setresgid, launch.run_as->gid, launch.run_as->gid,
                      launch.run_as->gid) != 0 ||
            ::syscall(SYS_setresuid, launch.run_as->uid, launch.run_as->uid,
                      launch.run_as->uid) != 0)
            childFail(err_pipe, "drop to the sandbox uid");
    }
    ::execve(argv[0], argv, envp);
    childFail(err_pipe, "exec");
}

} // namespace

int spawn(const Launch& launch) {
    if (launch.fds.size() > 32 || launch.staged.size() > kMaxStaged)
        throw std::runtime_error("cannot start " + launch.argv[0] + ": too many descriptors");
    for (const auto& [from, to] : launch.fds)
        if (to < 3 || to >= kRelocateBase)
            throw std::runtime_error("cannot start " + launch.argv[0] + ": bad descriptor target");
    std::vector<char*> argv, envp;
    for (const auto& a : launch.argv)
        argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    for (const auto& e : launch.env)
        envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    std::string oom = launch.oom_score_adj ? std::to_string(*launch.oom_score_adj) : "";

    int err_pipe[2];
    if (::pipe2(err_pipe, O_CLOEXEC) != 0)
        throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    pid_t pid = -1;
    int fork_errno = 0;
    LauncherThread::instance().run([&] {
        pid = ::fork();
        if (pid == 0)
            runChild(launch, argv.data(), envp.data(), launch.oom_score_adj ? oom.c_str() : nullptr,
                     err_pipe[1]);
        fork_errno = errno;
    });
    ::close(err_pipe[1]);
    if (pid < 0) {
        ::close(err_pipe[0]);
        throw std::runtime_error("cannot start " + launch.argv[0] + ": fork: " +
                                 std::strerror(fork_errno));
    }
    auto failure = readChildFailure(err_pipe[0]);
    ::close(err_pipe[0]);
    if (failure) {
        while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
        }
        throw std::runtime_error("cannot start " + launch.argv[0] + ": " + *failure);
    }
    return pid;
}

} // namespace sockt::server::launcher
