// SigpipeGuard (see sigpipe_guard.hpp).
#include "transport/sigpipe_guard.hpp"

#include <cerrno>
#include <ctime>
#include <pthread.h>

namespace sockt::detail {

SigpipeGuard::SigpipeGuard() {
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
