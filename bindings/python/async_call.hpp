// Core calls for asyncio: each `*_async` method starts the same core call as
// its blocking twin on a fiber of the core's I/O threads (sockt::runAsync) and returns at once;
// the outcome travels back to the event loop's thread through that loop's LoopBridge. The I/O
// threads never take the GIL to deliver: they queue the outcome and signal an eventfd the loop
// watches (`loop.add_reader`), so a loop thread busy in Python neither stalls them nor loses the
// GIL to them. Everything Python — converting the result, calling the future's callback,
// dropping references — happens on the loop's thread.
#pragma once

#include "call.hpp"

#include <atomic>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>
#include <pybind11/pybind11.h>
#include <sockt/async.hpp>

namespace sockt::python {

namespace py = pybind11;

/// One asynchronous call: its cancel token and whether it has ended.
struct CallState {
    CancelToken token;
    std::atomic<bool> launched{false}; ///< handed to the core's I/O threads
    std::atomic<bool> done{false};     ///< ended, its outcome posted and its captures released
};

/// A call waiting for its start: `run(nullptr)` makes the call (on a fiber) and posts its outcome;
/// `run(error)` only posts `error` (no fiber could be had).
struct PendingCall {
    std::shared_ptr<CallState> state;
    std::function<void(std::exception_ptr)> run;
};

/// One asyncio event loop as seen from the core's threads. Holds only a weak reference to the
/// loop, so a loop that is gone drops what arrives for it. Thread-safe.
class LoopBridge : public std::enable_shared_from_this<LoopBridge> {
public:
    /// Loop thread, GIL held: the bridge of `loop`, watching its eventfd with `loop.add_reader`
    /// when the loop has readers (selector loops), else delivering through
    /// `loop.call_soon_threadsafe` (which takes the GIL on the posting thread).
    static std::shared_ptr<LoopBridge> create(py::object loop);
    ~LoopBridge();

    /// Any thread, GIL not held: queues `fn` to run on the loop's thread with the GIL, and asks
    /// the loop for a drain unless one is already pending (so a burst of completions costs one
    /// eventfd write). Items run in the order they were posted.
    void post(std::function<void()> fn);
    /// Loop thread, GIL held: runs what is queued.
    void drain();
    /// True when the loop watches the eventfd (no GIL on the posting threads).
    bool watched() const { return wake_fd_ >= 0; }
    /// Loop thread, GIL held: queues a call to be started with the others of this loop
    /// iteration, by one hand-over to the core from a `loop.call_soon` callback. 200 tasks
    /// starting in one iteration then wake the I/O threads once, not 200 times, so those threads
    /// do not take the CPU from the loop's thread in the middle of that iteration.
    void launch(PendingCall call);
    /// Starts what launch() queued. GIL held.
    void startPending();

private:
    explicit LoopBridge(py::object loop_ref);
    void watch(const py::object& loop);
    /// The loop dropped its reader (it was closed or the reader removed): what is queued and
    /// what arrives later is dropped, as nobody will drain it. GIL held.
    void detach();
    /// Asks the loop for a drain; called by whoever set scheduled_.
    void signal();

    // Used with the GIL only; the last reference to the bridge may go on an I/O thread, and
    // SharedPyObject then takes the GIL to drop this one.
    SharedPyObject loop_ref_;
    int wake_fd_ = -1; // closed by the destructor only: a post may write to it until then
    std::mutex mutex_;
    std::deque<std::function<void()>> queue_;
    bool scheduled_ = false;
    bool detached_ = false;
    std::vector<PendingCall> pending_; // guarded by mutex_
};

/// The Python handle of an asynchronous core call: cancel() ends its core wait at once.
class AsyncCall {
public:
    explicit AsyncCall(std::shared_ptr<CallState> state) : state_(std::move(state)) {}
    void cancel() const { state_->token.cancel(); }
    bool done() const { return state_->done.load(); }

private:
    std::shared_ptr<CallState> state_;
};

/// The Python exception object for a failure of a core call (the classes of sockt.errors).
py::object exceptionObject(std::exception_ptr error);

/// Calls still running, for the exit hook (cancel them, wait for them to end).
void trackCall(const std::shared_ptr<CallState>& call);
/// Cancels every call started through startAsync and waits up to `timeout` for them to end.
void cancelAllCalls(Duration timeout);

/// Settles `future` (an asyncio.Future, or None when nobody awaits the call) on the loop's thread:
/// with the error, else with `make_value()`, unless it is done already (its awaiter was
/// cancelled and has left). GIL held.
void settle(const py::object& future, std::exception_ptr error,
            const std::function<py::object()>& make_value);

/// Starts `work(token)` on a fiber (from the loop's next callback, see LoopBridge::launch). When
/// it ends, `convert(result)` runs on the loop's thread and its value, or the error, settles
/// `future` (settle()). `keep` (a Python object the work relies on, e.g. the native client) stays
/// referenced until then. Construct and call with the GIL held on the loop's thread; `work` and
/// `convert` hold no Python object.
template <class Work, class Convert>
AsyncCall startAsync(const std::shared_ptr<LoopBridge>& bridge, py::object future,
                     py::object keep, Work work, Convert convert) {
    using R = decltype(work(std::declval<const CancelToken&>()));
    using Slot = std::optional<std::conditional_t<std::is_void_v<R>, char, R>>;
    // The future and `keep` die on the loop's thread, with the delivery (or with the GIL taken
    // wherever the delivery is dropped).
    auto py_side = std::make_shared<std::pair<SharedPyObject, SharedPyObject>>(
        SharedPyObject(std::move(future)), SharedPyObject(std::move(keep)));
    auto state = std::make_shared<CallState>();
    auto run = [bridge, py_side, state, work = std::move(work),
                convert = std::move(convert)](std::exception_ptr error) mutable {
        auto result = std::make_shared<Slot>();
        if (!error) {
            try {
                if constexpr (std::is_void_v<R>) {
                    work(state->token);
                    result->emplace('\0');
                } else {
                    result->emplace(work(state->token));
                }
            } catch (...) {
                error = std::current_exception();
            }
        }
        bridge->post([py_side = std::move(py_side), result, error, convert]() mutable {
            settle(py_side->first.get(), error, [&]() -> py::object {
                if constexpr (std::is_void_v<R>)
                    return py::none();
                else
                    return convert(std::move(**result));
            });
        });
    };
    trackCall(state);
    bridge->launch(PendingCall{state, std::move(run)});
    return AsyncCall(state);
}

} // namespace sockt::python
