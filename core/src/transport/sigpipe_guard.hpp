// INTERNAL: keeps a write to a connection the peer closed from killing the process.
//
// Poco's plain sockets send with MSG_NOSIGNAL, but OpenSSL writes TLS records with a plain
// send(), which raises SIGPIPE on a closed connection (a stale keep-alive connection). A library
// must not change the process-wide disposition, so the calling thread blocks SIGPIPE for the
// duration of an exchange and swallows a SIGPIPE it caused (the classic pthread_sigmask +
// sigtimedwait technique); a SIGPIPE that was already pending stays pending.
#pragma once

#include <csignal>

namespace sockt::detail {

class SigpipeGuard {
public:
    SigpipeGuard();
    ~SigpipeGuard();
    SigpipeGuard(const SigpipeGuard&) = delete;
    SigpipeGuard& operator=(const SigpipeGuard&) = delete;

private:
    sigset_t old_mask_{};
    bool was_pending_ = false;
    bool active_ = false;
};

} // namespace sockt::detail
