// Waits for SIGINT/SIGTERM without blocking them in the signal mask (a blocked mask would be
// inherited by every sandbox process we spawn). The handler only writes to a self-pipe.
#pragma once

namespace sockt::server {

class SignalWaiter {
public:
    SignalWaiter();  // installs the handlers (SIGINT, SIGTERM; SIGPIPE → no-op)
    ~SignalWaiter(); // restores the previous handlers
    SignalWaiter(const SignalWaiter&) = delete;
    SignalWaiter& operator=(const SignalWaiter&) = delete;

    /// Blocks until one of the signals arrives; returns its number.
    int wait();
};

} // namespace sockt::server
