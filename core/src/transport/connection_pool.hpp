// INTERNAL: keep-alive connections of one client. A connection is owned by exactly one request
// while in use (one request in flight per connection, DESIGN.md §3).
#pragma once

#include "client_core.hpp"

#include <Poco/Net/HTTPClientSession.h>
#include <memory>
#include <mutex>
#include <vector>

namespace sockt::detail {

struct PooledConnection {
    std::unique_ptr<Poco::Net::HTTPClientSession> session;
    bool reused = false; // served a request before: a failure may just mean the peer closed it
    Clock::time_point idle_since{};
};

class ConnectionPool {
public:
    ConnectionPool(ClientCore& core, std::size_t max_idle) : core_(core), max_idle_(max_idle) {}

    /// An idle connection that still looks alive, else a new one (bounded by `deadline`).
    std::unique_ptr<PooledConnection> acquire(Deadline deadline, const CancelToken& cancel);
    /// A brand-new connection (the retry after a stale keep-alive failure).
    std::unique_ptr<PooledConnection> fresh(Deadline deadline, const CancelToken& cancel);
    /// Back to the pool after a fully read response that allows keep-alive.
    void release(std::unique_ptr<PooledConnection> connection);
    void clear();

private:
    ClientCore& core_;
    std::size_t max_idle_;
    std::mutex mutex_;
    std::vector<std::unique_ptr<PooledConnection>> idle_;
    bool closed_ = false;
};

} // namespace sockt::detail
