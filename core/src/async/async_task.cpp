// runAsync / AsyncTask (sockt/async.hpp) on the fiber engine (async/fiber.hpp).
#include "sockt/async.hpp"

#include "async/fiber.hpp"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <stdexcept>

namespace sockt {

struct AsyncTask::State {
    CancelToken token;
    std::mutex mutex;
    std::condition_variable cv;
    bool done = false;
    std::exception_ptr error;
};

void AsyncTask::cancel() const {
    if (state_)
        state_->token.cancel();
}

bool AsyncTask::done() const {
    if (!state_)
        return true;
    std::lock_guard<std::mutex> lock(state_->mutex);
    return state_->done;
}

void AsyncTask::wait() const {
    if (!state_)
        return;
    if (detail::fiber::active())
        throw std::logic_error("AsyncTask::wait() called from inside a task");
    std::unique_lock<std::mutex> lock(state_->mutex);
    state_->cv.wait(lock, [this] { return state_->done; });
    if (state_->error)
        std::rethrow_exception(state_->error);
}

AsyncTask runAsync(std::function<void(const CancelToken&)> work) {
    if (!work)
        throw std::invalid_argument("runAsync: no function");
    AsyncTask task;
    task.state_ = std::make_shared<AsyncTask::State>();
    detail::fiber::spawn([state = task.state_, work = std::move(work)]() mutable {
        std::exception_ptr error;
        try {
            work(state->token);
        } catch (...) {
            error = std::current_exception();
        }
        work = nullptr; // its captures are released on the fiber, before waiters wake
        {
            std::lock_guard<std::mutex> lock(state->mutex);
            state->done = true;
            state->error = error;
        }
        state->cv.notify_all();
    });
    return task;
}

AsyncStats asyncStats() {
    auto s = detail::fiber::stats();
    AsyncStats out;
    out.threads = s.threads;
    out.started = s.started;
    out.finished = s.finished;
    return out;
}

} // namespace sockt
