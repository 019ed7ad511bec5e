// Standard base64 (docs/protocol.md §5.1, §12 rule 12): padded, unwrapped output; tolerant input.
// Whole blocks go through the AVX2 kernels of base64_avx2.cpp when the CPU has them; the scalar
// code below does the rest (and everything on other CPUs), with the same output and errors.
#include "base64_kernels.hpp"
#include "sockt/errors.hpp"
#include "sockt/models.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace sockt {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
// Every non-data class has one of the two top bits set, so `(a | b | c | d) & kNotData` tells in
// one test whether a whole quantum is plain data symbols (the decoder's fast path).
constexpr std::uint8_t kNotData = 0xC0;
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

// The two symbols of every 12-bit group, so the encoder does two lookups per 3 bytes, not four.
constexpr std::array<char, 8192> makePairTable() {
    std::array<char, 8192> table{};
    for (std::size_t i = 0; i < 4096; ++i) {
        table[2 * i] = kAlphabet[i >> 6];
        table[2 * i + 1] = kAlphabet[i & 63];
    }
    return table;
}
constexpr auto kPairs = makePairTable();

[[noreturn]] void invalid(const std::string& why) {
    throw InvalidArgumentError({"invalid base64 content: " + why +
                                    " (expected standard base64: A-Z a-z 0-9 + / and '=' padding)",
                                "invalid_params"});
}

} // namespace

std::size_t base64EncodedLength(std::size_t byte_count) {
    return byte_count / 3 * 4 + (byte_count % 3 != 0 ? 4 : 0);
}

namespace detail {

Base64Kernel base64BestKernel() {
    return base64HaveAvx2() ? Base64Kernel::Avx2 : Base64Kernel::Scalar;
}

void base64EncodeWith(Base64Kernel kernel, std::string_view bytes, char* out) {
    const auto* in = reinterpret_cast<const unsigned char*>(bytes.data());
    const std::size_t n = bytes.size();
    // Whole 3-byte groups encode alike in any split, so the kernel's blocks and the scalar rest
    // concatenate to the one encoding.
    std::size_t i = kernel == Base64Kernel::Avx2 ? base64EncodeBlocksAvx2(in, n, out) : 0;
    char* o = out + i / 3 * 4;
    for (; i + 3 <= n; i += 3) {
        std::uint32_t v =
            (std::uint32_t(in[i]) << 16) | (std::uint32_t(in[i + 1]) << 8) | in[i + 2];
        const char* hi = &kPairs[2 * (v >> 12)];
        const char* lo = &kPairs[2 * (v & 4095)];
        o[0] = hi[0];
        o[1] = hi[1];
        o[2] = lo[0];
        o[3] = lo[1];
        o += 4;
    }
    if (i < n) {
        std::uint32_t v = std::uint32_t(in[i]) << 16;
        if (i + 1 < n)
            v |= std::uint32_t(in[i + 1]) << 8;
        o[0] = kAlphabet[(v >> 18) & 63];
        o[1] = kAlphabet[(v >> 12) & 63];
        o[2] = (i + 1 < n) ? kAlphabet[(v >> 6) & 63] : '=';
        o[3] = '=';
    }
}

} // namespace detail

void base64EncodeInto(std::string_view bytes, char* out) {
    static const detail::Base64Kernel kernel = detail::base64BestKernel();
    detail::base64EncodeWith(kernel, bytes, out);
}

std::string base64Encode(std::string_view bytes) {
    std::string out(base64EncodedLength(bytes.size()), '\0');
    base64EncodeInto(bytes, out.data());
    return out;
}

std::size_t base64DecodedMaxLength(std::string_view text) {
    // Every symbol but the trailing '=' may be data, and each carries 6 bits; the decoder emits a
    // byte per whole 8 bits, so it never writes more than this.
    std::size_t n = text.size();
    while (n > 0 && text[n - 1] == '=')
        --n;
    return n / 4 * 3 + (n % 4) * 6 / 8;
}

std::string base64Decode(std::string_view text) {
    std::string out(base64DecodedMaxLength(text), '\0');
    out.resize(base64DecodeInto(text, out.data()));
    return out;
}

std::size_t base64DecodeInto(std::string_view text, char* out) {
    static const detail::Base64Kernel kernel = detail::base64BestKernel();
    return detail::base64DecodeWith(kernel, text, out);
}

std::size_t detail::base64DecodeWith(Base64Kernel kernel, std::string_view text, char* out) {
    auto* const first = reinterpret_cast<unsigned char*>(out);
    auto* o = first;
    const auto* in = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t n = text.size();
    // The vector kernel stores 32 bytes per 24 decoded, so it only runs while the room the caller
    // has (base64DecodedMaxLength: the symbols before the trailing '=') extends well past them.
    std::size_t data_end = n;
    while (data_end > 0 && text[data_end - 1] == '=')
        --data_end;
    const bool vector = kernel == Base64Kernel::Avx2;
    std::uint32_t acc = 0;
    int bits = 0;
    int symbols = 0; // data symbols since the last full quantum
    int padding = 0;
    std::size_t pos = 0;
    while (pos < n) {
        // Fast path: whole quanta of 4 data symbols. Only taken on a quantum boundary (then
        // `bits` is 0, so `acc` holds nothing pending) and before any padding; anything else in
        // the quantum (whitespace, '=', junk) leaves it to the per-symbol loop below, which
        // reports errors with their exact offset.
        if (symbols == 0 && padding == 0) {
            if (vector && pos < data_end) {
                const std::size_t took =
                    detail::base64DecodeBlocksAvx2(in + pos, data_end - pos, o);
                pos += took;
                o += took / 4 * 3;
            }
            while (pos + 4 <= n) {
                const std::uint8_t a = kDecode[in[pos]];
                const std::uint8_t b = kDecode[in[pos + 1]];
                const std::uint8_t c = kDecode[in[pos + 2]];
                const std::uint8_t d = kDecode[in[pos + 3]];
                if ((a | b | c | d) & kNotData)
                    break;
                const std::uint32_t v = (std::uint32_t(a) << 18) | (std::uint32_t(b) << 12) |
                                        (std::uint32_t(c) << 6) | d;
                o[0] = static_cast<unsigned char>(v >> 16);
                o[1] = static_cast<unsigned char>(v >> 8);
                o[2] = static_cast<unsigned char>(v);
                o += 3;
                pos += 4;
            }
            if (pos >= n)
                break;
        }
        const std::uint8_t v = kDecode[in[pos]];
        if (v == kSkip) {
            ++pos;
            continue;
        }
        if (v == kInvalid)
            invalid("unexpected character at offset " + std::to_string(pos));
        if (v == kPad) {
            ++padding;
            ++pos;
            continue;
        }
        if (padding > 0)
            invalid("data after '=' padding at offset " + std::to_string(pos));
        acc = (acc << 6) | v;
        bits += 6;
        symbols = (symbols + 1) % 4;
        if (bits >= 8) {
            bits -= 8;
            *o++ = static_cast<unsigned char>((acc >> bits) & 0xFF);
        }
        ++pos;
    }
    // A lone trailing symbol carries fewer than 8 bits: no byte can end there.
    if (symbols == 1)
        invalid("truncated input (a single trailing symbol)");
    if (padding > 0 && (symbols == 0 || symbols + padding != 4))
        invalid("wrong amount of '=' padding");
    return static_cast<std::size_t>(o - first);
}

} // namespace sockt
