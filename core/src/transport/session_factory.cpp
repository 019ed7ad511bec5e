// connectSocket: connected sockets with our own deadlines.
//
// Poco connects with one blocking call bounded only by its connection timeout, so we connect the
// socket ourselves (non-blocking, polled in ≤ 50 ms slices against the deadline and the
// CancelToken) and run the TLS handshake on it. The pool keeps that socket and speaks HTTP/1.1 on
// it with our codec (http_codec.hpp); so does the shell's WebSocket upgrade (http_upgrade.hpp).
#include "transport/session_factory.hpp"

#include "async/fiber.hpp"
#include "transport/transport_errors.hpp"

#include <Poco/Net/DNS.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/StreamSocket.h>
#include <algorithm>
#include <cstring>
#include <poll.h>

namespace sockt::detail {
namespace {

constexpr auto kSlice = std::chrono::milliseconds(50);

Poco::Timespan toTimespan(long long ms) {
    return Poco::Timespan(static_cast<long>(std::max(1LL, ms) / 1000),
                          static_cast<long>((std::max(1LL, ms) % 1000) * 1000));
}

// One address: non-blocking connect polled in slices.
bool connectTo(Poco::Net::StreamSocket& socket, const Poco::Net::SocketAddress& address,
               Deadline deadline, const CancelToken& cancel, const std::string& what,
               Duration limit, std::string& error) {
    try {
        socket = Poco::Net::StreamSocket(address.family());
        socket.connectNB(address);
        const bool fiber = fiber::active();
        while (true) {
            checkDeadline(deadline, cancel, what, limit);
            if (fiber) {
                if (fiber::waitFd(static_cast<int>(socket.impl()->sockfd()), POLLOUT, deadline,
                                  cancel))
                    break;
                continue;
            }
            auto slice = std::min<long long>(remainingMs(deadline), kSlice.count());
            if (socket.poll(toTimespan(slice),
                            Poco::Net::Socket::SELECT_WRITE | Poco::Net::Socket::SELECT_ERROR))
                break;
        }
        int err = socket.impl()->socketError();
        if (err != 0) {
            error = std::string(std::strerror(err)) + " (" + address.toString() + ")";
            socket.close();
            return false;
        }
        socket.setBlocking(true);
        socket.setNoDelay(true);
        return true;
    } catch (const SocktError&) {
        throw;
    } catch (const Poco::Exception& e) {
        error = e.displayText() + " (" + address.toString() + ")";
        return false;
    }
}

// The TLS handshake without blocking the fiber's thread: a non-blocking socket attached without
// a handshake, completeHandshake() until done (waiting for the direction OpenSSL asks for), then
// the hostname check, which Poco performs by itself only on blocking sockets.
ConnectedSocket handshakeOnFiber(ConnectedSocket out, Poco::Net::Context::Ptr context,
                                 Deadline deadline, const CancelToken& cancel, Duration limit) {
    const std::string what = "TLS handshake with " + out.host + ":" + std::to_string(out.port);
    try {
        out.socket.setBlocking(false);
        Poco::Net::SecureStreamSocket tls =
            Poco::Net::SecureStreamSocket::attach(out.socket, out.host, context);
        const int fd = static_cast<int>(tls.impl()->sockfd());
        while (true) {
            checkDeadline(deadline, cancel, what, limit);
            int rc = tls.completeHandshake();
            if (rc == 1)
                break;
            short events = rc == Poco::Net::SecureStreamSocket::ERR_SSL_WANT_WRITE ? POLLOUT
                                                                                    : POLLIN;
            if (rc != Poco::Net::SecureStreamSocket::ERR_SSL_WANT_READ &&
                rc != Poco::Net::SecureStreamSocket::ERR_SSL_WANT_WRITE)
                throwConnection(what, "handshake failed");
            fiber::waitFd(fd, events, deadline, cancel);
        }
        tls.verifyPeerCertificate();
        out.socket = tls;
        out.nonblocking = true;
        return out;
    } catch (const Poco::Net::CertificateValidationException& e) {
        if (cancel.cancelled())
            throwCancelled(what);
        throwConnection(what, "certificate rejected: " + e.displayText());
    } catch (const Poco::Net::SSLException& e) {
        if (cancel.cancelled())
            throwCancelled(what);
        throwConnection(what, e.displayText());
    } catch (const Poco::Exception& e) {
        rethrowTransport(e, deadline, cancel, what, limit);
    }
}

} // namespace

ConnectedSocket connectSocket(TransportContext& context, const Poco::URI& uri,
                              Deadline deadline, const CancelToken& cancel) {
    const std::string& scheme = uri.getScheme();
    bool tls = scheme == "https" || scheme == "wss";
    if (!tls && scheme != "http" && scheme != "ws")
        throw InvalidArgumentError(
            {"unsupported URL scheme '" + scheme + "' (use http:// or https://)", "", 0});
    const std::string host = uri.getHost();
    const Poco::UInt16 port = uri.getPort() ? uri.getPort() : (tls ? 443 : 80);
    const std::string what = "connecting to " + host + ":" + std::to_string(port);
    const Duration limit = context.timeout();

    std::vector<Poco::Net::SocketAddress> addresses;
    try {
        Poco::Net::IPAddress ip;
        if (Poco::Net::IPAddress::tryParse(host, ip)) {
            addresses.emplace_back(ip, port);
        } else {
            auto entry = Poco::Net::DNS::hostByName(host);
            // IPv4 first: loopback servers (sockt serve) bind 127.0.0.1.
            for (const auto& a : entry.addresses())
                if (a.family() == Poco::Net::IPAddress::IPv4)
                    addresses.emplace_back(a, port);
            for (const auto& a : entry.addresses())
                if (a.family() != Poco::Net::IPAddress::IPv4)
                    addresses.emplace_back(a, port);
        }
    } catch (const Poco::Exception& e) {
        throwConnection(what, "cannot resolve host '" + host + "': " + e.displayText());
    }
    if (addresses.empty())
        throwConnection(what, "no address for host '" + host + "'");

    ConnectedSocket out;
    out.tls = tls;
    out.host = host;
    out.port = port;
    // RFC 9112 §3.2 / RFC 3986 §3.2.2: IPv6 literals in brackets; the port only when not the
    // scheme's default (what Poco's HTTPRequest::setHost sent before).
    out.host_header = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    if (port != (tls ? 443 : 80))
        out.host_header += ":" + std::to_string(port);

    std::string error;
    bool connected = false;
    for (const auto& address : addresses) {
        if (connectTo(out.socket, address, deadline, cancel, what, limit, error)) {
            connected = true;
            break;
        }
    }
    if (!connected)
        throwConnection(what,
                        error + "; is the server running and SOCKT_API_URL / base_url right?");
    context.countConnectionOpened();
    if (!tls)
        return out;

    auto ssl = context.sslContext();
    if (fiber::active())
        return handshakeOnFiber(std::move(out), ssl, deadline, cancel, limit);
    try {
        SocketAbortGuard guard(cancel, out.socket);
        long long armed = socketTimeoutMs(deadline, true);
        out.socket.setReceiveTimeout(toTimespan(armed));
        out.socket.setSendTimeout(toTimespan(armed));
        // attach() performs the handshake: SNI and hostname verification use `host`.
        out.socket = Poco::Net::SecureStreamSocket::attach(out.socket, host, ssl);
        out.armed_timeout_ms = armed;
        return out;
    } catch (const Poco::Net::CertificateValidationException& e) {
        if (cancel.cancelled())
            throwCancelled(what);
        throwConnection("TLS handshake with " + host + ":" + std::to_string(port),
                        "certificate rejected: " + e.displayText());
    } catch (const Poco::Net::SSLException& e) {
        if (cancel.cancelled())
            throwCancelled(what);
        throwConnection("TLS handshake with " + host + ":" + std::to_string(port), e.displayText());
    } catch (const Poco::Exception& e) {
        rethrowTransport(e, deadline, cancel, "TLS handshake with " + host, limit);
    }
}

} // namespace sockt::detail
