#include "runtime/launcher.hpp"

#include <condition_variable>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <functional>
#include <future>
#include <mutex>
#include <signal.h>
#include <spawn.h>
#include <stdexcept>
#include <thread>

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

int spawn(const Launch& launch) {
    std::vector<char*> argv, envp;
    for (const auto& a : launch.argv)
        argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    for (const auto& e : launch.env)
        envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(
        &actions, 2, launch.stderr_path.empty() ? "/dev/null" : launch.stderr_path.c_str(),
        O_WRONLY | O_CREAT | O_APPEND, 0600);
    int highest = 2;
    for (const auto& [from, to] : launch.fds) {
        // dup2 onto itself would keep FD_CLOEXEC; the targets are always ≥ 3 and distinct.
        posix_spawn_file_actions_adddup2(&actions, from, to);
        highest = std::max(highest, to);
    }
    // Nothing else of the server (listening sockets, state files) may leak into a sandbox.
    posix_spawn_file_actions_addclosefrom_np(&actions, highest + 1);

    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

    pid_t pid = -1;
    int rc = 0;
    LauncherThread::instance().run(
        [&] { rc = ::posix_spawn(&pid, argv[0], &actions, &attr, argv.data(), envp.data()); });
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (rc != 0)
        throw std::runtime_error("cannot start " + launch.argv[0] + ": " + std::strerror(rc));
    return pid;
}

} // namespace sockt::server::launcher
