// Transport error mapping and cancel-driven socket aborts (blocking calls honour a
// CancelToken within a second).
#include "transport/transport_errors.hpp"

#include <algorithm>
#include <sys/socket.h>

namespace sockt::detail {

long long remainingMs(Deadline deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    return left.count() > 0 ? left.count() : 0;
}

long long socketTimeoutMs(Deadline deadline, bool tls) {
    long long left = remainingMs(deadline);
    return std::max(1LL, tls ? left / 2 : left);
}

// Transport failures carry the slugs the official Python SDK gives them ("connection_error",
// "timeout"), so code that branches on `slug` behaves the same (docs/protocol-notes.md row 24).
void throwTimeout(const std::string& what, Duration limit) {
    throw TimeoutError(
        {what + " timed out after " + std::to_string(limit.count()) + " ms", "timeout", 0});
}

void throwCancelled(const std::string& what) {
    throw CancelledError({what + " was cancelled", "", 0});
}

void throwConnection(const std::string& what, const std::string& reason) {
    throw ConnectionError({what + " failed: " + reason, "connection_error", 0});
}

void checkDeadline(Deadline deadline, const CancelToken& cancel, const std::string& what,
                   Duration limit) {
    if (cancel.cancelled())
        throwCancelled(what);
    if (Clock::now() >= deadline)
        throwTimeout(what, limit);
}

void rethrowTransport(const Poco::Exception& e, Deadline deadline, const CancelToken& cancel,
                      const std::string& what, Duration limit) {
    if (cancel.cancelled())
        throwCancelled(what);
    if (dynamic_cast<const Poco::TimeoutException*>(&e) || Clock::now() >= deadline)
        throwTimeout(what, limit);
    throwConnection(what, e.displayText());
}

SocketAbortGuard::SocketAbortGuard(const CancelToken& cancel, const Poco::Net::Socket& socket)
    : cancel_(cancel), shared_(std::make_shared<Shared>()) {
    shared_->fd = static_cast<int>(socket.impl()->sockfd());
    std::weak_ptr<Shared> weak = shared_;
    id_ = cancel_.onCancel([weak] {
        if (auto s = weak.lock()) {
            std::lock_guard<std::mutex> lock(s->mutex);
            if (s->fd >= 0)
                ::shutdown(s->fd, SHUT_RDWR);
        }
    });
}

SocketAbortGuard::~SocketAbortGuard() {
    disarm();
}

void SocketAbortGuard::disarm() {
    cancel_.removeCallback(id_);
    // A callback already running holds the mutex; after this the fd is never touched again.
    std::lock_guard<std::mutex> lock(shared_->mutex);
    shared_->fd = -1;
}

} // namespace sockt::detail
