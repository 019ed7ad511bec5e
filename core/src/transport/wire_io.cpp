// WireIo (see wire_io.hpp).
#include "transport/wire_io.hpp"

#include "async/fiber.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <algorithm>
#include <cerrno>
#include <climits>
#include <poll.h>
#include <sys/socket.h>
#include <system_error>

namespace sockt::detail {
namespace {

constexpr long long kSliceMs = 50;
// An armed TLS timeout may exceed what the deadline leaves by this much (Poco waits up to twice
// the timeout on TLS, see socketTimeoutMs): a blocking TLS call ends ≤ 2 × this past the deadline.
constexpr long long kArmSlackMs = 2;
// Large writes go out in pieces so the deadline and the token are checked in between.
constexpr std::size_t kWritePiece = 256 * 1024;

[[noreturn]] void throwErrno(const char* op, int error) {
    throw WireFailure(std::string(op) + ": " + std::system_category().message(error));
}

Poco::Timespan timespanMs(long long ms) {
    ms = std::max(1LL, ms);
    return Poco::Timespan(static_cast<long>(ms / 1000), static_cast<long>((ms % 1000) * 1000));
}

} // namespace

WireIo::WireIo(PooledConnection& connection, Deadline deadline, const CancelToken& cancel,
               const std::string& what, Duration limit)
    : c_(connection), deadline_(deadline), cancel_(cancel), what_(what), limit_(limit),
      fiber_(fiber::active()) {
    if (!c_.tls)
        return;
    no_sigpipe_.emplace();
    if (fiber_) {
        // Fiber waits end on the token themselves: no socket shutdown from another thread.
        if (!c_.nonblocking) {
            c_.socket.setBlocking(false);
            c_.nonblocking = true;
        }
        return;
    }
    if (c_.nonblocking) {
        c_.socket.setBlocking(true);
        c_.nonblocking = false;
        c_.send_timeout_ms = c_.recv_timeout_ms = -1; // unknown: armed again before use
    }
    abort_.emplace(cancel_, c_.socket);
}

void WireIo::disarm() {
    if (abort_)
        abort_->disarm();
}

void WireIo::waitFor(short events) {
    if (fiber_) {
        do
            check();
        while (!fiber::waitFd(c_.fd, events, deadline_, cancel_));
        return;
    }
    while (true) {
        check();
        long long slice = std::min(kSliceMs, std::max(1LL, remainingMs(deadline_)));
        pollfd p{c_.fd, events, 0};
        int rc = ::poll(&p, 1, static_cast<int>(slice));
        if (rc > 0)
            return; // ready, or POLLERR/POLLHUP: the next send/recv reports which
        if (rc < 0 && errno != EINTR)
            throwErrno("poll", errno);
    }
}

void WireIo::arm(long long& armed, bool send) {
    long long wanted = socketTimeoutMs(deadline_, true);
    if (armed >= 1 && armed <= wanted + kArmSlackMs)
        return;
    if (send)
        c_.socket.setSendTimeout(timespanMs(wanted));
    else
        c_.socket.setReceiveTimeout(timespanMs(wanted));
    armed = wanted;
}

void WireIo::sendAll(const char* data, std::size_t size) {
    std::size_t off = 0;
    while (off < size) {
        if (off > 0)
            check();
        std::size_t piece = std::min(size - off, kWritePiece);
        if (!c_.tls) {
            ssize_t n = ::send(c_.fd, data + off, piece, MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n >= 0) {
                off += static_cast<std::size_t>(n);
            } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
                waitFor(POLLOUT);
            } else if (errno != EINTR) {
                throwErrno("send", errno);
            }
            continue;
        }
        if (fiber_) {
            sendTlsNonBlocking(data, static_cast<int>(piece), off);
            continue;
        }
        arm(c_.send_timeout_ms, true);
        try {
            int n = c_.socket.sendBytes(data + off, static_cast<int>(piece));
            if (n <= 0)
                throw WireFailure("TLS write failed");
            off += static_cast<std::size_t>(n);
        } catch (const Poco::TimeoutException&) {
            // Early (armed for a longer deadline before): retry the same write, as OpenSSL
            // requires, with a timeout that fits what is left.
            check();
            c_.send_timeout_ms = -1;
        }
    }
}

std::size_t WireIo::receiveFirst(char* buffer, std::size_t size) {
    return c_.tls ? receiveTls(buffer, size, true) : receivePlain(buffer, size, true);
}

std::size_t WireIo::receive(char* buffer, std::size_t size) {
    return c_.tls ? receiveTls(buffer, size, false) : receivePlain(buffer, size, false);
}

std::size_t WireIo::endOfStream() {
    // A fired token shuts the TLS socket down, which reads as an end of stream.
    if (cancel_.cancelled())
        throwCancelled(what_);
    return 0;
}

std::size_t WireIo::receivePlain(char* buffer, std::size_t size, bool wait_first) {
    if (wait_first)
        waitFor(POLLIN); // the answer cannot be there yet: skip a recv that would say EAGAIN
    while (true) {
        ssize_t n = ::recv(c_.fd, buffer, size, MSG_DONTWAIT);
        if (n > 0) {
            received_any_ = true;
            return static_cast<std::size_t>(n);
        }
        if (n == 0)
            return endOfStream();
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            waitFor(POLLIN);
        else if (errno != EINTR)
            throwErrno("recv", errno);
    }
}

// OpenSSL wants the same buffer and length again after a "want write" (no moving buffers).
void WireIo::sendTlsNonBlocking(const char* data, int size, std::size_t& off) {
    int n = c_.socket.sendBytes(data + off, size);
    if (n > 0)
        off += static_cast<std::size_t>(n);
    else if (n == Poco::Net::SecureStreamSocket::ERR_SSL_WANT_WRITE)
        waitFor(POLLOUT);
    else if (n == Poco::Net::SecureStreamSocket::ERR_SSL_WANT_READ)
        waitFor(POLLIN);
    else
        throw WireFailure("TLS write failed");
}

std::size_t WireIo::receiveTlsNonBlocking(char* buffer, int size) {
    while (true) {
        check();
        int n = c_.socket.receiveBytes(buffer, size);
        if (n > 0) {
            received_any_ = true;
            return static_cast<std::size_t>(n);
        }
        if (n == 0)
            return endOfStream();
        if (n == Poco::Net::SecureStreamSocket::ERR_SSL_WANT_READ)
            waitFor(POLLIN);
        else if (n == Poco::Net::SecureStreamSocket::ERR_SSL_WANT_WRITE)
            waitFor(POLLOUT);
        else
            throw WireFailure("TLS read failed");
    }
}

std::size_t WireIo::receiveTls(char* buffer, std::size_t size, bool wait_first) {
    if (fiber_)
        return receiveTlsNonBlocking(buffer,
                                     static_cast<int>(std::min<std::size_t>(size, INT_MAX)));
    if (wait_first) {
        // Decrypted bytes may already sit in OpenSSL's buffer, where poll(2) cannot see them.
        while (c_.socket.available() == 0) {
            check();
            long long slice = std::min(kSliceMs, std::max(1LL, remainingMs(deadline_)));
            pollfd p{c_.fd, POLLIN, 0};
            int rc = ::poll(&p, 1, static_cast<int>(slice));
            if (rc > 0)
                break;
            if (rc < 0 && errno != EINTR)
                throwErrno("poll", errno);
        }
    } else {
        check();
    }
    const int want = static_cast<int>(std::min<std::size_t>(size, INT_MAX));
    while (true) {
        arm(c_.recv_timeout_ms, false);
        try {
            int n = c_.socket.receiveBytes(buffer, want);
            if (n > 0) {
                received_any_ = true;
                return static_cast<std::size_t>(n);
            }
            if (n == 0)
                return endOfStream();
            throw WireFailure("TLS read failed");
        } catch (const Poco::TimeoutException&) {
            check(); // past the deadline: TimeoutError; else the armed timeout was early
            c_.recv_timeout_ms = -1;
        }
    }
}

} // namespace sockt::detail
