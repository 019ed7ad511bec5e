// Keep-alive pool: LIFO reuse (the most recently used connection is the likeliest to be alive).
#include "transport/connection_pool.hpp"

#include "transport/session_factory.hpp"
#include "transport/sigpipe_guard.hpp"

#include <poll.h>

namespace sockt::detail {
namespace {

// An idle keep-alive connection must have nothing to read: readable means the server closed it
// (EOF, TLS close_notify, reset) or sent garbage. Catching that here avoids sending a request into
// a dead connection — the only case where a POST could otherwise fail after being "sent". One
// poll(2) with a zero timeout: Poco's Socket::poll would build and tear down an epoll set, and
// FIONREAD would be one more syscall (bench/FINDINGS.md F1). TLS: decrypted bytes already in
// OpenSSL's buffer (SSL_pending, no syscall) are unexpected too.
bool looksAlive(PooledConnection& c) {
    if (!c.open())
        return false;
    pollfd p{c.fd, POLLIN, 0};
    int rc = ::poll(&p, 1, 0);
    if (rc != 0)
        return false; // readable, hung up, error — or poll failed: do not trust it
    try {
        return !c.tls || c.socket.available() == 0;
    } catch (...) {
        return false;
    }
}

// How long a released connection is trusted without the liveness poll, for a resendable request.
// Servers close idle keep-alive connections after seconds (gunicorn 2 s, Node 5 s, Poco 10 s), and
// an unsolicited answer (a 408 before closing) comes at that point too, never within a second of
// a response; a close that races with the request is caught by the resend. This saves one
// poll(2) per call in a loop of calls (bench/FINDINGS.md F7).
constexpr auto kTrustIdleFor = std::chrono::seconds(1);

} // namespace

PooledConnection::~PooledConnection() {
    close();
}

void PooledConnection::close() noexcept {
    if (fd < 0)
        return;
    fd = -1;
    try {
        if (tls) {
            // SSL_shutdown writes a close_notify: never block on it, and never die of SIGPIPE
            // when the peer is gone already (OpenSSL writes with a plain send()).
            SigpipeGuard no_sigpipe;
            socket.setBlocking(false);
            socket.close();
        } else {
            socket.close();
        }
    } catch (...) {
    }
}

std::unique_ptr<PooledConnection> ConnectionPool::acquire(Deadline deadline,
                                                          const CancelToken& cancel,
                                                          bool resendable) {
    while (true) {
        std::unique_ptr<PooledConnection> candidate;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (idle_.empty())
                break;
            candidate = std::move(idle_.back());
            idle_.pop_back();
        }
        if (resendable && candidate->open() && Clock::now() - candidate->idle_since < kTrustIdleFor)
            return candidate;
        if (looksAlive(*candidate))
            return candidate;
        // Dropped outside the lock: closing a TLS connection may write a close_notify.
    }
    return fresh(deadline, cancel);
}

std::unique_ptr<PooledConnection> ConnectionPool::fresh(Deadline deadline,
                                                        const CancelToken& cancel) {
    return openConnection(context_, context_.baseUri(), deadline, cancel);
}

std::unique_ptr<PooledConnection> openConnection(TransportContext& context, const Poco::URI& uri,
                                                 Deadline deadline, const CancelToken& cancel) {
    ConnectedSocket connected = connectSocket(context, uri, deadline, cancel);
    auto connection = std::make_unique<PooledConnection>();
    connection->socket = connected.socket;
    connection->fd = static_cast<int>(connection->socket.impl()->sockfd());
    connection->tls = connected.tls;
    connection->host_header = std::move(connected.host_header);
    connection->send_timeout_ms = connected.armed_timeout_ms;
    connection->recv_timeout_ms = connected.armed_timeout_ms;
    connection->nonblocking = connected.nonblocking;
    return connection;
}

void ConnectionPool::release(std::unique_ptr<PooledConnection> connection) {
    connection->reused = true;
    connection->idle_since = Clock::now();
    std::unique_ptr<PooledConnection> dropped;
    std::lock_guard<std::mutex> lock(mutex_);
    if (closed_ || idle_.size() >= max_idle_) {
        dropped = std::move(connection);
        return;
    }
    idle_.push_back(std::move(connection));
}

void ConnectionPool::clear() {
    std::vector<std::unique_ptr<PooledConnection>> dropped;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        closed_ = true;
        dropped.swap(idle_);
    }
}

} // namespace sockt::detail
