// INTERNAL: keep-alive connections of one client. A connection is owned by exactly one request
// while in use (one request in flight per connection).
#pragma once

#include "transport/transport_context.hpp"

#include <Poco/Net/StreamSocket.h>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace sockt::detail {

// The connection owns its socket, not a Poco HTTPClientSession: requests go through our own codec
// (http_codec.hpp) straight on the socket, and a session would only add a second read buffer that
// could hold bytes we never see, plus reconnect logic that must never run behind the pool's back.
struct PooledConnection {
    PooledConnection() = default;
    ~PooledConnection();
    PooledConnection(const PooledConnection&) = delete;
    PooledConnection& operator=(const PooledConnection&) = delete;

    /// Closes the socket now without waiting (a TLS close_notify is attempted, never awaited).
    void close() noexcept;
    bool open() const { return fd >= 0; }

    Poco::Net::StreamSocket socket; // a SecureStreamSocket when tls
    int fd = -1;                    // socket's descriptor while open
    bool tls = false;
    std::string host_header; // Host: value for this connection's server
    bool reused = false;     // served a request before: a failure may just mean the peer closed it
    Clock::time_point idle_since{};
    // TLS only: the send/receive timeouts armed on the socket (-1: unknown), so a request re-arms
    // them only when needed (a setsockopt each; bench/FINDINGS.md F1). Plain sockets never block.
    long long send_timeout_ms = -1;
    long long recv_timeout_ms = -1;
    // TLS only: the socket is in non-blocking mode, as fibers use it (async/fiber.hpp); a plain
    // thread switches it back before its blocking TLS calls.
    bool nonblocking = false;
    std::string out;      // request head (and small body) buffer, kept between requests
    std::vector<char> in; // response read buffer, kept between requests
};

/// A new connection to `uri` (http/https/ws/wss), not pooled (connectSocket, session_factory.hpp).
std::unique_ptr<PooledConnection> openConnection(TransportContext& context, const Poco::URI& uri,
                                                 Deadline deadline, const CancelToken& cancel);

class ConnectionPool {
public:
    ConnectionPool(TransportContext& context, std::size_t max_idle)
        : context_(context), max_idle_(max_idle) {}

    /// An idle connection that still looks alive, else a new one (bounded by `deadline`).
    /// `resendable`: the caller resends the request on a fresh connection when this one turns out
    /// to be closed before any answer byte (idempotent requests), so a connection idle for less
    /// than kTrustIdleFor is handed out without the liveness poll.
    std::unique_ptr<PooledConnection> acquire(Deadline deadline, const CancelToken& cancel,
                                              bool resendable);
    /// A brand-new connection (the retry after a stale keep-alive failure).
    std::unique_ptr<PooledConnection> fresh(Deadline deadline, const CancelToken& cancel);
    /// Back to the pool after a fully read response that allows keep-alive.
    void release(std::unique_ptr<PooledConnection> connection);
    void clear();

private:
    TransportContext& context_;
    std::size_t max_idle_;
    std::mutex mutex_;
    std::vector<std::unique_ptr<PooledConnection>> idle_;
    bool closed_ = false;
};

} // namespace sockt::detail
