// upgrade(): a one-off connection (never pooled: after a 101 it speaks another protocol) carrying
// one exchange of our codec (http_exchange.cpp), which keeps the bytes that followed a 101 head.
#include "transport/http_upgrade.hpp"

#include "transport/connection_pool.hpp"
#include "transport/http_exchange.hpp"

namespace sockt::detail {

UpgradeResult upgrade(TransportContext& context, const Poco::URI& uri,
                      std::vector<std::pair<std::string, std::string>> headers,
                      std::string describe, Deadline deadline, const CancelToken& cancel) {
    std::unique_ptr<PooledConnection> connection = openConnection(context, uri, deadline, cancel);
    WireRequest request;
    request.method = "GET";
    request.target = uri.getPathEtc();
    if (request.target.empty())
        request.target = "/";
    request.headers = std::move(headers);
    request.describe = std::move(describe);
    UpgradeResult out;
    request.switched_bytes = &out.early_bytes;
    ExchangeResult result = exchange(*connection, request, deadline, cancel, context.timeout());
    out.response = std::move(result.response);
    if (out.response.status != 101)
        return out; // the connection closes with `connection`
    // The new protocol's reader blocks on its own thread with its own timeouts: a socket a fiber
    // left non-blocking (TLS) goes back to blocking mode.
    if (connection->nonblocking)
        connection->socket.setBlocking(true);
    out.socket = connection->socket;
    connection->fd = -1; // the socket is the caller's now: the connection must not close it
    return out;
}

} // namespace sockt::detail
