// INTERNAL: the message layer of RFC 6455 over FrameParser's frames, shared by the shell client
// (core/src/shell/) and `sockt serve` (server/shell/), so both sides fail a connection for the same
// reasons with the same close codes.
#pragma once

#include "wire/ws_frame.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sockt::detail::ws {

/// What the peer said: a whole data message or one control frame.
struct Message {
    enum class Kind { Data, Ping, Pong, Close };
    Kind kind = Kind::Data;
    std::uint8_t opcode = kText; // Data: kText or kBinary
    std::string payload;         // Data: the message; Ping/Pong: the payload; Close: the reason
    int close_code = 0;          // Close: the peer's code, 1005 when its close frame had none
};

/// Reassembles fragmented messages (§5.4; control frames may come between the fragments) and
/// checks what needs more than one frame: a continuation without a message to continue, a new
/// message inside a fragmented one (1002), a message over `max_message` bytes (1009), text that
/// is not UTF-8 (1007), a close frame with a 1-byte payload or a code that may not be sent (1002)
/// or a reason that is not UTF-8 (1007). Throws ProtocolViolation; after that the connection is
/// failed and the assembler must not be used again.
class MessageAssembler {
public:
    explicit MessageAssembler(std::size_t max_message) : max_message_(max_message) {}
    /// The message `frame` completes, or nullopt when it was a fragment of one still open.
    std::optional<Message> take(Frame frame);

private:
    std::size_t max_message_;
    std::string message_;
    std::uint8_t opcode_ = kText;
    bool assembling_ = false;
};

/// Well-formed UTF-8 (RFC 3629): no overlong forms, surrogates or code points past U+10FFFF.
bool isValidUtf8(std::string_view text);
/// A close code an endpoint may send (§7.4): 1000-1003, 1007-1014 and 3000-4999.
bool isValidCloseCode(int code);

} // namespace sockt::detail::ws
