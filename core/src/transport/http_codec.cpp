// HTTP/1.1 codec (see http_codec.hpp). Section numbers are RFC 9112 unless stated otherwise.
#include "transport/http_codec.hpp"

#include "sockt/errors.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>

namespace sockt::detail::http {
namespace {

// A chunk-size line with extensions; generous, but bounded like the head.
constexpr std::size_t kMaxChunkLine = 8 * 1024;

char lowerChar(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool isTokenChar(unsigned char c) {
    // tchar (RFC 9110 §5.6.2)
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        return true;
    return c != 0 && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

bool isOws(char c) {
    return c == ' ' || c == '\t';
}

// A short printable excerpt of bad bytes for an error message.
std::string excerpt(const char* data, std::size_t size) {
    std::string out;
    for (std::size_t i = 0; i < size && i < 60; ++i) {
        auto c = static_cast<unsigned char>(data[i]);
        out += (c >= 0x20 && c < 0x7F) ? static_cast<char>(c) : '?';
    }
    if (size > 60)
        out += "...";
    return out;
}

std::string trimmed(const std::string& s, std::size_t b, std::size_t e) {
    while (b < e && isOws(s[b]))
        ++b;
    while (e > b && isOws(s[e - 1]))
        --e;
    return s.substr(b, e - b);
}

// The comma-separated list elements of a header value (RFC 9110 §5.6.1), trimmed, lower-cased.
std::vector<std::string> listElements(const std::string& value) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos <= value.size()) {
        std::size_t comma = value.find(',', pos);
        if (comma == std::string::npos)
            comma = value.size();
        std::string element = trimmed(value, pos, comma);
        for (auto& c : element)
            c = lowerChar(c);
        if (!element.empty())
            out.push_back(std::move(element));
        pos = comma + 1;
    }
    return out;
}

bool hasToken(const std::map<std::string, std::string>& headers, const char* name,
              const char* token) {
    auto it = headers.find(name);
    if (it == headers.end())
        return false;
    for (const auto& element : listElements(it->second))
        if (element == token)
            return true;
    return false;
}

// §6.3 rule 5: "Content-Length: 5, 5" (a repeated header) is fine when every value agrees.
std::uint64_t parseContentLength(const std::string& value) {
    auto elements = listElements(value);
    if (elements.empty())
        throw ProtocolError("empty Content-Length header");
    for (const auto& e : elements) {
        if (e != elements.front())
            throw ProtocolError("conflicting Content-Length values '" +
                                excerpt(value.data(), value.size()) + "'");
    }
    const std::string& digits = elements.front();
    if (digits.size() > 18 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
        throw ProtocolError("invalid Content-Length '" + excerpt(value.data(), value.size()) + "'");
    return std::stoull(digits);
}

} // namespace

void appendRequestHead(std::string& out, const std::string& method, const std::string& target,
                       const std::string& host,
                       const std::vector<std::pair<std::string, std::string>>& headers,
                       std::optional<std::size_t> body_length) {
    static const char kHex[] = "0123456789ABCDEF";
    out += method;
    out += ' ';
    for (char ch : target) {
        auto c = static_cast<unsigned char>(ch);
        if (c <= 0x20 || c == 0x7F) {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 0xF];
        } else {
            out += ch;
        }
    }
    out += " HTTP/1.1\r\nHost: ";
    out += host;
    out += "\r\n";
    for (const auto& [name, value] : headers) {
        if (value.find_first_of(std::string("\r\n\0", 3)) != std::string::npos)
            throw InvalidArgumentError({"the " + name +
                                            " header contains a line break or NUL; remove it "
                                            "from the configured value",
                                        "", 0});
        out += name;
        out += ": ";
        out += value;
        out += "\r\n";
    }
    if (body_length) {
        out += "Content-Type: application/json\r\nContent-Length: ";
        out += std::to_string(*body_length);
        out += "\r\n";
    } else if (method != "GET" && method != "HEAD") {
        // docs/protocol.md §1.2: bodiless POST/DELETE carry no body and no Content-Type; the
        // explicit zero length keeps the framing unambiguous.
        out += "Content-Length: 0\r\n";
    }
    out += "\r\n";
}

std::size_t findHeadEnd(const char* data, std::size_t size, std::size_t& scanned) {
    // The head ends at the first empty line: "\n\r\n" or "\n\n" (§2.2 allows a bare LF).
    const std::size_t limit = std::min(size, kMaxHeadBytes);
    std::size_t i = scanned;
    while (i < limit) {
        const void* nl = std::memchr(data + i, '\n', limit - i);
        if (!nl) {
            i = limit;
            break;
        }
        i = static_cast<std::size_t>(static_cast<const char*>(nl) - data);
        if (i + 1 < size && data[i + 1] == '\n')
            return i + 2;
        if (i + 2 < size && data[i + 1] == '\r' && data[i + 2] == '\n')
            return i + 3;
        if (i + 2 >= size)
            break; // the bytes that decide are still to come: resume here
        ++i;
    }
    scanned = i;
    if (i >= kMaxHeadBytes) // every line end in the first kMaxHeadBytes was decided: no blank line
        throw ProtocolError("response head larger than " + std::to_string(kMaxHeadBytes) +
                            " bytes");
    return 0;
}

ResponseHead parseHead(const char* data, std::size_t size) {
    ResponseHead head;
    std::size_t pos = 0;
    auto nextLine = [&](std::size_t& b, std::size_t& e) {
        const void* nl = std::memchr(data + pos, '\n', size - pos);
        if (!nl)
            throw ProtocolError("response head without line end");
        b = pos;
        e = static_cast<std::size_t>(static_cast<const char*>(nl) - data);
        pos = e + 1;
        if (e > b && data[e - 1] == '\r')
            --e;
    };

    // status-line = HTTP-version SP 3DIGIT SP [ reason-phrase ]   (§4)
    std::size_t b = 0;
    std::size_t e = 0;
    nextLine(b, e);
    const char* s = data + b;
    const std::size_t n = e - b;
    if (n < 12 || std::memcmp(s, "HTTP/1.", 7) != 0 || s[7] < '0' || s[7] > '9' || s[8] != ' ' ||
        !std::isdigit(static_cast<unsigned char>(s[9])) ||
        !std::isdigit(static_cast<unsigned char>(s[10])) ||
        !std::isdigit(static_cast<unsigned char>(s[11])) || (n > 12 && s[12] != ' '))
        throw ProtocolError("malformed status line '" + excerpt(s, n) + "'");
    head.minor_version = s[7] - '0';
    head.status = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
    if (head.status < 100)
        throw ProtocolError("malformed status line '" + excerpt(s, n) + "'");

    // field-line = field-name ":" OWS field-value OWS   (§5)
    std::string name;
    while (true) {
        nextLine(b, e);
        if (b == e)
            break; // the blank line
        if (isOws(data[b]))
            throw ProtocolError("folded header line '" + excerpt(data + b, e - b) +
                                "' (obsolete line folding is not accepted)");
        std::size_t colon = b;
        while (colon < e && data[colon] != ':')
            ++colon;
        if (colon == e || colon == b)
            throw ProtocolError("malformed header line '" + excerpt(data + b, e - b) + "'");
        name.assign(data + b, colon - b);
        for (auto& c : name) {
            if (!isTokenChar(static_cast<unsigned char>(c)))
                throw ProtocolError("malformed header name '" + excerpt(name.data(), name.size()) +
                                    "'");
            c = lowerChar(c);
        }
        std::size_t vb = colon + 1;
        std::size_t ve = e;
        while (vb < ve && isOws(data[vb]))
            ++vb;
        while (ve > vb && isOws(data[ve - 1]))
            --ve;
        auto [it, inserted] = head.headers.try_emplace(name, data + vb, ve - vb);
        if (!inserted) {
            it->second += ", ";
            it->second.append(data + vb, ve - vb);
        }
    }
    return head;
}

Framing framingFor(const ResponseHead& head, bool head_request) {
    Framing f;
    const auto& h = head.headers;
    // §9.3: HTTP/1.1 persists unless "close"; HTTP/1.0 only with an explicit "keep-alive".
    if (head.minor_version >= 1)
        f.keep_alive = !hasToken(h, "connection", "close");
    else
        f.keep_alive =
            hasToken(h, "connection", "keep-alive") && !hasToken(h, "connection", "close");

    // §6.3 rules 1-2: no body after HEAD, 1xx, 204, 304 (whatever the headers say).
    if (head_request || head.status < 200 || head.status == 204 || head.status == 304) {
        f.kind = BodyKind::None;
        if (head.status == 101) // the connection now speaks another protocol
            f.keep_alive = false;
        return f;
    }
    auto te = h.find("transfer-encoding");
    if (te != h.end()) {
        // §6.3 rule 3: Transfer-Encoding wins over Content-Length; chunked must be the final
        // coding, else the body runs until the server closes. Both present may be a smuggling
        // attempt: never reuse such a connection.
        auto codings = listElements(te->second);
        if (!codings.empty() && codings.back() == "chunked") {
            f.kind = BodyKind::Chunked;
            if (h.count("content-length"))
                f.keep_alive = false;
        } else {
            f.kind = BodyKind::UntilClose;
            f.keep_alive = false;
        }
        return f;
    }
    auto cl = h.find("content-length");
    if (cl != h.end()) {
        f.kind = BodyKind::Length;
        f.length = parseContentLength(cl->second);
        return f;
    }
    // §6.3 rule 8: neither: the body is everything until the server closes.
    f.kind = BodyKind::UntilClose;
    f.keep_alive = false;
    return f;
}

void ChunkedDecoder::endOfLine() {
    if (!line_.empty() && line_.back() == '\r')
        line_.pop_back();
    switch (state_) {
    case State::Size: {
        // chunk = chunk-size [ chunk-ext ] CRLF   (§7.1); BWS before ';' is tolerated (§7.1.1)
        std::size_t i = 0;
        std::uint64_t size = 0;
        while (i < line_.size() && std::isxdigit(static_cast<unsigned char>(line_[i]))) {
            if (i >= 15)
                throw ProtocolError("chunk size too large");
            char c = lowerChar(line_[i]);
            size = size * 16 + static_cast<std::uint64_t>(c <= '9' ? c - '0' : c - 'a' + 10);
            ++i;
        }
        std::size_t rest = i;
        while (rest < line_.size() && isOws(line_[rest]))
            ++rest;
        if (i == 0 || (rest < line_.size() && line_[rest] != ';'))
            throw ProtocolError("malformed chunk size line '" +
                                excerpt(line_.data(), line_.size()) + "'");
        left_ = size;
        state_ = size == 0 ? State::Trailer : State::Data;
        break;
    }
    case State::DataEnd:
        if (!line_.empty())
            throw ProtocolError("chunk data longer than its size");
        state_ = State::Size;
        break;
    case State::Trailer:
        if (line_.empty()) {
            state_ = State::Done;
        } else if (line_.find(':') == std::string::npos || isOws(line_.front())) {
            throw ProtocolError("malformed trailer line '" + excerpt(line_.data(), line_.size()) +
                                "'");
        }
        break;
    default:
        break;
    }
    line_.clear();
}

std::size_t ChunkedDecoder::feed(const char* data, std::size_t size, std::string& body) {
    std::size_t pos = 0;
    while (pos < size && state_ != State::Done) {
        if (state_ == State::Data) {
            std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(left_, size - pos));
            body.append(data + pos, take);
            pos += take;
            left_ -= take;
            if (left_ == 0)
                state_ = State::DataEnd;
            continue;
        }
        // A line: size line, the CRLF closing a chunk's data, or a trailer line.
        const void* nl = std::memchr(data + pos, '\n', size - pos);
        std::size_t end = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - data) : size;
        line_.append(data + pos, end - pos);
        if (state_ == State::Trailer) // the line's bytes, its LF once it has come
            trailer_bytes_ += end - pos + (nl ? 1 : 0);
        if (line_.size() > kMaxChunkLine || trailer_bytes_ > kMaxHeadBytes)
            throw ProtocolError(state_ == State::Trailer ? "chunked trailers too large"
                                                         : "chunk size line too long");
        pos = end;
        if (nl) {
            ++pos;
            endOfLine();
        }
    }
    return pos;
}

} // namespace sockt::detail::http
