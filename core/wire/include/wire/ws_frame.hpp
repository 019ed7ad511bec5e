// INTERNAL: RFC 6455 framing for the shell (docs/protocol.md §6). The client does its own framing
// over the connected (TLS) socket so that one thread can own it, the handshake answer's body is
// readable when the upgrade is refused, and bytes that arrive with the 101 are kept. `sockt serve`
// parses its clients' frames with the same parser (server/shell/): Poco's receiveFrame() neither
// tells whether a frame was masked nor rejects reserved bits and opcodes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace sockt::detail::ws {

enum Opcode : std::uint8_t {
    kContinuation = 0x0,
    kText = 0x1,
    kBinary = 0x2,
    kClose = 0x8,
    kPing = 0x9,
    kPong = 0xA,
};

struct Frame {
    bool fin = true;
    std::uint8_t opcode = kText;
    std::string payload;
};

/// Who writes (or wrote) a frame: clients must mask every frame, servers must not mask any
/// (RFC 6455 §5.1).
enum class Sender { Client, Server };

/// A frame as `sender` writes it: masked with a random key by a client (§5.3), plain by a server.
std::string encodeFrame(Sender sender, std::uint8_t opcode, const std::string& payload,
                        bool fin = true);
inline std::string encodeClientFrame(std::uint8_t opcode, const std::string& payload,
                                     bool fin = true) {
    return encodeFrame(Sender::Client, opcode, payload, fin);
}

/// Thrown by FrameParser for a protocol violation; `close_code` is what to answer with.
struct ProtocolViolation {
    int close_code;
    std::string reason;
};

/// Incremental parser: feed bytes, take complete frames. Checks each frame on its own (RFC 6455
/// §5.2, §5.5): masking as `sender` must, no RSV bit (no extension is ever negotiated), a known
/// opcode, control frames unfragmented and ≤ 125 bytes (1002), a payload ≤ the limit (1009).
/// Message-level rules (continuations, UTF-8, close codes) are MessageAssembler's.
class FrameParser {
public:
    FrameParser(Sender sender, std::size_t max_frame_payload)
        : sender_(sender), max_payload_(max_frame_payload) {}
    void feed(const char* data, std::size_t n) { buffer_.append(data, n); }
    /// The next complete frame, or nullopt when more bytes are needed. Throws ProtocolViolation.
    std::optional<Frame> next();

private:
    Sender sender_;
    std::size_t max_payload_;
    std::string buffer_;
};

/// Sec-WebSocket-Accept for a key (base64(SHA-1(key + GUID))).
std::string acceptKey(const std::string& key);
/// A random 16-byte key, base64.
std::string randomKey();

/// Close frame payload: 2-byte code + reason.
std::string closePayload(int code, const std::string& reason = {});

} // namespace sockt::detail::ws
