// INTERNAL: connected sockets for the pool and for the WebSocket upgrade (both speak HTTP/1.1
// through our own codec, http_codec.hpp).
#pragma once

#include "transport/transport_context.hpp"

#include <Poco/Net/StreamSocket.h>
#include <Poco/URI.h>
#include <string>

namespace sockt::detail {

struct ConnectedSocket {
    Poco::Net::StreamSocket socket; // a SecureStreamSocket (handshake done) when tls
    bool tls = false;
    std::string host; // as resolved from the URI (SNI, hostname verification)
    Poco::UInt16 port = 0;
    std::string host_header; // the Host header value: host[:port], IPv6 literals in brackets
    long long armed_timeout_ms = -1; // send/receive timeout left on the socket (TLS), -1: none
    bool nonblocking = false;        // TLS connected on a fiber: the socket is non-blocking
};

/// TCP connect (and TLS handshake for https/wss) to `uri`'s host and port, bounded by `deadline`,
/// aborted by `cancel`. On a fiber the waits are fiber waits and a TLS socket stays
/// non-blocking. Counts the connection in context.connectionsOpened(). Throws ConnectionError /
/// TimeoutError / CancelledError / InvalidArgumentError (scheme).
ConnectedSocket connectSocket(TransportContext& context, const Poco::URI& uri, Deadline deadline,
                              const CancelToken& cancel);

} // namespace sockt::detail
