// The fiber engine (fiber.hpp): I/O threads, each with an epoll set, a timer queue and a run queue.
//
// A fiber waits by registering a WaitHandle with whatever can end the wait (its fd in the
// thread's epoll set, a timer, the CancelToken, a Notifier) and switching to its thread's
// scheduler. The first of those to fire marks the handle and puts the fiber on its thread's run
// queue; later ones find the handle marked and do nothing. Handles are shared_ptrs because a
// CancelToken or a Notifier may fire from another thread after the wait has ended.
#include "async/fiber.hpp"

#include "async/fiber_context.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <map>
#include <poll.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <thread>
#include <unistd.h>

namespace sockt::detail::fiber {

struct Worker;

struct Fiber {
    Context context;
    std::unique_ptr<Stack> stack;
    std::function<void()> fn;
    Worker* worker = nullptr;
    bool finished = false;
};

enum class Wake { None, Ready, Timeout, Cancelled, Notified };

struct WaitHandle {
    std::mutex mutex;
    Fiber* fiber = nullptr; // null once the wait has ended
    Wake reason = Wake::None;
};

namespace {

// Stacks kept for reuse: enough for a burst of a few hundred calls (an asyncio gather) to find
// its stacks mapped already; each holds only the pages its fibers touched (a few KiB).
constexpr std::size_t kStacksKept = 256;
constexpr auto kThreadSlice = std::chrono::milliseconds(50);

std::atomic<std::uint64_t> g_started{0};
std::atomic<std::uint64_t> g_finished{0};

// Stacks of finished fibers, reused by new ones (a mapping costs two syscalls and page faults).
struct StackPool {
    std::mutex mutex;
    std::vector<std::unique_ptr<Stack>> free;

    std::unique_ptr<Stack> take() {
        {
            std::lock_guard<std::mutex> lock(mutex);
            if (!free.empty()) {
                auto s = std::move(free.back());
                free.pop_back();
                return s;
            }
        }
        return std::make_unique<Stack>();
    }
    void give(std::unique_ptr<Stack> s) {
        std::lock_guard<std::mutex> lock(mutex);
        if (free.size() < kStacksKept)
            free.push_back(std::move(s));
    }
};

thread_local Worker* tls_worker = nullptr;

} // namespace

struct Worker {
    int epoll_fd = -1;
    int event_fd = -1;
    std::mutex mutex;
    std::vector<Fiber*> ready; // guarded by mutex
    // Everything below is touched by this worker's thread only.
    Context scheduler;
    Fiber* current = nullptr;
    std::multimap<Clock::time_point, std::shared_ptr<WaitHandle>> timers;

    Worker() {
        epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
        event_fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (epoll_fd < 0 || event_fd < 0)
            throw std::system_error(errno, std::system_category(), "sockt I/O thread setup");
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.ptr = nullptr; // nullptr marks the wake-up eventfd
        ::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, event_fd, &ev);
    }

    // Any thread. The fiber runs once this worker's scheduler gets to it. Only the push onto an
    // empty queue wakes the thread: a fuller queue has a wake-up pending already (or is being
    // run), so a burst of calls costs one eventfd write, not one each.
    void enqueue(Fiber* fiber) {
        bool was_empty;
        {
            std::lock_guard<std::mutex> lock(mutex);
            was_empty = ready.empty();
            ready.push_back(fiber);
        }
        if (was_empty && tls_worker != this) {
            std::uint64_t one = 1;
            (void)!::write(event_fd, &one, sizeof one);
        }
    }

    void run(Fiber* fiber);
    void loop();
    int nextTimeoutMs();
    void fireTimers();
};

namespace {

void wake(WaitHandle& handle, Wake why) {
    std::lock_guard<std::mutex> lock(handle.mutex);
    if (!handle.fiber || handle.reason != Wake::None)
        return;
    handle.reason = why;
    handle.fiber->worker->enqueue(handle.fiber);
}

void fiberEntry(void* arg) {
    auto* fiber = static_cast<Fiber*>(arg);
    Worker& worker = *fiber->worker;
    enteredContext(worker.scheduler);
    try {
        fiber->fn();
    } catch (...) {
        // spawn() callers handle their own errors; nothing may unwind past the fiber's base.
    }
    fiber->fn = nullptr; // captures die here, on the fiber, while it is still current
    fiber->finished = true;
    switchContext(fiber->context, worker.scheduler, true);
}

class Engine {
public:
    static Engine& instance() {
        // Leaked on purpose: threads may still run fibers while static destructors run at exit.
        static Engine* engine = new Engine();
        return *engine;
    }

    Worker& pick() { return *workers_[next_.fetch_add(1) % workers_.size()]; }
    std::size_t threads() const { return workers_.size(); }
    StackPool& stacks() { return stacks_; }

private:
    Engine() {
        const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
        const std::size_t count = std::min<std::size_t>(2, hw);
        for (std::size_t i = 0; i < count; ++i) {
            workers_.push_back(std::make_unique<Worker>());
            Worker* w = workers_.back().get();
            std::thread t([w] { w->loop(); });
            ::pthread_setname_np(t.native_handle(), "sockt-io");
            t.detach();
        }
    }

    std::vector<std::unique_ptr<Worker>> workers_;
    std::atomic<std::size_t> next_{0};
    StackPool stacks_;
};

// A handle owned by the current fiber: set before anything that may fire it sees the handle.
std::shared_ptr<WaitHandle> newHandle() {
    auto handle = std::make_shared<WaitHandle>();
    handle->fiber = tls_worker->current;
    return handle;
}

// Switches to the scheduler and returns why the current fiber was woken.
Wake suspend(const std::shared_ptr<WaitHandle>& handle) {
    Worker& worker = *tls_worker;
    Fiber* fiber = worker.current;
    switchContext(fiber->context, worker.scheduler);
    std::lock_guard<std::mutex> lock(handle->mutex);
    handle->fiber = nullptr;
    return handle->reason;
}

// One wait of the current fiber on any of: fd readiness, a time, a token, a notifier (the
// notifier registers the handle itself before calling this).
Wake waitFor(const std::shared_ptr<WaitHandle>& handle, int fd, short events,
             Clock::time_point until, const CancelToken& cancel) {
    Worker& worker = *tls_worker;
    bool registered = false;
    if (fd >= 0) {
        epoll_event ev{};
        ev.events = ((events & POLLIN) ? EPOLLIN : 0u) | ((events & POLLOUT) ? EPOLLOUT : 0u);
        ev.data.ptr = handle.get();
        registered = ::epoll_ctl(worker.epoll_fd, EPOLL_CTL_ADD, fd, &ev) == 0;
        if (!registered) {
            // Not pollable (or a bug upstream): report it ready and let the caller's I/O say.
            std::lock_guard<std::mutex> lock(handle->mutex);
            handle->fiber = nullptr;
            return Wake::Ready;
        }
    }
    auto timer = worker.timers.end();
    if (until != Clock::time_point::max())
        timer = worker.timers.emplace(until, handle);
    std::weak_ptr<WaitHandle> weak = handle;
    const std::uint64_t callback = cancel.onCancel([weak] {
        if (auto h = weak.lock())
            wake(*h, Wake::Cancelled);
    });
    Wake why = suspend(handle);
    cancel.removeCallback(callback);
    if (timer != worker.timers.end())
        worker.timers.erase(timer);
    if (registered)
        ::epoll_ctl(worker.epoll_fd, EPOLL_CTL_DEL, fd, nullptr);
    return why;
}

} // namespace

void Worker::run(Fiber* fiber) {
    current = fiber;
    switchContext(scheduler, fiber->context);
    current = nullptr;
    if (fiber->finished) {
        Engine::instance().stacks().give(std::move(fiber->stack));
        delete fiber;
        g_finished.fetch_add(1);
    }
}

int Worker::nextTimeoutMs() {
    {
        std::lock_guard<std::mutex> lock(mutex);
        if (!ready.empty())
            return 0;
    }
    if (timers.empty())
        return -1;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(timers.begin()->first -
                                                                      Clock::now());
    // Rounded up so a timer is never polled for before it is due.
    return static_cast<int>(std::max<long long>(0, left.count() + 1));
}

void Worker::fireTimers() {
    const auto now = Clock::now();
    for (auto it = timers.begin(); it != timers.end() && it->first <= now; ++it)
        wake(*it->second, Wake::Timeout); // erased by the woken fiber itself
}

void Worker::loop() {
    tls_worker = this;
    epoll_event events[64];
    std::vector<Fiber*> batch;
    while (true) {
        {
            std::lock_guard<std::mutex> lock(mutex);
            batch.swap(ready);
        }
        for (Fiber* f : batch)
            run(f);
        batch.clear();
        int n = ::epoll_wait(epoll_fd, events, 64, nextTimeoutMs());
        // Wake every fiber of this batch before running any: a fiber that runs removes its fd,
        // so no event of a later batch can name a handle that is gone.
        for (int i = 0; i < n; ++i) {
            if (events[i].data.ptr == nullptr) {
                std::uint64_t drained;
                (void)!::read(event_fd, &drained, sizeof drained);
                continue;
            }
            wake(*static_cast<WaitHandle*>(events[i].data.ptr), Wake::Ready);
        }
        fireTimers();
    }
}

bool active() {
    return tls_worker != nullptr && tls_worker->current != nullptr;
}

bool waitFd(int fd, short events, Clock::time_point until, const CancelToken& cancel) {
    auto handle = newHandle();
    return waitFor(handle, fd, events, until, cancel) == Wake::Ready;
}

bool sleepUntil(Clock::time_point until, const CancelToken& cancel) {
    if (cancel.cancelled())
        return false;
    auto handle = newHandle();
    return waitFor(handle, -1, 0, until, cancel) != Wake::Cancelled;
}

void spawn(std::function<void()> fn) {
    Engine& engine = Engine::instance();
    auto fiber = std::make_unique<Fiber>();
    fiber->stack = engine.stacks().take();
    fiber->fn = std::move(fn);
    fiber->worker = &engine.pick();
    makeContext(fiber->context, *fiber->stack, fiberEntry, fiber.get());
    g_started.fetch_add(1);
    fiber->worker->enqueue(fiber.release());
}

Stats stats() {
    Stats s;
    s.started = g_started.load();
    s.finished = g_finished.load();
    s.threads = s.started > 0 ? Engine::instance().threads() : 0;
    return s;
}

std::uint64_t Notifier::generation() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return generation_;
}

void Notifier::notifyAll() {
    std::vector<std::shared_ptr<WaitHandle>> waiting;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        ++generation_;
        waiting.swap(fibers_);
    }
    cv_.notify_all();
    for (auto& h : waiting)
        wake(*h, Wake::Notified);
}

bool Notifier::wait(std::uint64_t seen, Clock::time_point until, const CancelToken& cancel) {
    if (active()) {
        auto handle = newHandle();
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (generation_ != seen)
                return true;
            fibers_.push_back(handle);
        }
        Wake why = waitFor(handle, -1, 0, until, cancel);
        std::lock_guard<std::mutex> lock(mutex_);
        fibers_.erase(std::remove(fibers_.begin(), fibers_.end(), handle), fibers_.end());
        return why != Wake::Cancelled;
    }
    while (true) {
        // Checked outside the lock: a Python token's check hook takes the GIL.
        if (cancel.cancelled())
            return false;
        std::unique_lock<std::mutex> lock(mutex_);
        if (generation_ != seen)
            return true;
        const auto now = Clock::now();
        if (now >= until)
            return true;
        const auto slice = std::min<Clock::duration>(until - now, kThreadSlice);
        cv_.wait_for(lock, slice);
    }
}

} // namespace sockt::detail::fiber
