// The chunked body decoder (core/src/transport/http_codec.*; an internal header) gives the same
// answer however the bytes are cut into reads, up to its limits.
#include "transport/http_codec.hpp"

#include <gtest/gtest.h>
#include <string>

namespace http = sockt::detail::http;

namespace {

struct Decoded {
    std::string body;
    bool done = false;
    std::string error;
};

Decoded decode(const std::string& wire, std::size_t step) {
    Decoded d;
    http::ChunkedDecoder decoder;
    try {
        for (std::size_t at = 0; at < wire.size() && !decoder.done(); at += step)
            decoder.feed(wire.data() + at, std::min(step, wire.size() - at), d.body);
    } catch (const http::ProtocolError& e) {
        d.error = e.what();
    }
    d.done = decoder.done();
    return d;
}

} // namespace

TEST(ChunkedDecoder, TrailersNearTheLimitAreAcceptedWhateverTheReadSize) {
    // 40 KiB of trailer lines: under the 64 KiB limit. A partial line used to be counted once
    // more for every read it spanned, so byte-sized reads refused what one read accepted.
    std::string wire = "5\r\nhello\r\n0\r\n";
    for (int i = 0; i < 40; ++i)
        wire += "X-Trailer-" + std::to_string(i) + ": " + std::string(1000, 'v') + "\r\n";
    wire += "\r\n";
    for (std::size_t step : {wire.size(), std::size_t{4096}, std::size_t{7}, std::size_t{1}}) {
        SCOPED_TRACE(step);
        const Decoded d = decode(wire, step);
        EXPECT_EQ(d.error, "");
        EXPECT_TRUE(d.done);
        EXPECT_EQ(d.body, "hello");
    }
}

TEST(ChunkedDecoder, TrailersOverTheLimitAreRefusedWhateverTheReadSize) {
    std::string wire = "0\r\n";
    while (wire.size() < http::kMaxHeadBytes + 100)
        wire += "X-Big: " + std::string(1000, 'v') + "\r\n";
    wire += "\r\n";
    for (std::size_t step : {wire.size(), std::size_t{1}}) {
        SCOPED_TRACE(step);
        const Decoded d = decode(wire, step);
        EXPECT_EQ(d.error, "chunked trailers too large");
        EXPECT_FALSE(d.done);
    }
}
