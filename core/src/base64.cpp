// Standard base64 (PROTOCOL.md §5.1, §12 rule 12): padded, unwrapped output; tolerant input.
#include "sockt/errors.hpp"
#include "sockt/models.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace sockt {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::uint8_t kInvalid = 0xFF;
constexpr std::uint8_t kSkip = 0xFE;
constexpr std::uint8_t kPad = 0xFD;

constexpr std::array<std::uint8_t, 256> makeDecodeTable() {
    std::array<std::uint8_t, 256> table{};
    for (auto& v : table)
        v = kInvalid;
    for (std::uint8_t i = 0; i < 64; ++i)
        table[static_cast<unsigned char>(kAlphabet[i])] = i;
    table[static_cast<unsigned char>(' ')] = kSkip;
    table[static_cast<unsigned char>('\t')] = kSkip;
    table[static_cast<unsigned char>('\r')] = kSkip;
    table[static_cast<unsigned char>('\n')] = kSkip;
    table[static_cast<unsigned char>('=')] = kPad;
    return table;
}
constexpr auto kDecode = makeDecodeTable();

[[noreturn]] void invalid(const std::string& why) {
    throw InvalidArgumentError({"invalid base64 content: " + why +
                                    " (expected standard base64: A-Z a-z 0-9 + / and '=' padding)",
                                "invalid_params"});
}

} // namespace

std::string base64Encode(std::string_view bytes) {
    std::string out;
    out.resize((bytes.size() + 2) / 3 * 4);
    const auto* in = reinterpret_cast<const unsigned char*>(bytes.data());
    std::size_t n = bytes.size();
    std::size_t i = 0;
    char* o = out.data();
    for (; i + 3 <= n; i += 3) {
        std::uint32_t v =
            (std::uint32_t(in[i]) << 16) | (std::uint32_t(in[i + 1]) << 8) | in[i + 2];
        *o++ = kAlphabet[(v >> 18) & 63];
        *o++ = kAlphabet[(v >> 12) & 63];
        *o++ = kAlphabet[(v >> 6) & 63];
        *o++ = kAlphabet[v & 63];
    }
    if (i < n) {
        std::uint32_t v = std::uint32_t(in[i]) << 16;
        if (i + 1 < n)
            v |= std::uint32_t(in[i + 1]) << 8;
        *o++ = kAlphabet[(v >> 18) & 63];
        *o++ = kAlphabet[(v >> 12) & 63];
        *o++ = (i + 1 < n) ? kAlphabet[(v >> 6) & 63] : '=';
        *o++ = '=';
    }
    return out;
}

std::string base64Decode(std::string_view text) {
    std::string out;
    out.reserve(text.size() / 4 * 3 + 3);
    std::uint32_t acc = 0;
    int bits = 0;
    int symbols = 0; // data symbols since the last full quantum
    int padding = 0;
    for (std::size_t pos = 0; pos < text.size(); ++pos) {
        std::uint8_t v = kDecode[static_cast<unsigned char>(text[pos])];
        if (v == kSkip)
            continue;
        if (v == kInvalid)
            invalid("unexpected character at offset " + std::to_string(pos));
        if (v == kPad) {
            ++padding;
            continue;
        }
        if (padding > 0)
            invalid("data after '=' padding at offset " + std::to_string(pos));
        acc = (acc << 6) | v;
        bits += 6;
        symbols = (symbols + 1) % 4;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((acc >> bits) & 0xFF));
        }
    }
    // A lone trailing symbol carries fewer than 8 bits: no byte can end there.
    if (symbols == 1)
        invalid("truncated input (a single trailing symbol)");
    if (padding > 0 && (symbols == 0 || symbols + padding != 4))
        invalid("wrong amount of '=' padding");
    return out;
}

} // namespace sockt
