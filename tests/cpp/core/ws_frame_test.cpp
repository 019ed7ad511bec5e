// RFC 6455 frames and messages as the shell client and `sockt serve` read them
// (core/wire/: sockt_wire, which the core tests link).
#include "wire/ws_frame.hpp"
#include "wire/ws_message.hpp"

#include <gtest/gtest.h>
#include <optional>
#include <string>
#include <vector>

namespace ws = sockt::detail::ws;

namespace {

std::string bytes(std::initializer_list<int> list) {
    std::string out;
    for (int b : list)
        out += static_cast<char>(b);
    return out;
}

std::string closeBody(int code, const std::string& reason = {}) {
    return ws::closePayload(code, reason);
}

/// The close code a parser + assembler fails with on `wire`, 0 when it reads it all cleanly.
int violationCode(ws::Sender sender, const std::string& wire, std::size_t limit = 1 << 20) {
    ws::FrameParser parser(sender, limit);
    ws::MessageAssembler assembler(limit);
    parser.feed(wire.data(), wire.size());
    try {
        while (auto frame = parser.next())
            assembler.take(std::move(*frame));
    } catch (const ws::ProtocolViolation& v) {
        return v.close_code;
    }
    return 0;
}

/// Every message of `wire`, fed one byte at a time.
std::vector<ws::Message> messages(ws::Sender sender, const std::string& wire) {
    ws::FrameParser parser(sender, 1 << 20);
    ws::MessageAssembler assembler(1 << 20);
    std::vector<ws::Message> out;
    for (char c : wire) {
        parser.feed(&c, 1);
        while (auto frame = parser.next())
            if (auto m = assembler.take(std::move(*frame)))
                out.push_back(std::move(*m));
    }
    return out;
}

std::string serverFrame(std::uint8_t opcode, const std::string& payload, bool fin = true) {
    return ws::encodeFrame(ws::Sender::Server, opcode, payload, fin);
}

} // namespace

TEST(WsFrame, AcceptKeyIsTheRfcExample) {
    EXPECT_EQ(ws::acceptKey("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    EXPECT_EQ(ws::randomKey().size(), 24u);
    EXPECT_NE(ws::randomKey(), ws::randomKey());
}

TEST(WsFrame, LengthEncodingsRoundTripForBothSenders) {
    for (std::size_t n : {0u, 1u, 125u, 126u, 127u, 65535u, 65536u, 70000u}) {
        SCOPED_TRACE(n);
        std::string payload(n, '\0');
        for (std::size_t i = 0; i < n; ++i)
            payload[i] = static_cast<char>(i * 7);
        for (auto sender : {ws::Sender::Client, ws::Sender::Server}) {
            const std::string wire = ws::encodeFrame(sender, ws::kBinary, payload, false);
            const std::size_t header = (n < 126       ? 2
                                        : n <= 0xFFFF ? 4
                                                      : 10) +
                                       (sender == ws::Sender::Client ? 4 : 0);
            ASSERT_EQ(wire.size(), header + n);
            EXPECT_EQ(static_cast<std::uint8_t>(wire[0]), 0x02); // not final, binary
            EXPECT_EQ((static_cast<std::uint8_t>(wire[1]) & 0x80) != 0,
                      sender == ws::Sender::Client);
            ws::FrameParser parser(sender, 1 << 20);
            parser.feed(wire.data(), wire.size() - 1);
            EXPECT_FALSE(parser.next()); // one byte short
            parser.feed(wire.data() + wire.size() - 1, 1);
            auto frame = parser.next();
            ASSERT_TRUE(frame);
            EXPECT_FALSE(frame->fin);
            EXPECT_EQ(frame->opcode, ws::kBinary);
            EXPECT_EQ(frame->payload, payload);
            EXPECT_FALSE(parser.next());
        }
    }
}

TEST(WsFrame, MaskingMustMatchTheSender) {
    // §5.1: a server fails a connection on an unmasked client frame, a client on a masked one.
    EXPECT_EQ(violationCode(ws::Sender::Client, serverFrame(ws::kText, "{}")), 1002);
    EXPECT_EQ(violationCode(ws::Sender::Server, ws::encodeClientFrame(ws::kText, "{}")), 1002);
    EXPECT_EQ(violationCode(ws::Sender::Client, ws::encodeClientFrame(ws::kText, "{}")), 0);
    EXPECT_EQ(violationCode(ws::Sender::Server, serverFrame(ws::kText, "{}")), 0);
}

TEST(WsFrame, ReservedBitsAndOpcodesAreProtocolErrors) {
    for (int rsv : {0x40, 0x20, 0x10}) {
        std::string wire = serverFrame(ws::kText, "{}");
        wire[0] = static_cast<char>(wire[0] | rsv);
        EXPECT_EQ(violationCode(ws::Sender::Server, wire), 1002) << rsv;
    }
    for (int opcode : {3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF})
        EXPECT_EQ(violationCode(ws::Sender::Server, serverFrame(opcode, "x")), 1002) << opcode;
}

TEST(WsFrame, ControlFramesAreShortAndWhole) {
    EXPECT_EQ(violationCode(ws::Sender::Server, serverFrame(ws::kPing, std::string(125, 'p'))), 0);
    EXPECT_EQ(violationCode(ws::Sender::Server, serverFrame(ws::kPing, std::string(126, 'p'))),
              1002);
    EXPECT_EQ(violationCode(ws::Sender::Server, serverFrame(ws::kPong, "p", false)), 1002);
    EXPECT_EQ(violationCode(ws::Sender::Server, serverFrame(ws::kClose, closeBody(1000), false)),
              1002);
}

TEST(WsFrame, OversizedFramesFailAsSoonAsTheHeaderArrives) {
    ws::FrameParser parser(ws::Sender::Server, 1000);
    const std::string header = bytes({0x82, 126, 0x03, 0xE9}); // 1001 bytes announced, none sent
    parser.feed(header.data(), header.size());
    try {
        parser.next();
        FAIL() << "no violation";
    } catch (const ws::ProtocolViolation& v) {
        EXPECT_EQ(v.close_code, 1009);
    }
    // §5.2: the top bit of a 64-bit length must be 0.
    EXPECT_EQ(violationCode(ws::Sender::Server, bytes({0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 1})),
              1002);
}

TEST(WsMessage, FragmentsAreJoinedAroundControlFrames) {
    const std::string wire =
        serverFrame(ws::kText, "{\"type\":", false) + serverFrame(ws::kPing, "are you there") +
        serverFrame(ws::kContinuation, "\"stdout\",", false) + serverFrame(ws::kPong, "") +
        serverFrame(ws::kContinuation, "\"data\":\"x\"}") + serverFrame(ws::kBinary, "raw") +
        serverFrame(ws::kClose, "");
    auto got = messages(ws::Sender::Server, wire);
    ASSERT_EQ(got.size(), 5u);
    EXPECT_EQ(got[0].kind, ws::Message::Kind::Ping);
    EXPECT_EQ(got[0].payload, "are you there");
    EXPECT_EQ(got[1].kind, ws::Message::Kind::Pong);
    EXPECT_EQ(got[2].kind, ws::Message::Kind::Data);
    EXPECT_EQ(got[2].opcode, ws::kText);
    EXPECT_EQ(got[2].payload, R"({"type":"stdout","data":"x"})");
    EXPECT_EQ(got[3].opcode, ws::kBinary);
    EXPECT_EQ(got[3].payload, "raw");
    EXPECT_EQ(got[4].kind, ws::Message::Kind::Close);
    EXPECT_EQ(got[4].close_code, 1005); // no code on the wire
}

TEST(WsMessage, ContinuationsMustContinueSomething) {
    EXPECT_EQ(violationCode(ws::Sender::Server, serverFrame(ws::kContinuation, "x")), 1002);
    EXPECT_EQ(violationCode(ws::Sender::Server,
                            serverFrame(ws::kText, "a") + serverFrame(ws::kContinuation, "b")),
              1002);
    EXPECT_EQ(violationCode(ws::Sender::Server,
                            serverFrame(ws::kText, "a", false) + serverFrame(ws::kBinary, "b")),
              1002);
}

TEST(WsMessage, MessagesOverTheLimitFailWith1009) {
    const std::string fragments = serverFrame(ws::kBinary, std::string(600, 'a'), false) +
                                  serverFrame(ws::kContinuation, std::string(400, 'b'), false);
    EXPECT_EQ(
        violationCode(ws::Sender::Server, fragments + serverFrame(ws::kContinuation, ""), 1000), 0);
    EXPECT_EQ(
        violationCode(ws::Sender::Server, fragments + serverFrame(ws::kContinuation, "c"), 1000),
        1009);
}

TEST(WsMessage, TextMustBeUtf8AsAWhole) {
    // "é" split between two fragments is fine; the message as a whole must be UTF-8.
    EXPECT_EQ(violationCode(ws::Sender::Server, serverFrame(ws::kText, "caf\xC3", false) +
                                                    serverFrame(ws::kContinuation, "\xA9")),
              0);
    EXPECT_EQ(violationCode(ws::Sender::Server, serverFrame(ws::kText, "caf\xC3")), 1007);
    EXPECT_EQ(violationCode(ws::Sender::Server, serverFrame(ws::kBinary, "caf\xC3")), 0);
}

TEST(WsMessage, CloseCodesAndReasons) {
    for (int code :
         {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1014, 3000, 4999}) {
        auto got = messages(ws::Sender::Server, serverFrame(ws::kClose, closeBody(code, "bye")));
        ASSERT_EQ(got.size(), 1u) << code;
        EXPECT_EQ(got[0].close_code, code);
        EXPECT_EQ(got[0].payload, "bye");
    }
    // §7.4: 1005 and 1006 mean "none" and are never sent; the rest are reserved or out of range.
    for (int code : {0, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000, 65535})
        EXPECT_EQ(violationCode(ws::Sender::Server, serverFrame(ws::kClose, closeBody(code))), 1002)
            << code;
    EXPECT_EQ(violationCode(ws::Sender::Server, serverFrame(ws::kClose, bytes({0x03}))), 1002);
    EXPECT_EQ(violationCode(ws::Sender::Server, serverFrame(ws::kClose, closeBody(1000, "\xFF"))),
              1007);
}

TEST(WsMessage, Utf8Validation) {
    EXPECT_TRUE(ws::isValidUtf8(""));
    EXPECT_TRUE(ws::isValidUtf8("plain ascii that is longer than sixteen bytes"));
    EXPECT_TRUE(ws::isValidUtf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF"));
    EXPECT_TRUE(ws::isValidUtf8("12345678\xED\x9F\xBF")); // U+D7FF after an ASCII word
    for (const char* bad :
         {"\x80", "\xC0\xAF", "\xC1\xBF", "\xE0\x80\xAF", "\xED\xA0\x80", "\xF0\x80\x80\xAF",
          "\xF4\x90\x80\x80", "\xF5\x80\x80\x80", "\xFF", "\xC3", "\xE2\x82", "\xF0\x9F\x98",
          "abcdefgh\xE2\x28\xA1", "\xE2\x82\xAC\x80"})
        EXPECT_FALSE(ws::isValidUtf8(bad)) << ::testing::PrintToString(std::string(bad));
}
