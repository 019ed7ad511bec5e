#include "task_pool.hpp"

#include <chrono>
#include <thread>

namespace sockt::node {

namespace {
// Enough for hundreds of concurrent calls that mostly sleep in network waits; beyond it calls
// queue, they are not refused.
constexpr std::size_t kMaxThreads = 512;
constexpr auto kIdleExit = std::chrono::seconds(20);
} // namespace

TaskPool& TaskPool::instance() {
    // Leaked on purpose: see the header.
    static TaskPool* pool = new TaskPool(kMaxThreads);
    return *pool;
}

TaskPool::TaskPool(std::size_t max_threads) : max_threads_(max_threads) {}

void TaskPool::submit(std::function<void()> task) {
    bool spawn = false;
    {
        std::lock_guard<std::mutex> lock(mu_);
        queue_.push_back(std::move(task));
        if (idle_ < queue_.size() && threads_ < max_threads_) {
            ++threads_;
            spawn = true;
        }
    }
    if (spawn) {
        try {
            std::thread([this] { workerLoop(); }).detach();
            return;
        } catch (const std::system_error&) {
            // Out of threads: the task stays queued for an existing worker.
            std::lock_guard<std::mutex> lock(mu_);
            --threads_;
        }
    }
    cv_.notify_one();
}

void TaskPool::workerLoop() {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
        if (queue_.empty()) {
            ++idle_;
            bool woke = cv_.wait_for(lock, kIdleExit, [this] { return !queue_.empty(); });
            --idle_;
            if (!woke) {
                --threads_;
                return;
            }
        }
        std::function<void()> task = std::move(queue_.front());
        queue_.pop_front();
        lock.unlock();
        task();
        task = nullptr; // destroy captures before taking the lock again
        lock.lock();
    }
}

} // namespace sockt::node
