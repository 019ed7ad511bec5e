#include "wire/ws_frame.hpp"

#include <Poco/Base64Encoder.h>
#include <Poco/SHA1Engine.h>
#include <random>
#include <sstream>

namespace sockt::detail::ws {

namespace {

std::string base64(const std::string& bytes) {
    std::ostringstream out;
    Poco::Base64Encoder enc(out);
    enc.rdbuf()->setLineLength(0);
    enc << bytes;
    enc.close();
    return out.str();
}

std::uint32_t randomWord() {
    thread_local std::mt19937 rng{std::random_device{}()};
    return rng();
}

} // namespace

std::string encodeFrame(Sender sender, std::uint8_t opcode, const std::string& payload, bool fin) {
    const std::uint8_t masked = sender == Sender::Client ? 0x80 : 0x00;
    std::string out;
    out.reserve(payload.size() + 14);
    out += static_cast<char>((fin ? 0x80 : 0x00) | (opcode & 0x0F));
    const std::uint64_t n = payload.size();
    if (n < 126) {
        out += static_cast<char>(masked | n);
    } else if (n <= 0xFFFF) {
        out += static_cast<char>(masked | 126);
        out += static_cast<char>((n >> 8) & 0xFF);
        out += static_cast<char>(n & 0xFF);
    } else {
        out += static_cast<char>(masked | 127);
        for (int i = 7; i >= 0; --i)
            out += static_cast<char>((n >> (8 * i)) & 0xFF);
    }
    if (!masked)
        return out + payload;
    std::uint32_t word = randomWord();
    char mask[4] = {static_cast<char>(word >> 24), static_cast<char>(word >> 16),
                    static_cast<char>(word >> 8), static_cast<char>(word)};
    out.append(mask, 4);
    const std::size_t start = out.size();
    out += payload;
    for (std::size_t i = 0; i < payload.size(); ++i)
        out[start + i] ^= mask[i & 3];
    return out;
}

std::optional<Frame> FrameParser::next() {
    if (buffer_.size() < 2)
        return std::nullopt;
    const auto b0 = static_cast<std::uint8_t>(buffer_[0]);
    const auto b1 = static_cast<std::uint8_t>(buffer_[1]);
    if (b0 & 0x70)
        throw ProtocolViolation{1002, "reserved bits set"};
    Frame f;
    f.fin = (b0 & 0x80) != 0;
    f.opcode = b0 & 0x0F;
    const bool control = f.opcode >= 0x8;
    if ((f.opcode > 0x2 && f.opcode < 0x8) || f.opcode > 0xA)
        throw ProtocolViolation{1002, "unknown opcode"};
    const bool masked = (b1 & 0x80) != 0;
    if (masked != (sender_ == Sender::Client))
        throw ProtocolViolation{1002, masked ? "masked server frame" : "unmasked client frame"};
    std::uint64_t len = b1 & 0x7F;
    std::size_t pos = 2;
    if (len == 126) {
        if (buffer_.size() < 4)
            return std::nullopt;
        len = (static_cast<std::uint64_t>(static_cast<std::uint8_t>(buffer_[2])) << 8) |
              static_cast<std::uint8_t>(buffer_[3]);
        pos = 4;
    } else if (len == 127) {
        if (buffer_.size() < 10)
            return std::nullopt;
        len = 0;
        for (int i = 0; i < 8; ++i)
            len = (len << 8) | static_cast<std::uint8_t>(buffer_[2 + i]);
        pos = 10;
        if (len >> 63) // §5.2: the most significant bit must be 0
            throw ProtocolViolation{1002, "invalid payload length"};
    }
    if (control && (len > 125 || !f.fin))
        throw ProtocolViolation{1002, "bad control frame"};
    if (len > max_payload_)
        throw ProtocolViolation{1009, "message too big"};
    char mask[4] = {0, 0, 0, 0};
    if (masked) {
        if (buffer_.size() < pos + 4)
            return std::nullopt;
        for (int i = 0; i < 4; ++i)
            mask[i] = buffer_[pos + i];
        pos += 4;
    }
    if (buffer_.size() < pos + len)
        return std::nullopt;
    f.payload = buffer_.substr(pos, static_cast<std::size_t>(len));
    if (masked)
        for (std::size_t i = 0; i < f.payload.size(); ++i)
            f.payload[i] ^= mask[i & 3];
    buffer_.erase(0, pos + static_cast<std::size_t>(len));
    return f;
}

std::string acceptKey(const std::string& key) {
    Poco::SHA1Engine sha1;
    sha1.update(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    const auto& digest = sha1.digest();
    return base64(std::string(digest.begin(), digest.end()));
}

std::string randomKey() {
    std::string raw;
    for (int i = 0; i < 4; ++i) {
        std::uint32_t w = randomWord();
        for (int k = 0; k < 4; ++k)
            raw += static_cast<char>((w >> (8 * k)) & 0xFF);
    }
    return base64(raw);
}

std::string closePayload(int code, const std::string& reason) {
    std::string p;
    p += static_cast<char>((code >> 8) & 0xFF);
    p += static_cast<char>(code & 0xFF);
    p += reason.substr(0, 123);
    return p;
}

} // namespace sockt::detail::ws
