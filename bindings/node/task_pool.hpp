// Threads that run blocking core calls for JavaScript.
//
// Not libuv's pool: it has 4 threads shared with fs and dns, and an exec long-poll or a
// waitUntilRunning would hold one for minutes. This pool grows on demand (a blocked call never
// waits for another call to finish) up to a cap, and idle threads exit after a while. Threads are
// detached; the pool object is never destroyed (it lives until the process ends), so a thread
// still running at exit never touches a dead pool.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>

namespace sockt::node {

class TaskPool {
public:
    /// The process-wide pool.
    static TaskPool& instance();

    /// Runs `task` on a pool thread. Never blocks.
    void submit(std::function<void()> task);

private:
    explicit TaskPool(std::size_t max_threads);
    void workerLoop();

    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<std::function<void()>> queue_;
    std::size_t threads_ = 0;
    std::size_t idle_ = 0;
    std::size_t max_threads_;
};

} // namespace sockt::node
