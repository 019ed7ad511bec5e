// One request/response with a whole-request deadline enforced by us (common rules: Poco's socket
// timeouts are per operation). The request head (and a small body) goes out in one send; the
// answer is read into the connection's buffer and parsed by our codec (http_codec.hpp), a status
// answer typically in one recv. Every wait is bounded by the deadline and the CancelToken
// (wire_io.hpp).
#include "transport/http_exchange.hpp"

#include "transport/http_codec.hpp"
#include "transport/transport_errors.hpp"
#include "transport/wire_io.hpp"

#include "sockt/errors.hpp"
#include "sockt/protocol.hpp"

#include <Poco/Exception.h>
#include <algorithm>
#include <cstring>
#include <memory>

namespace sockt::detail {
namespace {

// Bodies up to this size travel in the head's buffer (one send); larger ones are sent from the
// caller's string without a copy.
constexpr std::size_t kInlineBody = 16 * 1024;
// First read buffer: a whole status answer (~1 KiB) fits. Grows up to the head limit.
constexpr std::size_t kReadBuffer = 16 * 1024;
// Largest single receive straight into a Content-Length body.
constexpr std::size_t kBodyStep = 256 * 1024;
// Content-Length is trusted for a reservation only up to this (a lying server cannot make us
// allocate more up front).
constexpr std::size_t kMaxReserve = 80u * 1024 * 1024;

// docs/hardening.md "Response bodies": an answer past protocol::kMaxResponseBodyBytes is dropped
// with an APIError (a lying or endless body must not take the process's memory).
constexpr std::uint64_t kMaxBody = static_cast<std::uint64_t>(protocol::kMaxResponseBodyBytes);

void checkBodySize(std::uint64_t size, int status) {
    if (size <= kMaxBody)
        return;
    SocktError::Details d;
    d.message = "the server's answer (HTTP " + std::to_string(status) + ") is larger than the " +
                std::to_string(kMaxBody >> 20) + " MiB cap on a response body; it was dropped";
    d.status_code = status;
    throw APIError(std::move(d));
}

// A failed connection is closed here, the cancel watch stopped first (its fd must not be
// shut down after the number is reused), without waiting for a TLS close_notify.
void teardown(PooledConnection& connection, WireIo& io) {
    io.disarm();
    connection.close();
}

// Reads until the buffer holds a complete final head: interim 1xx answers (100 Continue, 103
// Early Hints) are skipped (RFC 9110 §15.2); 101 is final (we never ask to switch protocols, the
// caller sees the status). Returns the head's length; buffer[0, have) holds what was read.
std::size_t readHead(WireIo& io, std::vector<char>& buffer, std::size_t& have,
                     http::ResponseHead& head) {
    std::size_t scanned = 0;
    bool first = true;
    while (true) {
        std::size_t end = http::findHeadEnd(buffer.data(), have, scanned);
        if (end == 0) {
            if (have == buffer.size()) { // room for the limit plus the blank line's lookahead
                buffer.resize(std::min(buffer.size() * 2, http::kMaxHeadBytes + 4));
                if (have == buffer.size()) // findHeadEnd throws first; never recv into nothing
                    throw http::ProtocolError("response head too large");
            }
            std::size_t n = first ? io.receiveFirst(buffer.data() + have, buffer.size() - have)
                                  : io.receive(buffer.data() + have, buffer.size() - have);
            first = false;
            if (n == 0) {
                if (!io.receivedAny())
                    throw WireFailure("the server closed the connection without answering");
                throw http::ProtocolError("the connection closed in the middle of the response "
                                          "head");
            }
            have += n;
            continue;
        }
        head = http::parseHead(buffer.data(), end);
        if (head.status >= 200 || head.status == 101)
            return end;
        std::memmove(buffer.data(), buffer.data() + end, have - end);
        have -= end;
        scanned = 0;
    }
}

// The body after the head. Returns false when bytes beyond this answer arrived (the connection
// must then not carry another request: they would be taken for the next answer).
bool readBody(WireIo& io, std::vector<char>& buffer, std::size_t head_end, std::size_t have,
              const http::Framing& framing, int status, std::string& body,
              const BodyProgress* on_body) {
    const char* extra = buffer.data() + head_end;
    std::size_t extra_size = have - head_end;
    switch (framing.kind) {
    case http::BodyKind::None:
        return extra_size == 0;
    case http::BodyKind::Length: {
        const std::uint64_t length = framing.length;
        checkBodySize(length, status);
        body.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(length, kMaxReserve)));
        std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(length, extra_size));
        body.append(extra, take);
        // Straight into the body string: no intermediate buffer for large answers (F3).
        while (body.size() < length) {
            std::size_t old = body.size();
            std::size_t step =
                static_cast<std::size_t>(std::min<std::uint64_t>(length - old, kBodyStep));
            body.resize(old + step);
            std::size_t n = io.receive(body.data() + old, step);
            body.resize(old + n);
            if (on_body && n > 0)
                (*on_body)(body.size(), length);
            if (n == 0)
                throw WireFailure("connection closed before the whole body arrived (" +
                                  std::to_string(old) + " of " + std::to_string(length) +
                                  " bytes)");
        }
        return take == extra_size;
    }
    case http::BodyKind::Chunked: {
        http::ChunkedDecoder decoder;
        std::size_t used = decoder.feed(extra, extra_size, body);
        while (!decoder.done()) {
            checkBodySize(body.size(), status);
            std::size_t n = io.receive(buffer.data(), buffer.size());
            if (n == 0)
                throw WireFailure("connection closed in the middle of a chunked body");
            used = decoder.feed(buffer.data(), n, body);
            extra_size = n;
        }
        return used == extra_size;
    }
    case http::BodyKind::UntilClose:
        body.append(extra, extra_size);
        while (true) {
            checkBodySize(body.size(), status);
            std::size_t old = body.size();
            body.resize(old + buffer.size());
            std::size_t n = io.receive(body.data() + old, buffer.size());
            body.resize(old + n);
            if (n == 0)
                return false;
        }
    }
    return false;
}

// The head with Content-Length = source.length, then the body produced slice by slice into one
// buffer (kBodySlice), each slice sent before the next is produced: encoding overlaps with the
// peer receiving, and the body never exists whole. A small body travels with the head.
void sendSourced(WireIo& io, PooledConnection& connection, const WireRequest& request) {
    const BodySource& source = *request.source;
    std::string& out = connection.out;
    out.clear();
    http::appendRequestHead(out, request.method, request.target, connection.host_header,
                            request.headers, source.length);
    if (source.length <= kInlineBody) {
        const std::size_t at = out.size();
        out.resize(at + source.length);
        if (source.length > 0)
            source.fill(0, out.data() + at, source.length);
        io.sendAll(out.data(), out.size());
        return;
    }
    io.sendAll(out.data(), out.size());
    std::unique_ptr<char[]> slice(new char[kBodySlice]);
    for (std::size_t offset = 0; offset < source.length;) {
        const std::size_t n = std::min(kBodySlice, source.length - offset);
        io.check();
        source.fill(offset, slice.get(), n);
        io.sendAll(slice.get(), n);
        offset += n;
    }
}

// Sends the request line, headers and body.
void sendRequest(WireIo& io, PooledConnection& connection, const WireRequest& request) {
    if (request.source) {
        sendSourced(io, connection, request);
    } else {
        const std::string* body = request.body;
        std::string& out = connection.out;
        out.clear();
        http::appendRequestHead(out, request.method, request.target, connection.host_header,
                                request.headers,
                                body ? std::optional<std::size_t>(body->size()) : std::nullopt);
        if (body && body->size() <= kInlineBody) {
            out += *body;
            body = nullptr;
        }
        io.sendAll(out.data(), out.size());
        if (body && !body->empty())
            io.sendAll(body->data(), body->size());
    }
}

// Reads the whole answer to the request just sent.
ExchangeResult readAnswer(WireIo& io, PooledConnection& connection, const WireRequest& request) {
    std::vector<char>& buffer = connection.in;
    if (buffer.size() < kReadBuffer)
        buffer.resize(kReadBuffer);
    std::size_t have = 0;
    http::ResponseHead head;
    std::size_t head_end = readHead(io, buffer, have, head);
    const http::Framing framing = http::framingFor(head, request.method == "HEAD");

    ExchangeResult result;
    result.response.status = head.status;
    result.response.headers = std::move(head.headers);
    if (head.status == 101 && request.switched_bytes) {
        request.switched_bytes->assign(buffer.data() + head_end, have - head_end);
        return result;
    }
    bool clean_end =
        readBody(io, buffer, head_end, have, framing, head.status, result.response.body,
                 request.on_body);
    result.keep_alive = framing.keep_alive && clean_end;
    if (buffer.size() > kReadBuffer) // a huge head: do not keep 64 KiB per idle connection
        std::vector<char>(kReadBuffer).swap(buffer);
    return result;
}

} // namespace

ExchangeResult exchange(PooledConnection& connection, const WireRequest& request, Deadline deadline,
                        const CancelToken& cancel, Duration limit) {
    const std::string& what = request.describe;
    WireIo io(connection, deadline, cancel, what, limit);
    try {
        io.check();
        try {
            sendRequest(io, connection, request);
        } catch (const WireFailure&) {
            // A server may answer early (413 for a body over its limit, 401, …) and close while
            // the body is still going out: the send then fails with a broken pipe or a reset, but
            // the answer already sits in our receive buffer, and it is what the caller must see.
            // Plain sockets only: OpenSSL cannot read on after a failed write.
            if (connection.tls)
                throw;
            std::optional<ExchangeResult> early;
            try {
                early = readAnswer(io, connection, request);
            } catch (const std::exception&) {
                // No complete answer: the send failure is the error to report.
            }
            if (!early)
                throw;
            early->keep_alive = false;
            teardown(connection, io);
            return std::move(*early);
        }
        return readAnswer(io, connection, request);
    } catch (const SocktError&) {
        teardown(connection, io);
        throw;
    } catch (const http::ProtocolError& e) {
        teardown(connection, io);
        if (cancel.cancelled())
            throwCancelled(what);
        throwConnection(what,
                        std::string("the server's answer is not valid HTTP/1.1: ") + e.what());
    } catch (const WireFailure& e) {
        teardown(connection, io);
        if (!io.receivedAny() && connection.reused && !cancel.cancelled() &&
            Clock::now() < deadline)
            throw StaleConnection{e.what()};
        if (cancel.cancelled())
            throwCancelled(what);
        if (Clock::now() >= deadline)
            throwTimeout(what, limit);
        throwConnection(what, e.what());
    } catch (const Poco::Exception& e) {
        // TLS I/O (OpenSSL errors, a peer that vanished mid-record).
        teardown(connection, io);
        if (!io.receivedAny() && connection.reused && !cancel.cancelled() &&
            Clock::now() < deadline && !dynamic_cast<const Poco::TimeoutException*>(&e))
            throw StaleConnection{e.displayText()};
        rethrowTransport(e, deadline, cancel, what, limit);
    } catch (const std::exception& e) {
        teardown(connection, io);
        if (cancel.cancelled())
            throwCancelled(what);
        throwConnection(what, e.what());
    }
}

} // namespace sockt::detail
