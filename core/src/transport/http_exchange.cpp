// One request/response with a whole-request deadline enforced by us (common rules: Poco's socket
// timeouts are per operation). Waiting for the answer polls the socket in ≤ 50 ms slices against
// the deadline and the CancelToken; blocking reads get the remaining time as their timeout and a
// fired token shuts the socket down, so nothing blocks past the deadline or a cancel.
#include "transport/http_exchange.hpp"

#include "transport/sigpipe_guard.hpp"
#include "transport/transport_errors.hpp"

#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/NetException.h>
#include <algorithm>
#include <cctype>

namespace sockt::detail {
namespace {

constexpr long long kSliceMs = 50;
constexpr std::size_t kReadChunk = 64 * 1024;
constexpr std::size_t kMaxReserve = 80u * 1024 * 1024;

Poco::Timespan timespanMs(long long ms) {
    ms = std::max(1LL, ms);
    return Poco::Timespan(static_cast<long>(ms / 1000), static_cast<long>((ms % 1000) * 1000));
}

std::string lower(std::string s) {
    for (auto& c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// A failed connection is closed here, still under the SigpipeGuard, and without waiting: a
// blocking TLS shutdown would wait for the peer's close_notify up to the old receive timeout.
void teardown(PooledConnection& connection, SocketAbortGuard& guard) {
    guard.disarm();
    if (!connection.session)
        return;
    try {
        connection.session->socket().setBlocking(false);
    } catch (...) {
    }
    connection.session.reset();
}

} // namespace

ExchangeResult exchange(PooledConnection& connection, const WireRequest& request, Deadline deadline,
                        const CancelToken& cancel, Duration limit) {
    auto& session = *connection.session;
    const std::string& what = request.describe;
    bool got_response = false;

    SigpipeGuard no_sigpipe;
    SocketAbortGuard guard(cancel, session.socket());
    try {
        checkDeadline(deadline, cancel, what, limit);
        Poco::Net::HTTPRequest http(request.method, request.target,
                                    Poco::Net::HTTPMessage::HTTP_1_1);
        http.setKeepAlive(true);
        for (const auto& [name, value] : request.headers)
            http.set(name, value);
        if (request.body) {
            http.setContentType("application/json");
            http.setContentLength64(static_cast<Poco::Int64>(request.body->size()));
        } else if (request.method != "GET" && request.method != "HEAD") {
            // PROTOCOL.md §1.2: bodiless POST/DELETE carry no body and no Content-Type; the
            // explicit zero length keeps HTTP/1.1 framing unambiguous.
            http.setContentLength64(0);
        }
        const bool tls = session.secure();
        session.socket().setSendTimeout(timespanMs(socketTimeoutMs(deadline, tls)));
        session.socket().setReceiveTimeout(timespanMs(socketTimeoutMs(deadline, tls)));
        std::ostream& out = session.sendRequest(http);
        if (request.body && !request.body->empty())
            out.write(request.body->data(), static_cast<std::streamsize>(request.body->size()));
        out.flush();
        if (!out.good()) {
            if (session.networkException())
                session.networkException()->rethrow();
            throw Poco::Net::NetException("could not send the request body");
        }

        // Wait for the first byte of the answer in slices (long polls and stalled servers).
        auto& socket = session.socket();
        while (true) {
            checkDeadline(deadline, cancel, what, limit);
            if (socket.available() > 0)
                break;
            long long slice = std::min(kSliceMs, std::max(1LL, remainingMs(deadline)));
            if (socket.poll(timespanMs(slice),
                            Poco::Net::Socket::SELECT_READ | Poco::Net::Socket::SELECT_ERROR))
                break;
        }

        session.socket().setReceiveTimeout(timespanMs(socketTimeoutMs(deadline, tls)));
        Poco::Net::HTTPResponse http_response;
        std::istream& in = session.receiveResponse(http_response);
        got_response = true;

        ExchangeResult result;
        HttpResponse& response = result.response;
        response.status = static_cast<int>(http_response.getStatus());
        for (const auto& [name, value] : http_response) {
            auto key = lower(name);
            auto it = response.headers.find(key);
            if (it == response.headers.end()) {
                response.headers.emplace(std::move(key), value);
            } else {
                it->second += ", " + value;
            }
        }

        // Read straight into the body string, chunk by chunk, re-arming the receive timeout to
        // what is left of the deadline so a slow drip cannot outlive it.
        std::string& body = response.body;
        if (http_response.hasContentLength()) {
            auto length = http_response.getContentLength64();
            if (length > 0)
                body.reserve(std::min<std::size_t>(length, kMaxReserve));
        }
        while (true) {
            checkDeadline(deadline, cancel, what, limit);
            session.socket().setReceiveTimeout(timespanMs(socketTimeoutMs(deadline, tls)));
            std::size_t old = body.size();
            body.resize(old + kReadChunk);
            in.read(body.data() + old, static_cast<std::streamsize>(kReadChunk));
            auto got = static_cast<std::size_t>(in.gcount());
            body.resize(old + got);
            if (in.eof())
                break;
            if (in.bad() || (in.fail() && got == 0)) {
                if (session.networkException())
                    session.networkException()->rethrow();
                throw Poco::Net::NetException("response body ended early");
            }
        }
        if (session.networkException())
            session.networkException()->rethrow();
        if (cancel.cancelled())
            throwCancelled(what);
        if (http_response.hasContentLength() &&
            static_cast<Poco::Int64>(body.size()) < http_response.getContentLength64())
            throw Poco::Net::NetException(
                "connection closed before the whole body arrived (" + std::to_string(body.size()) +
                " of " + std::to_string(http_response.getContentLength64()) + " bytes)");
        result.keep_alive = http_response.getKeepAlive() && session.connected();
        return result;
    } catch (const SocktError&) {
        teardown(connection, guard);
        throw;
    } catch (const Poco::Exception& e) {
        teardown(connection, guard);
        if (!got_response && connection.reused && !cancel.cancelled() && Clock::now() < deadline &&
            !dynamic_cast<const Poco::TimeoutException*>(&e))
            throw StaleConnection{e.displayText()};
        rethrowTransport(e, deadline, cancel, what, limit);
    } catch (const std::exception& e) {
        teardown(connection, guard);
        if (cancel.cancelled())
            throwCancelled(what);
        throwConnection(what, e.what());
    }
}

} // namespace sockt::detail
