// LoopBridge, the registry of running asynchronous calls, and their Python classes.
#include "async_call.hpp"

#include "bindings.hpp"

#include <algorithm>
#include <cstdint>
#include <sys/eventfd.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace sockt::python {

namespace {

std::mutex g_calls_mutex;
// Leaked: used until exit.
std::vector<std::shared_ptr<CallState>>* g_calls = new std::vector<std::shared_ptr<CallState>>();

// Runs one call on a fiber of its own; if no fiber can be had, its outcome is that error.
void spawnCall(PendingCall pending) {
    auto call = std::make_shared<PendingCall>(std::move(pending));
    try {
        runAsync([call](const CancelToken&) {
            call->run(nullptr);
            call->run = nullptr; // its captures go before the call counts as done
            call->state->done = true;
        });
    } catch (...) {
        call->run(std::current_exception());
        call->run = nullptr;
        call->state->done = true;
    }
}

} // namespace

LoopBridge::LoopBridge(py::object loop_ref) : loop_ref_(std::move(loop_ref)) {}

LoopBridge::~LoopBridge() {
    if (wake_fd_ >= 0)
        ::close(wake_fd_);
}

std::shared_ptr<LoopBridge> LoopBridge::create(py::object loop) {
    std::shared_ptr<LoopBridge> bridge(
        new LoopBridge(py::module_::import("weakref").attr("ref")(loop)));
    bridge->watch(loop);
    return bridge;
}

void LoopBridge::watch(const py::object& loop) {
    const int fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (fd < 0)
        return; // call_soon_threadsafe, then
    // The loop's reader: it drains, and its release (the loop closed, so its selector let go of
    // it) detaches the bridge. It holds the bridge, so the fd outlives its registration.
    struct Reader {
        std::shared_ptr<LoopBridge> bridge;
        bool armed = false;
        ~Reader() {
            if (armed)
                bridge->detach();
        }
    };
    auto reader = std::make_shared<Reader>();
    reader->bridge = shared_from_this();
    try {
        loop.attr("add_reader")(fd, py::cpp_function([reader] { reader->bridge->drain(); }));
    } catch (py::error_already_set&) {
        // No readers on this loop (a proactor loop raises NotImplementedError).
        ::close(fd);
        return;
    }
    reader->armed = true;
    wake_fd_ = fd; // before the bridge reaches any other thread
}

void LoopBridge::detach() {
    std::deque<std::function<void()>> dropped;
    std::lock_guard<std::mutex> lock(mutex_);
    detached_ = true;
    scheduled_ = false;
    dropped.swap(queue_);
    // `dropped` goes after the lock, with the GIL: its items may hold Python references.
}

void LoopBridge::post(std::function<void()> fn) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        // A detached bridge has no loop to run `fn`: it is dropped at return (its Python
        // references take the GIL themselves, SharedPyObject).
        if (detached_ || scheduled_) {
            if (!detached_)
                queue_.push_back(std::move(fn));
            return;
        }
        queue_.push_back(std::move(fn));
        scheduled_ = true;
    }
    signal();
}

void LoopBridge::signal() {
    if (wake_fd_ >= 0) {
        const std::uint64_t one = 1;
        (void)!::write(wake_fd_, &one, sizeof one);
        return;
    }
    if (interpreterFinalizing())
        return; // nothing may take the GIL now; the queue dies with the process
    PyGILState_STATE st = PyGILState_Ensure();
    try {
        py::object loop = loop_ref_.get()();
        if (loop.is_none())
            throw std::runtime_error("the event loop is gone");
        py::object self = py::cast(shared_from_this());
        loop.attr("call_soon_threadsafe")(self.attr("drain"));
    } catch (const std::exception&) {
        // The loop was closed or collected: nobody awaits these results any more.
        PyErr_Clear();
        detach();
    }
    PyGILState_Release(st);
}

void LoopBridge::drain() {
    // A burst (200 results at once) is delivered in slices of about a millisecond, each a loop
    // callback of its own, so the loop's timers and other tasks run between them.
    constexpr auto kSlice = std::chrono::milliseconds(1);
    const auto until = std::chrono::steady_clock::now() + kSlice;
    if (wake_fd_ >= 0) {
        // Cleared before the queue is taken: a post after this read finds scheduled_ false
        // below and signals again, so no wake-up is lost.
        std::uint64_t count;
        (void)!::read(wake_fd_, &count, sizeof count);
    }
    std::deque<std::function<void()>> ready;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        ready.swap(queue_);
        scheduled_ = false;
    }
    while (!ready.empty()) {
        if (std::chrono::steady_clock::now() >= until) {
            bool schedule = false;
            {
                std::lock_guard<std::mutex> lock(mutex_);
                // The rest goes before whatever arrived meanwhile: delivery order is kept.
                while (!ready.empty()) {
                    queue_.push_front(std::move(ready.back()));
                    ready.pop_back();
                }
                schedule = !scheduled_;
                scheduled_ = true;
            }
            if (schedule)
                signal();
            return;
        }
        try {
            ready.front()();
        } catch (py::error_already_set& e) {
            e.discard_as_unraisable("sockt: delivering an asynchronous result");
        }
        ready.pop_front(); // references die here, on the loop's thread
    }
}

void settle(const py::object& future, std::exception_ptr error,
            const std::function<py::object()>& make_value) {
    if (future.is_none() || future.attr("done")().cast<bool>())
        return;
    py::object value;
    if (!error) {
        try {
            value = make_value();
        } catch (...) {
            error = std::current_exception(); // the conversion failed
        }
    }
    if (error)
        future.attr("set_exception")(exceptionObject(error));
    else
        future.attr("set_result")(value);
}

void LoopBridge::launch(PendingCall call) {
    bool first;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        first = pending_.empty();
        pending_.push_back(std::move(call));
    }
    if (!first)
        return; // a flush is scheduled already
    // The flush runs after the callbacks this iteration has left. Its release starts what is
    // still queued too, so a loop closed (or a call_soon refused) before it ran leaves no call
    // unstarted: each runs and its outcome is dropped, as if started at once.
    struct Flush {
        std::shared_ptr<LoopBridge> bridge;
        ~Flush() { bridge->startPending(); }
    };
    auto flush = std::make_shared<Flush>(); // made in place: a copy's release would start it
    flush->bridge = shared_from_this();
    try {
        py::object loop = loop_ref_.get()();
        if (loop.is_none())
            return; // ~Flush starts it
        loop.attr("call_soon")(py::cpp_function([flush] { flush->bridge->startPending(); }));
    } catch (const std::exception&) {
        PyErr_Clear(); // a closed loop: ~Flush starts it
    }
}

void LoopBridge::startPending() {
    std::vector<PendingCall> batch;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        batch.swap(pending_);
    }
    for (auto& c : batch)
        c.state->launched = true;
    if (batch.size() <= 1) {
        for (auto& c : batch)
            spawnCall(std::move(c));
        return;
    }
    // One fiber hands the batch to the core: the loop's thread wakes an I/O thread once.
    auto shared = std::make_shared<std::vector<PendingCall>>(std::move(batch));
    try {
        runAsync([shared](const CancelToken&) {
            for (auto& c : *shared)
                spawnCall(std::move(c));
        });
    } catch (...) {
        for (auto& c : *shared)
            spawnCall(std::move(c));
    }
}

void trackCall(const std::shared_ptr<CallState>& call) {
    static std::size_t prune_at = 64;
    std::lock_guard<std::mutex> lock(g_calls_mutex);
    // Finished calls are dropped whenever the list has doubled since the last sweep: the list
    // stays within twice what runs, at a constant cost per call.
    if (g_calls->size() >= prune_at) {
        g_calls->erase(std::remove_if(g_calls->begin(), g_calls->end(),
                                      [](const auto& c) { return c->done.load(); }),
                       g_calls->end());
        prune_at = std::max<std::size_t>(64, g_calls->size() * 2);
    }
    g_calls->push_back(call);
}

void cancelAllCalls(Duration timeout) {
    std::vector<std::shared_ptr<CallState>> calls;
    {
        std::lock_guard<std::mutex> lock(g_calls_mutex);
        calls.swap(*g_calls);
    }
    for (const auto& c : calls)
        c->token.cancel();
    const auto until = std::chrono::steady_clock::now() + timeout;
    for (const auto& c : calls) {
        // Cancelled calls end within milliseconds; the bound keeps a stuck one from holding exit.
        // One its loop never handed to the core (the loop stopped first) never runs.
        while (c->launched && !c->done && std::chrono::steady_clock::now() < until)
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
}

void bindAsync(py::module_& m) {
    py::class_<LoopBridge, std::shared_ptr<LoopBridge>>(
        m, "LoopBridge", "Delivers results of asynchronous calls to one asyncio event loop.")
        .def(py::init(&LoopBridge::create), py::arg("loop"))
        .def("drain", &LoopBridge::drain)
        .def_property_readonly("watched", &LoopBridge::watched);
    py::class_<AsyncCall>(m, "AsyncCall", "A running asynchronous core call.")
        .def("cancel", &AsyncCall::cancel)
        .def_property_readonly("done", &AsyncCall::done);
    m.def("async_stats", [] {
        AsyncStats s = asyncStats();
        py::dict d;
        d["threads"] = s.threads;
        d["started"] = s.started;
        d["finished"] = s.finished;
        return d;
    });
    m.def(
        "_cancel_async_calls",
        [](double timeout) {
            Duration d = protocol::secondsArg(timeout, "timeout");
            py::gil_scoped_release release;
            cancelAllCalls(d);
        },
        py::arg("timeout") = 2.0);
}

} // namespace sockt::python
