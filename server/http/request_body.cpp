#include "http/request_body.hpp"

#include "sockt/protocol.hpp"
#include "wire/plain_members.hpp"

#include <Poco/Ascii.h>
#include <Poco/Buffer.h>
#include <Poco/Exception.h>
#include <Poco/Net/HTTPBufferAllocator.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerSession.h>
#include <algorithm>
#include <istream>

namespace sockt::server {
namespace {

// The buffer of Poco's HTTP session: what it may have read past the head.
constexpr std::size_t kDirectBufferSize = Poco::Net::HTTPBufferAllocator::BUFFER_SIZE;

struct RawBody {
    std::string data;
    bool too_large = false;
    bool bad_length = false;
};

// §1.2: 72 MiB per body. Content-Length is checked before reading; a chunked body is counted
// while it arrives and reading stops at the limit (the connection is then closed).
RawBody readRaw(Poco::Net::HTTPServerRequest& request) {
    RawBody body;
    const bool chunked = request.getChunkedTransferEncoding();
    if (request.hasContentLength() && !chunked && request.getContentLength64() < 0) {
        // Poco reads a negative length as "no bytes"; the client meant something else, and
        // whatever it sends next cannot be framed.
        body.bad_length = true;
        return body;
    }
    if (request.hasContentLength() &&
        request.getContentLength64() > protocol::kMaxRequestBodyBytes) {
        body.too_large = true;
        return body;
    }
    if (!request.hasContentLength() && !chunked)
        return body;
    // A known length is reserved whole (≤ 72 MiB, checked above) and the bytes are read straight
    // into it, so a large body is never copied while the string grows (bench finding S1). Only
    // the address space is taken up front: pages are touched as bytes arrive.
    const auto limit = static_cast<std::size_t>(protocol::kMaxRequestBodyBytes);
    const std::size_t wanted =
        request.hasContentLength()
            ? static_cast<std::size_t>(request.getContentLength64())
            : limit + 1; // one byte over the limit proves a chunked body too large
    if (request.hasContentLength())
        body.data.reserve(wanted);
    constexpr std::size_t kSlice = 1024 * 1024;
    auto& in = request.stream();
    // A large body with a known length is received straight from the socket a slice at a time:
    // Poco's body stream refills 4 KiB per recv(2), i.e. 11,000 calls (and as many window
    // updates) for a 32 MiB file's base64. The session first hands over what it read along with
    // the head (less than its 4 KiB buffer, so all of it belongs to this body).
    auto* direct = request.hasContentLength() && wanted >= 16 * kDirectBufferSize
                       ? dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&request)
                       : nullptr;
    if (direct) {
        Poco::Buffer<char> early(0);
        direct->session().drainBuffer(early);
        body.data.append(early.begin(), std::min(early.size(), wanted));
    }
    while (direct && body.data.size() < wanted) {
        const std::size_t had = body.data.size();
        body.data.resize(had + std::min(kSlice, wanted - had));
        int n = 0;
        try {
            n = direct->socket().receiveBytes(body.data.data() + had,
                                              static_cast<int>(body.data.size() - had));
        } catch (const Poco::Exception&) {
            n = 0; // a timeout or reset: a short body, as the stream would report it
        }
        body.data.resize(had + static_cast<std::size_t>(n > 0 ? n : 0));
        if (n <= 0)
            break;
    }
    while (!direct && in && body.data.size() < wanted) {
        const std::size_t had = body.data.size();
        body.data.resize(had + std::min(kSlice, wanted - had));
        in.read(body.data.data() + had, static_cast<std::streamsize>(body.data.size() - had));
        const auto n = in.gcount();
        body.data.resize(had + static_cast<std::size_t>(n > 0 ? n : 0));
        if (n <= 0)
            break;
    }
    if (body.data.size() > limit) {
        body.too_large = true;
        std::string().swap(body.data);
        // Drain a little more so the 413 is not lost to a reset from unread bytes at close.
        char buf[64 * 1024];
        std::int64_t drained = 0;
        while (in && drained < 4 * 1024 * 1024) {
            in.read(buf, sizeof buf);
            if (in.gcount() <= 0)
                break;
            drained += in.gcount();
        }
    }
    return body;
}

/// Takes the top-level `content` string of a files/write body out of `raw` without a JSON lexer
/// running over it, and parses the rest. json::findPlainMembers finds the value and explains why
/// the parse of the rest, with `""` in the value's place, is the verdict on the whole body (its
/// depth, counts, keys and numbers are the whole body's too, and the cut-out string is valid).
/// Returns nullopt, leaving `raw` alone, for anything the walk does not vouch for (a non-string
/// `content`, a missing one, trailing bytes): the whole body then takes the parser.
std::optional<ParsedBody> parseWriteBody(std::string& raw, std::shared_ptr<std::string>* content) {
    const std::string_view s(raw);
    sockt::json::PlainMember members[] = {{"content"}};
    const auto end = sockt::json::findPlainMembers(s, members);
    if (!end || !members[0].found() || s.find_first_not_of(" \t\n\r", *end) != s.npos)
        return std::nullopt;
    const std::size_t open = members[0].begin - 1; // the quotes around the value
    const std::size_t close = members[0].end;
    std::string rest;
    rest.reserve(s.size() - (close - open - 1));
    rest.append(s.substr(0, open + 1));
    rest.append(s.substr(close));
    ParsedBody parsed = parseBoundedJson(rest);
    if (!parsed.ok())
        return parsed;
    parsed.value.erase("content");
    // In place: no second 43 MB buffer to allocate and fault in.
    raw.erase(close);
    raw.erase(0, open + 1);
    *content = std::make_shared<std::string>(std::move(raw));
    return parsed;
}

bool allSpace(const std::string& data) { // what `Poco::trim(data).empty()` says, without a copy
    return std::all_of(data.begin(), data.end(), [](char c) { return Poco::Ascii::isSpace(c); });
}

} // namespace

std::string RequestBody::token() const {
    if (json && json->ok() && json->value.is_object()) {
        auto it = json->value.find("sandbox_token");
        if (it != json->value.end() && it->is_string())
            return it->get<std::string>();
    }
    return {};
}

ApiError badContentLength() {
    return ApiError("invalid_params", "Content-Length must be a number of bytes >= 0",
                    "send the body's exact length in bytes, or no Content-Length at all");
}

RequestBody readRequestBody(Poco::Net::HTTPServerRequest& request, bool cut_write_content) {
    RawBody raw = readRaw(request);
    RequestBody body;
    body.too_large = raw.too_large;
    body.bad_length = raw.bad_length;
    if (raw.too_large || raw.bad_length || allSpace(raw.data))
        return body;
    if (cut_write_content)
        body.json = parseWriteBody(raw.data, &body.content);
    if (!body.json)
        body.json = parseBoundedJson(raw.data);
    return body;
}

} // namespace sockt::server
