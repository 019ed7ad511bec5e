// MessageAssembler (see ws_message.hpp). Section numbers are RFC 6455's.
#include "wire/ws_message.hpp"

#include "wire/utf8.hpp"

#include <cstring>

namespace sockt::detail::ws {

bool isValidUtf8(std::string_view text) {
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t n = text.size();
    std::size_t i = 0;
    while (i < n) {
        // Shell output is mostly ASCII: step over it eight bytes at a time.
        if (i + 8 <= n) {
            std::uint64_t word;
            std::memcpy(&word, p + i, sizeof word);
            if ((word & 0x8080808080808080ULL) == 0) {
                i += 8;
                continue;
            }
        }
        const std::size_t length = utf8::validSequenceAt(p + i, n - i);
        if (length == 0)
            return false;
        i += length;
    }
    return true;
}

bool isValidCloseCode(int code) {
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
           (code >= 3000 && code <= 4999);
}

std::optional<Message> MessageAssembler::take(Frame frame) {
    Message m;
    switch (frame.opcode) {
    case kPing:
    case kPong:
        m.kind = frame.opcode == kPing ? Message::Kind::Ping : Message::Kind::Pong;
        m.payload = std::move(frame.payload);
        return m;
    case kClose: {
        // §5.5.1: an empty body, or a 2-byte code and a UTF-8 reason. 1005 and 1006 stand for
        // "no code" and "no close frame" and must never be on the wire (§7.4.1).
        m.kind = Message::Kind::Close;
        const std::string& p = frame.payload;
        if (p.empty()) {
            m.close_code = 1005;
            return m;
        }
        if (p.size() == 1)
            throw ProtocolViolation{1002, "close frame with a 1-byte payload"};
        m.close_code = (static_cast<std::uint8_t>(p[0]) << 8) | static_cast<std::uint8_t>(p[1]);
        if (!isValidCloseCode(m.close_code))
            throw ProtocolViolation{1002, "invalid close code " + std::to_string(m.close_code)};
        m.payload = p.substr(2);
        if (!isValidUtf8(m.payload))
            throw ProtocolViolation{1007, "close reason is not UTF-8"};
        return m;
    }
    case kContinuation:
        if (!assembling_)
            throw ProtocolViolation{1002, "continuation frame without a message to continue"};
        break;
    default: // kText, kBinary (FrameParser rejects the reserved opcodes)
        if (assembling_)
            throw ProtocolViolation{1002, "new message inside a fragmented one"};
        assembling_ = true;
        opcode_ = frame.opcode;
        message_.clear();
        break;
    }
    if (frame.payload.size() > max_message_ - message_.size())
        throw ProtocolViolation{1009,
                                "message larger than " + std::to_string(max_message_) + " bytes"};
    if (message_.empty())
        message_ = std::move(frame.payload);
    else
        message_ += frame.payload;
    if (!frame.fin)
        return std::nullopt;
    assembling_ = false;
    if (opcode_ == kText && !isValidUtf8(message_))
        throw ProtocolViolation{1007, "text message is not UTF-8"};
    m.kind = Message::Kind::Data;
    m.opcode = opcode_;
    m.payload = std::move(message_);
    message_.clear();
    return m;
}

} // namespace sockt::detail::ws
