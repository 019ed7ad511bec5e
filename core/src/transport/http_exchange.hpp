// INTERNAL: one HTTP/1.1 request/response on one pooled connection, under a deadline.
#pragma once

#include "transport/connection_pool.hpp"
#include "transport/transport_context.hpp"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sockt::detail {

/// Bytes of a BodySource produced and sent at a time.
constexpr std::size_t kBodySlice = 256 * 1024;

struct WireRequest {
    std::string method;
    std::string target; // path + query, already encoded
    std::vector<std::pair<std::string, std::string>> headers;
    const std::string* body = nullptr; // not owned; nullptr = no body, no Content-Type
    /// Not owned; instead of `body` (never both): a body produced in slices of kBodySlice bytes
    /// into one buffer, each sent before the next is produced.
    const BodySource* source = nullptr;
    /// Not owned; optional: told the progress of a Content-Length answer body.
    const BodyProgress* on_body = nullptr;
    /// Not owned; optional: on a 101 Switching Protocols answer, receives the bytes of the new
    /// protocol that arrived with the head (no body is read; the connection is no longer HTTP).
    std::string* switched_bytes = nullptr;
    std::string describe; // "GET http://host/v1/…" for messages (redacted later)
};

/// Thrown when a reused keep-alive connection failed before any byte of a response arrived:
/// the server most likely closed it while idle. The caller decides whether resending is safe.
struct StaleConnection {
    std::string reason;
};

struct ExchangeResult {
    HttpResponse response;
    bool keep_alive = false;
};

/// Sends `request` on `connection` and reads the whole response (our HTTP/1.1 codec,
/// http_codec.hpp). Throws StaleConnection (see above), TimeoutError, CancelledError,
/// ConnectionError (also for an answer that is not valid HTTP/1.1) or InvalidArgumentError (a
/// header value with a line break). After a throw the connection is closed; after a return it may
/// be pooled when `keep_alive`.
ExchangeResult exchange(PooledConnection& connection, const WireRequest& request, Deadline deadline,
                        const CancelToken& cancel, Duration limit);

} // namespace sockt::detail
