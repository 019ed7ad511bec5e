// The HTTP/1.1 codec (core/src/transport/http_codec.*) as the exchange reads an answer: the head
// found and parsed (interim 1xx answers skipped), the framing chosen, the body read as it says
// (Content-Length, chunked, until close). Differential between read sizes: a head found in one
// buffer is found the same way when the bytes arrive in slices, and a chunked body decodes to the
// same bytes with the same end. The request head is checked not to let a byte split its lines.
#include "sockt/errors.hpp"
#include "transport/http_codec.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

namespace http = sockt::detail::http;

namespace {

struct HeadScan {
    std::size_t end = 0; // 0: incomplete
    bool failed = false;
};

HeadScan findWhole(std::string_view bytes) {
    HeadScan s;
    std::size_t scanned = 0;
    try {
        s.end = http::findHeadEnd(bytes.data(), bytes.size(), scanned);
    } catch (const http::ProtocolError&) {
        s.failed = true;
    }
    return s;
}

HeadScan findSliced(std::string_view bytes, std::size_t step) {
    HeadScan s;
    std::size_t scanned = 0;
    std::size_t have = 0;
    try {
        while (have < bytes.size()) {
            have = std::min(bytes.size(), have + step);
            s.end = http::findHeadEnd(bytes.data(), have, scanned);
            if (scanned > have || s.end > have)
                std::abort();
            if (s.end != 0)
                break;
        }
    } catch (const http::ProtocolError&) {
        s.failed = true;
    }
    return s;
}

struct Chunked {
    std::string body;
    std::size_t used = 0;
    bool done = false;
    bool failed = false;
};

Chunked decodeChunked(std::string_view bytes, std::size_t step) {
    Chunked c;
    http::ChunkedDecoder decoder;
    try {
        while (c.used < bytes.size() && !decoder.done()) {
            const std::size_t n = std::min(step, bytes.size() - c.used);
            const std::size_t took = decoder.feed(bytes.data() + c.used, n, c.body);
            if (took > n || (took < n && !decoder.done()))
                std::abort();
            c.used += took;
        }
    } catch (const http::ProtocolError&) {
        c.failed = true;
    }
    c.done = decoder.done();
    return c;
}

void readBody(std::string_view rest, const http::Framing& framing, std::size_t step) {
    switch (framing.kind) {
    case http::BodyKind::None:
    case http::BodyKind::UntilClose:
        return;
    case http::BodyKind::Length:
        if (framing.length > 999'999'999'999'999'999ULL)
            std::abort(); // at most 18 digits
        return;
    case http::BodyKind::Chunked: {
        const Chunked whole = decodeChunked(rest, rest.size() + 1);
        const Chunked sliced = decodeChunked(rest, step);
        if (whole.failed != sliced.failed)
            std::abort();
        if (!whole.failed &&
            (whole.body != sliced.body || whole.used != sliced.used || whole.done != sliced.done))
            std::abort();
        if (whole.body.size() > rest.size())
            std::abort();
        return;
    }
    }
}

void readAnswer(std::string_view wire, bool head_request, std::size_t step) {
    // A few interim answers may come first; each is dropped with its head (readHead).
    for (int answer = 0; answer < 8; ++answer) {
        const HeadScan whole = findWhole(wire);
        const HeadScan sliced = findSliced(wire, step);
        if (whole.failed != sliced.failed || whole.end != sliced.end)
            std::abort();
        if (whole.failed || whole.end == 0)
            return;
        http::ResponseHead head;
        try {
            head = http::parseHead(wire.data(), whole.end);
        } catch (const http::ProtocolError&) {
            return;
        }
        if (head.status < 100 || head.status > 999)
            std::abort();
        if (head.status < 200 && head.status != 101) {
            wire.remove_prefix(whole.end);
            continue;
        }
        http::Framing framing;
        try {
            framing = http::framingFor(head, head_request);
        } catch (const http::ProtocolError&) {
            return;
        }
        readBody(wire.substr(whole.end), framing, step);
        return;
    }
}

// appendRequestHead with a fuzzed target and header value: when it does not refuse the value,
// the head has exactly its own line ends (request line, Host, one header, the blank line).
void writeRequest(std::string_view target, std::string_view value) {
    std::string head;
    try {
        http::appendRequestHead(head, "GET", std::string(target), "example.test",
                                {{"X-Fuzz", std::string(value)}}, std::nullopt);
    } catch (const sockt::InvalidArgumentError&) {
        if (value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos)
            std::abort();
        return;
    }
    if (std::count(head.begin(), head.end(), '\n') != 4 ||
        std::count(head.begin(), head.end(), '\r') != 4)
        std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2)
        return 0;
    const bool head_request = (data[0] & 1) != 0;
    const std::size_t step = 1 + data[1] % 32; // read size of the sliced passes
    const std::string_view wire(reinterpret_cast<const char*>(data) + 2, size - 2);
    readAnswer(wire, head_request, step);

    const std::size_t cut = wire.find('\n');
    if (cut != std::string_view::npos)
        writeRequest(wire.substr(0, cut), wire.substr(cut + 1, 200));
    return 0;
}
