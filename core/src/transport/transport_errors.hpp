// INTERNAL: turning Poco exceptions and deadlines into ConnectionError / TimeoutError /
// CancelledError, and a guard that aborts a blocked socket call when a CancelToken fires.
#pragma once

#include "transport/transport_context.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/Socket.h>
#include <memory>
#include <mutex>
#include <string>

namespace sockt::detail {

/// Milliseconds left until `deadline` (0 when past).
long long remainingMs(Deadline deadline);
/// The per-operation socket timeout that still ends by `deadline`. Poco's TLS socket, after an
/// SSL_read/SSL_write timed out (WANT_READ/WANT_WRITE), polls once more for the same timeout
/// before throwing, so a TLS socket gets half of what is left.
long long socketTimeoutMs(Deadline deadline, bool tls);

[[noreturn]] void throwTimeout(const std::string& what, Duration limit);
[[noreturn]] void throwCancelled(const std::string& what);
[[noreturn]] void throwConnection(const std::string& what, const std::string& reason);
/// Throws CancelledError or TimeoutError when the token fired or the deadline passed.
void checkDeadline(Deadline deadline, const CancelToken& cancel, const std::string& what,
                   Duration limit);
/// Maps a Poco exception raised during `what` (cancel and deadline win over the exception).
[[noreturn]] void rethrowTransport(const Poco::Exception& e, Deadline deadline,
                                   const CancelToken& cancel, const std::string& what,
                                   Duration limit);

/// While alive, a fired CancelToken shuts the socket down (::shutdown on the fd, which is safe
/// from another thread and wakes a blocked recv/send/handshake). Disarmed before the socket dies.
class SocketAbortGuard {
public:
    SocketAbortGuard(const CancelToken& cancel, const Poco::Net::Socket& socket);
    ~SocketAbortGuard();
    SocketAbortGuard(const SocketAbortGuard&) = delete;
    SocketAbortGuard& operator=(const SocketAbortGuard&) = delete;
    /// Stops watching the socket (before it is closed). Idempotent.
    void disarm();

private:
    struct Shared {
        std::mutex mutex;
        int fd = -1;
    };
    const CancelToken& cancel_;
    std::shared_ptr<Shared> shared_;
    std::uint64_t id_ = 0;
};

} // namespace sockt::detail
