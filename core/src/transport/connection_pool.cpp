// Keep-alive pool: LIFO reuse (the most recently used connection is the likeliest to be alive).
#include "transport/connection_pool.hpp"

#include <Poco/Exception.h>

namespace sockt::detail {
namespace {

// An idle keep-alive connection must have nothing to read: readable means the server closed it
// (EOF, TLS close_notify) or sent garbage. Catching that here avoids sending a request into a
// dead connection — the only case where a POST could otherwise fail after being "sent".
bool looksAlive(PooledConnection& c) {
    try {
        if (!c.session->connected())
            return false;
        return !c.session->socket().poll(Poco::Timespan(0), Poco::Net::Socket::SELECT_READ |
                                                                Poco::Net::Socket::SELECT_ERROR);
    } catch (const Poco::Exception&) {
        return false;
    }
}

} // namespace

std::unique_ptr<PooledConnection> ConnectionPool::acquire(Deadline deadline,
                                                          const CancelToken& cancel) {
    while (true) {
        std::unique_ptr<PooledConnection> candidate;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (idle_.empty())
                break;
            candidate = std::move(idle_.back());
            idle_.pop_back();
        }
        if (looksAlive(*candidate))
            return candidate;
        // Dropped outside the lock: closing a TLS session may write a close_notify.
    }
    return fresh(deadline, cancel);
}

std::unique_ptr<PooledConnection> ConnectionPool::fresh(Deadline deadline,
                                                        const CancelToken& cancel) {
    auto connection = std::make_unique<PooledConnection>();
    connection->session = core_.openSession(deadline, cancel);
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
