// CancelToken: a latch with a polled check hook and cancel callbacks (blocking calls
// wait in ≤ 50 ms slices so Python can run PyErr_CheckSignals and Node can abort).
#include "sockt/options.hpp"

#include "async/fiber.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>

namespace sockt {

struct CancelToken::State {
    std::mutex mutex;
    std::condition_variable cv;
    std::atomic<bool> cancelled{false};
    std::function<bool()> check;
    std::map<std::uint64_t, std::function<void()>> callbacks;
    std::uint64_t next_id = 1;

    void fire() {
        std::map<std::uint64_t, std::function<void()>> to_call;
        {
            std::lock_guard<std::mutex> lock(mutex);
            if (cancelled.exchange(true))
                return;
            to_call.swap(callbacks);
        }
        cv.notify_all();
        // Outside the lock: a callback may call removeCallback or cancelled().
        for (auto& [id, f] : to_call) {
            if (f)
                f();
        }
    }
};

namespace {
constexpr Duration kSlice{50};
}

CancelToken::CancelToken() : state_(std::make_shared<State>()) {}

void CancelToken::cancel() {
    state_->fire();
}

bool CancelToken::cancelled() const {
    if (state_->cancelled.load())
        return true;
    std::function<bool()> check;
    {
        std::lock_guard<std::mutex> lock(state_->mutex);
        check = state_->check;
    }
    if (check && check()) {
        state_->fire();
        return true;
    }
    return false;
}

void CancelToken::setCheck(std::function<bool()> check) {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->check = std::move(check);
}

bool CancelToken::sleepFor(Duration d) const {
    auto until = std::chrono::steady_clock::now() + d;
    if (detail::fiber::active())
        return detail::fiber::sleepUntil(until, *this); // suspends the fiber, not its thread
    while (true) {
        if (cancelled())
            return false;
        auto now = std::chrono::steady_clock::now();
        if (now >= until)
            return true;
        auto slice = std::min<std::chrono::steady_clock::duration>(until - now, kSlice);
        std::unique_lock<std::mutex> lock(state_->mutex);
        state_->cv.wait_for(lock, slice, [&] { return state_->cancelled.load(); });
    }
}

std::uint64_t CancelToken::onCancel(std::function<void()> f) const {
    {
        std::lock_guard<std::mutex> lock(state_->mutex);
        if (!state_->cancelled.load()) {
            std::uint64_t id = state_->next_id++;
            state_->callbacks.emplace(id, std::move(f));
            return id;
        }
    }
    if (f)
        f();
    return 0;
}

void CancelToken::removeCallback(std::uint64_t id) const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->callbacks.erase(id);
}

const CancelToken& CancelToken::none() {
    static const CancelToken token;
    return token;
}

} // namespace sockt
