// INTERNAL: the socket I/O of one exchange on a pooled connection, under the whole-request
// deadline and the CancelToken (common rules: Poco's socket timeouts are per
// operation, so deadlines are ours).
//
// Plain sockets never block: send(MSG_NOSIGNAL | MSG_DONTWAIT) and recv(MSG_DONTWAIT), and on
// EAGAIN one poll(2) of at most 50 ms, checking the deadline and the token between slices. So no
// socket timeouts to arm, no SIGPIPE (MSG_NOSIGNAL) and a cancel is seen within one slice —
// a status round trip is send + poll + recv (bench/FINDINGS.md F1).
//
// TLS sockets go through Poco's SecureStreamSocket (OpenSSL does the record I/O) and block:
// the first byte is awaited with poll(2) in slices (after checking OpenSSL's buffer), each
// blocking call runs with a socket timeout that ends by the deadline (re-armed only when the
// armed value would overshoot it; a timeout that fires early is simply retried), a fired token
// shuts the socket down (SocketAbortGuard) and SIGPIPE is kept away (SigpipeGuard).
//
// On a fiber (async/fiber.hpp) nothing may block the thread: every wait is a fiber wait on the
// socket (which also ends on the deadline and the token), and TLS sockets run non-blocking, an
// OpenSSL "want read/write" answer becoming a wait for that direction.
#pragma once

#include "transport/connection_pool.hpp"
#include "transport/sigpipe_guard.hpp"
#include "transport/transport_errors.hpp"

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>

namespace sockt::detail {

/// A socket-level failure (reset, broken pipe, TLS error) — mapped by the exchange to
/// StaleConnection or ConnectionError.
class WireFailure : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class WireIo {
public:
    WireIo(PooledConnection& connection, Deadline deadline, const CancelToken& cancel,
           const std::string& what, Duration limit);
    WireIo(const WireIo&) = delete;
    WireIo& operator=(const WireIo&) = delete;

    void sendAll(const char* data, std::size_t size);
    /// Waits for the answer to start (≤ 50 ms slices), then receives what is there (≥ 1 byte);
    /// 0 = the peer closed the connection.
    std::size_t receiveFirst(char* buffer, std::size_t size);
    /// Receives ≥ 1 byte; 0 = the peer closed the connection.
    std::size_t receive(char* buffer, std::size_t size);
    /// TimeoutError / CancelledError when the deadline passed or the token fired.
    void check() const { checkDeadline(deadline_, cancel_, what_, limit_); }
    /// A byte of the answer arrived (a later failure is no longer a stale connection).
    bool receivedAny() const { return received_any_; }
    /// Stops the cancel watch; call before closing the socket.
    void disarm();

private:
    void waitFor(short events);
    void arm(long long& armed, bool send);
    std::size_t receivePlain(char* buffer, std::size_t size, bool wait_first);
    std::size_t receiveTls(char* buffer, std::size_t size, bool wait_first);
    std::size_t endOfStream();
    std::size_t receiveTlsNonBlocking(char* buffer, int size);
    void sendTlsNonBlocking(const char* data, int size, std::size_t& off);

    PooledConnection& c_;
    const Deadline deadline_;
    const CancelToken& cancel_;
    const std::string& what_;
    const Duration limit_;
    bool received_any_ = false;
    const bool fiber_;
    std::optional<SigpipeGuard> no_sigpipe_; // TLS only
    std::optional<SocketAbortGuard> abort_;  // TLS only
};

} // namespace sockt::detail
