// LoopBridge, the registry of running asynchronous calls, and their Python classes.
#include "async_call.hpp"

#include "bindings.hpp"

#include <algorithm>
#include <thread>
#include <vector>

namespace sockt::python {

namespace {

std::mutex g_calls_mutex;
std::vector<AsyncTask>* g_calls = new std::vector<AsyncTask>(); // leaked: used until exit

} // namespace

LoopBridge::LoopBridge(py::object loop_ref) : loop_ref_(std::move(loop_ref)) {}

void LoopBridge::post(std::function<void()> fn) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        queue_.push_back(std::move(fn));
        if (scheduled_)
            return;
        scheduled_ = true;
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
        // The loop was closed or collected: nobody awaits these results any more. Drop them
        // here, with the GIL, as they may hold Python references.
        PyErr_Clear();
        std::deque<std::function<void()>> dropped;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            dropped.swap(queue_);
            scheduled_ = false;
        }
    }
    PyGILState_Release(st);
}

void LoopBridge::drain() {
    // A burst (200 results at once) is delivered in slices of about a millisecond, each a loop
    // callback of its own, so the loop's timers and other tasks run between them.
    constexpr auto kSlice = std::chrono::milliseconds(1);
    const auto until = std::chrono::steady_clock::now() + kSlice;
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
            if (schedule) {
                py::object loop = loop_ref_.get()();
                if (!loop.is_none())
                    loop.attr("call_soon")(py::cast(shared_from_this()).attr("drain"));
            }
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

void trackCall(const AsyncTask& task) {
    static std::size_t prune_at = 64;
    std::lock_guard<std::mutex> lock(g_calls_mutex);
    // Finished calls are dropped whenever the list has doubled since the last sweep: the list
    // stays within twice what runs, at a constant cost per call.
    if (g_calls->size() >= prune_at) {
        g_calls->erase(std::remove_if(g_calls->begin(), g_calls->end(),
                                      [](const AsyncTask& t) { return t.done(); }),
                       g_calls->end());
        prune_at = std::max<std::size_t>(64, g_calls->size() * 2);
    }
    g_calls->push_back(task);
}

void cancelAllCalls(Duration timeout) {
    std::vector<AsyncTask> calls;
    {
        std::lock_guard<std::mutex> lock(g_calls_mutex);
        calls.swap(*g_calls);
    }
    for (const auto& c : calls)
        c.cancel();
    const auto until = std::chrono::steady_clock::now() + timeout;
    for (const auto& c : calls) {
        // Cancelled calls end within milliseconds; the bound keeps a stuck one from holding exit.
        while (!c.done() && std::chrono::steady_clock::now() < until)
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
}

void bindAsync(py::module_& m) {
    py::class_<LoopBridge, std::shared_ptr<LoopBridge>>(
        m, "LoopBridge", "Delivers results of asynchronous calls to one asyncio event loop.")
        .def(py::init<py::object>(), py::arg("loop_ref"))
        .def("drain", &LoopBridge::drain);
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
