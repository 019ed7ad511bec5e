// WebSocket frames and messages (core/wire/src/ws_frame.*, ws_message.*) as one side reads the
// other's: built as fuzz_ws_client_frames (what `sockt serve` reads from shell clients, then
// decodes with server/shell/client_message.*) and fuzz_ws_server_frames (what the shell client
// reads from a server, then reads as ShellFrame). Differential between read sizes: the same bytes
// give the same messages and the same close code whether they arrive at once or in slices; every
// message obeys RFC 6455 (UTF-8 text, control payloads ≤ 125 bytes, sendable close codes); frames
// re-encoded as their sender writes them (ws::encodeFrame) parse back to themselves.
#include "wire/ws_frame.hpp"
#include "wire/ws_message.hpp"
#include "sockt/models.hpp"

#if SOCKT_FUZZ_SENDER_CLIENT
#include "shell/client_message.hpp"
#endif

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace ws = sockt::detail::ws;

namespace {

#if SOCKT_FUZZ_SENDER_CLIENT
constexpr ws::Sender kSender = ws::Sender::Client;
constexpr std::size_t kProductionLimit = 1 << 20; // server/shell: 1 MiB
#else
constexpr ws::Sender kSender = ws::Sender::Server;
constexpr std::size_t kProductionLimit = 16 << 20; // core/src/shell: 16 MiB
#endif

struct Outcome {
    std::vector<ws::Frame> frames;
    std::vector<ws::Message> messages;
    int close_code = 0; // of the violation that ended the read, 0 when none
};

bool sameFrame(const ws::Frame& a, const ws::Frame& b) {
    return a.fin == b.fin && a.opcode == b.opcode && a.payload == b.payload;
}

bool sameMessage(const ws::Message& a, const ws::Message& b) {
    return a.kind == b.kind && a.opcode == b.opcode && a.payload == b.payload &&
           a.close_code == b.close_code;
}

Outcome read(std::string_view bytes, std::size_t step, std::size_t limit) {
    Outcome o;
    ws::FrameParser parser(kSender, limit);
    ws::MessageAssembler assembler(limit);
    try {
        for (std::size_t at = 0; at < bytes.size(); at += step) {
            parser.feed(bytes.data() + at, std::min(step, bytes.size() - at));
            while (auto frame = parser.next()) {
                o.frames.push_back(*frame);
                if (auto message = assembler.take(std::move(*frame)))
                    o.messages.push_back(std::move(*message));
            }
        }
    } catch (const ws::ProtocolViolation& v) {
        o.close_code = v.close_code;
    }
    return o;
}

void checkMessage(const ws::Message& m) {
    switch (m.kind) {
    case ws::Message::Kind::Data:
        if (m.opcode == ws::kText && !ws::isValidUtf8(m.payload))
            std::abort();
#if SOCKT_FUZZ_SENDER_CLIENT
        (void)sockt::server::decodeClientMessage(m.opcode == ws::kBinary, m.payload);
#else
        if (m.opcode == ws::kText) {
            const sockt::Json j = sockt::Json::parse(m.payload, nullptr, false);
            if (j.is_object())
                (void)sockt::ShellFrame::fromJson(j);
        }
#endif
        return;
    case ws::Message::Kind::Close:
        if (m.close_code != 1005 && !ws::isValidCloseCode(m.close_code))
            std::abort();
        [[fallthrough]];
    case ws::Message::Kind::Ping:
    case ws::Message::Kind::Pong:
        if (m.payload.size() > 125)
            std::abort();
        return;
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1)
        return 0;
    // Low limits reach the 1009 paths with small inputs; 0 selects the production limit.
    const std::size_t limit = (data[0] & 0x0F) == 0 ? kProductionLimit : (data[0] & 0x0F) * 16;
    const std::size_t step = 1 + (data[0] >> 4);
    const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);

    const Outcome whole = read(bytes, bytes.size() + 1, limit);
    const Outcome sliced = read(bytes, step, limit);
    if (whole.close_code != sliced.close_code || whole.frames.size() != sliced.frames.size() ||
        whole.messages.size() != sliced.messages.size())
        std::abort();
    for (std::size_t i = 0; i < whole.messages.size(); ++i) {
        if (!sameMessage(whole.messages[i], sliced.messages[i]))
            std::abort();
        checkMessage(whole.messages[i]);
    }
    for (const ws::Frame& f : whole.frames) {
        if (f.payload.size() > limit)
            std::abort();
        ws::FrameParser again(kSender, limit);
        const std::string bytes_again = ws::encodeFrame(kSender, f.opcode, f.payload, f.fin);
        again.feed(bytes_again.data(), bytes_again.size());
        auto back = again.next();
        if (!back || !sameFrame(*back, f) || again.next())
            std::abort();
    }
    return 0;
}
