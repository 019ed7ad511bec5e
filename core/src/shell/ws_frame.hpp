// INTERNAL: RFC 6455 framing for the shell client (PROTOCOL.md §6). The client does its own
// framing over the connected (TLS) socket so that one thread can own it, the handshake answer's
// body is readable when the upgrade is refused, and bytes that arrive with the 101 are kept.
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

/// A masked client frame (clients must mask, RFC 6455 §5.3).
std::string encodeClientFrame(std::uint8_t opcode, const std::string& payload, bool fin = true);

/// Thrown by FrameParser for a protocol violation; `close_code` is what to answer with.
struct ProtocolViolation {
    int close_code;
    std::string reason;
};

/// Incremental parser: feed bytes, take complete frames.
class FrameParser {
public:
    explicit FrameParser(std::size_t max_frame_payload) : max_payload_(max_frame_payload) {}
    void feed(const char* data, std::size_t n) { buffer_.append(data, n); }
    /// The next complete frame, or nullopt when more bytes are needed. Throws ProtocolViolation.
    std::optional<Frame> next();

private:
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
