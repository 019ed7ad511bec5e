// SigpipeGuard (see sigpipe_guard.hpp).
#include "transport/sigpipe_guard.hpp"

#include <cerrno>
#include <ctime>
#include <pthread.h>

namespace sockt::detail {
namespace {

// Reads the disposition with the kernel (rt_sigaction with no new action): exact at this moment,
// with no cache that could go stale. Another thread may still change the disposition afterwards;
// that race is harmless unless it switches SIGPIPE from SIG_IGN to SIG_DFL *while* one of our TLS
// writes is in flight — a program doing that races with every socket write of its own too, and
// the runtimes that ignore SIGPIPE (CPython, Node) set it once before any thread starts. A change
// the other way (to SIG_IGN, or to a handler) can only make a SIGPIPE less harmful. Caching the
// answer instead would turn that narrow window into "forever after the first check".
bool sigpipeIgnored() {
    struct sigaction current {};
    return ::sigaction(SIGPIPE, nullptr, &current) == 0 && !(current.sa_flags & SA_SIGINFO) &&
           current.sa_handler == SIG_IGN;
}

} // namespace

SigpipeGuard::SigpipeGuard() {
    if (sigpipeIgnored())
        return;
    sigset_t pending;
    sigemptyset(&pending);
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGPIPE);
    active_ = pthread_sigmask(SIG_BLOCK, &block, &old_mask_) == 0;
}

SigpipeGuard::~SigpipeGuard() {
    if (!active_)
        return;
    if (!was_pending_) {
        sigset_t pending;
        sigemptyset(&pending);
        sigpending(&pending);
        if (sigismember(&pending, SIGPIPE) == 1) {
            sigset_t pipe_only;
            sigemptyset(&pipe_only);
            sigaddset(&pipe_only, SIGPIPE);
            const timespec zero{0, 0};
            while (sigtimedwait(&pipe_only, nullptr, &zero) == -1 && errno == EINTR) {
            }
        }
    }
    pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
}

} // namespace sockt::detail
