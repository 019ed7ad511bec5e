// INTERNAL: one fiber's stack and machine context, and the switch between two contexts.
//
// ucontext (makecontext/swapcontext) rather than hand-written assembly: portable across the
// architectures glibc supports, and the two extra sigprocmask calls per switch cost about a
// microsecond, nothing next to the socket wait that causes the switch.
#pragma once

#include <cstddef>
#include <ucontext.h>

namespace sockt::detail::fiber {

/// A context to switch from and to: a fiber's, or the I/O thread's own (its scheduler).
struct Context {
    ucontext_t uc{};
    // The C++ runtime's per-thread exception state (the stack of exceptions being handled and the
    // uncaught count). A fiber may be suspended inside a catch block while another fiber throws
    // and catches on the same thread, so each context keeps its own copy and the switch swaps
    // them; without this the runtime's list of caught exceptions would interleave and corrupt.
    void* eh_caught = nullptr;
    unsigned int eh_uncaught = 0;
    // Stack bounds for AddressSanitizer's fiber annotations (unused without ASan).
    const void* stack_bottom = nullptr;
    std::size_t stack_size = 0;
    void* asan_fake_stack = nullptr;
};

/// Stack memory with an inaccessible guard page below it, so an overflow faults instead of
/// overwriting a neighbour.
class Stack {
public:
    static constexpr std::size_t kSize = 256 * 1024;

    /// Maps a stack; throws std::bad_alloc when the mapping fails.
    Stack();
    ~Stack();
    Stack(const Stack&) = delete;
    Stack& operator=(const Stack&) = delete;

    char* base() const { return usable_; }
    std::size_t size() const { return kSize; }

private:
    char* mapping_ = nullptr;
    char* usable_ = nullptr;
    std::size_t mapped_ = 0;
};

/// Prepares `context` to run `entry(arg)` on `stack` when first switched to.
void makeContext(Context& context, Stack& stack, void (*entry)(void*), void* arg);

/// Saves the current context in `from` and runs `to`. Returns when something switches back to
/// `from`. `from_exits` tells ASan that `from` is never resumed (a finished fiber).
void switchContext(Context& from, Context& to, bool from_exits = false);

/// To be called first thing on a new context (ASan bookkeeping of the switch that started it).
void enteredContext(Context& self);

} // namespace sockt::detail::fiber
