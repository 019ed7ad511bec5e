// Many core calls at once without a thread each: runAsync runs a function on one of the few I/O
// threads the core owns, as a fiber whose network waits and sleeps suspend it instead of the
// thread. Any blocking call of ComputeClient, Sandbox or ShellSession may be made inside it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>

#include "sockt/options.hpp"

namespace sockt {

/// A function started with runAsync. A cheap, copyable handle; thread-safe.
class AsyncTask {
public:
    AsyncTask() = default;

    /// Fires the task's CancelToken: the core call it is waiting in ends at once with
    /// CancelledError. No-op once done.
    void cancel() const;
    bool done() const;
    /// Blocks the calling thread until the function has returned, then rethrows an exception
    /// that escaped it. Never call it from inside a task (it would block an I/O thread).
    void wait() const;

private:
    friend AsyncTask runAsync(std::function<void(const CancelToken&)> work);
    struct State;
    std::shared_ptr<State> state_;
};

/// Runs `work(token)` on a core I/O thread and returns at once; pass `token` to the core calls it
/// makes so cancel() reaches them. `work` must block only inside core calls (no sleeps, no waits
/// on other threads, no lock held across a core call); whatever it needs to report it reports
/// itself, e.g. by calling a completion callback as its last step (that callback then runs on an
/// I/O thread and must be quick). Throws std::bad_alloc when no fiber stack can be allocated.
AsyncTask runAsync(std::function<void(const CancelToken&)> work);

struct AsyncStats {
    std::size_t threads = 0;     ///< I/O threads started so far (0 before the first task)
    std::uint64_t started = 0;   ///< tasks (and internal fibers) started
    std::uint64_t finished = 0;  ///< of those, how many have ended
};
AsyncStats asyncStats();

}  // namespace sockt
