// INTERNAL: fibers on a few I/O threads owned by the core — the engine behind sockt::runAsync and
// the parallel file transfers.
//
// Why fibers: every core call (retries, status waits, exec long-polls, transfers) is written as
// plain blocking code whose waits sit in a handful of places (the socket waits of wire_io.cpp and
// session_factory.cpp, CancelToken::sleepFor, the shell's frame queue). On a fiber those waits
// suspend the fiber instead of its thread, so hundreds of calls in flight share two threads, and
// the blocking and the asynchronous API run the same code instead of two implementations.
//
// Rules for code running on a fiber: block only through the waits below (never sleep, never wait
// on another thread's condition variable), hold no lock across a wait, and expect to stay on the
// thread the fiber started on (fibers never migrate, so thread-locals stay valid).
#pragma once

#include "sockt/options.hpp"

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace sockt::detail::fiber {

using Clock = std::chrono::steady_clock;

/// True when the caller runs on a fiber.
bool active();

/// Suspends the calling fiber until `fd` is ready for `events` (POLLIN and/or POLLOUT), `until`
/// has passed or `cancel` fired. True when the fd is ready (an error or hang-up counts as ready:
/// the next send/recv reports it). Only on a fiber.
bool waitFd(int fd, short events, Clock::time_point until, const CancelToken& cancel);

/// Suspends the calling fiber until `until` or until `cancel` fires; false when cancelled. Only
/// on a fiber.
bool sleepUntil(Clock::time_point until, const CancelToken& cancel);

/// Runs `fn` on a new fiber (the engine's threads start on first use). Never blocks; throws
/// std::bad_alloc when no stack can be mapped. `fn` must not let an exception escape.
void spawn(std::function<void()> fn);

struct Stats {
    std::size_t threads = 0;
    std::uint64_t started = 0;
    std::uint64_t finished = 0;
};
Stats stats();

struct WaitHandle;

/// A condition that fibers and plain threads can both wait on, for state guarded by the
/// caller's own lock. Read generation() while holding that lock after finding nothing to do,
/// release it, then wait(generation, …): a notifyAll() after the read ends the wait, so no
/// wake-up is lost. Thread-safe.
class Notifier {
public:
    Notifier() = default;
    Notifier(const Notifier&) = delete;
    Notifier& operator=(const Notifier&) = delete;

    std::uint64_t generation() const;
    void notifyAll();
    /// Returns when the generation differs from `seen`, `until` passed or `cancel` fired (on a
    /// plain thread the token is checked every 50 ms, so its check hook keeps running). Returns
    /// false only when cancelled.
    bool wait(std::uint64_t seen, Clock::time_point until, const CancelToken& cancel);

private:
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    std::uint64_t generation_ = 0;
    std::vector<std::shared_ptr<WaitHandle>> fibers_;
};

} // namespace sockt::detail::fiber
