// INTERNAL: the HTTP/1.1 message codec of the core's transport (RFC 9112), without I/O.
//
// Why our own codec instead of Poco's HTTPClientSession streams: a status round trip through
// Poco's stream stack (header streams built per request, MessageHeader::read, several small
// socket reads) cost more client CPU than the whole server (bench/FINDINGS.md F2). The head is
// formatted into one buffer and sent with one send(); the answer is parsed from the bytes of the
// first recv() when it fits. Only what a client needs is implemented: Content-Length, chunked
// (extensions and trailers skipped) and read-until-close bodies, interim 1xx answers, keep-alive.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace sockt::detail::http {

/// Largest response head (status line + headers, or the trailers of a chunked body) accepted.
/// Real heads are < 2 KiB; a bigger one is a broken or hostile peer, not something to buffer.
inline constexpr std::size_t kMaxHeadBytes = 64 * 1024;

/// Bytes that are not a valid HTTP/1.1 response. The exchange reports it as a ConnectionError.
class ProtocolError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Appends "METHOD target HTTP/1.1", Host, `headers`, Content-Type/Content-Length (when the request
/// has a body of `body_length` bytes) and the blank line to `out`. A bodiless POST/PUT/PATCH/DELETE
/// gets `Content-Length: 0` (docs/protocol.md §1.2: no body, no Content-Type). Bytes of `target`
/// that may not appear in a request line (controls, space) are percent-encoded; a header value with
/// CR, LF or NUL throws InvalidArgumentError (it would split the head).
void appendRequestHead(std::string& out, const std::string& method, const std::string& target,
                       const std::string& host,
                       const std::vector<std::pair<std::string, std::string>>& headers,
                       std::optional<std::size_t> body_length);

/// Length of the head at the start of `data` (through its blank line), or 0 while incomplete.
/// `scanned` carries the search position between calls so a head arriving a byte at a time is
/// scanned once. Throws ProtocolError when kMaxHeadBytes pass without the end of the head.
std::size_t findHeadEnd(const char* data, std::size_t size, std::size_t& scanned);

struct ResponseHead {
    int status = 0;
    int minor_version = 1;                      // HTTP/1.<minor>
    std::map<std::string, std::string> headers; // lower-cased names, repeats joined with ", "
};

/// Parses a complete head (as delimited by findHeadEnd). Throws ProtocolError.
ResponseHead parseHead(const char* data, std::size_t size);

enum class BodyKind { None, Length, Chunked, UntilClose };

struct Framing {
    BodyKind kind = BodyKind::None;
    std::uint64_t length = 0; // BodyKind::Length
    bool keep_alive = false;  // the connection may carry another request afterwards
};

/// How the body of `head` is delimited and whether the connection persists (RFC 9112 §6.3,
/// §9.3). Throws ProtocolError for an invalid Content-Length.
Framing framingFor(const ResponseHead& head, bool head_request);

/// Incremental decoder of a chunked body (RFC 9112 §7.1): chunk extensions and trailer fields
/// are read and dropped.
class ChunkedDecoder {
public:
    /// Consumes bytes from `data`, appending the payload to `body`. Returns how many bytes were
    /// consumed: less than `size` only once done() (the rest follows the message).
    std::size_t feed(const char* data, std::size_t size, std::string& body);
    bool done() const { return state_ == State::Done; }

private:
    enum class State { Size, Data, DataEnd, Trailer, Done };
    void endOfLine();
    State state_ = State::Size;
    std::string line_; // the line being assembled (size line, CRLF after data, trailer)
    std::uint64_t left_ = 0;
    std::size_t trailer_bytes_ = 0;
};

} // namespace sockt::detail::http
