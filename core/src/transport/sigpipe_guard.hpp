// INTERNAL: keeps a write to a connection the peer closed from killing the process.
//
// Our plain-socket writes use send(MSG_NOSIGNAL) (wire_io.cpp) and need no guard. OpenSSL writes
// TLS records with a plain send(), which raises SIGPIPE on a closed connection (a stale keep-alive
// connection, a close_notify to a vanished peer). A library must not change the process-wide
// disposition, so the calling thread blocks SIGPIPE for the duration of a TLS exchange and
// swallows a SIGPIPE it caused (the classic pthread_sigmask + sigtimedwait technique); a SIGPIPE
// that was already pending stays pending.
//
// When SIGPIPE is ignored process-wide (Python and Node set SIG_IGN at start-up) a write can raise
// nothing, so the guard does one sigaction() query instead of four mask/pending syscalls.
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
