// base64 decoding (core/src/base64.cpp), differential: the table-driven decoder with its fast path
// must accept exactly what a plain symbol-at-a-time reading of the rules accepts, with the same
// bytes, and never write past base64DecodedMaxLength(). Encoding must round-trip. The scalar and
// the AVX2 kernels (when the CPU has them) must agree on both.
#include "base64_kernels.hpp"
#include "sockt/errors.hpp"
#include "sockt/models.hpp"

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace {

int symbolValue(char c) {
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

// The decoder's contract, read straight from its documentation: whitespace (space, tab, CR, LF)
// is skipped anywhere; the data symbols come first, then '=' padding and nothing else; a lone
// trailing symbol is an error; padding, when present, completes the last quantum exactly.
std::optional<std::string> referenceDecode(std::string_view text) {
    std::string symbols;
    std::size_t padding = 0;
    for (char c : text) {
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            continue;
        if (c == '=') {
            ++padding;
            continue;
        }
        if (symbolValue(c) < 0 || padding > 0)
            return std::nullopt;
        symbols += c;
    }
    const std::size_t rest = symbols.size() % 4;
    if (rest == 1)
        return std::nullopt;
    if (padding > 0 && (rest == 0 || rest + padding != 4))
        return std::nullopt;
    std::string out;
    for (std::size_t i = 0; i < symbols.size(); i += 4) {
        std::uint32_t v = 0;
        std::size_t n = std::min<std::size_t>(4, symbols.size() - i);
        for (std::size_t k = 0; k < 4; ++k)
            v = (v << 6) | (k < n ? static_cast<std::uint32_t>(symbolValue(symbols[i + k])) : 0);
        const std::size_t bytes = n == 4 ? 3 : n - 1;
        for (std::size_t k = 0; k < bytes; ++k)
            out += static_cast<char>((v >> (16 - 8 * k)) & 0xFF);
    }
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    // Exactly the room the decoder asks for, on the heap, so ASan sees a byte written past it.
    const std::size_t room = sockt::base64DecodedMaxLength(text);
    std::unique_ptr<char[]> out(new char[room]);
    std::optional<std::string> got;
    try {
        got = std::string(out.get(), sockt::base64DecodeInto(text, out.get()));
    } catch (const sockt::InvalidArgumentError&) {
    }
    const std::optional<std::string> want = referenceDecode(text);
    if (got.has_value() != want.has_value() || (got && *got != *want))
        std::abort();
    for (const auto kernel : {sockt::detail::Base64Kernel::Scalar,
                              sockt::detail::Base64Kernel::Avx2}) {
        std::unique_ptr<char[]> again(new char[room]);
        std::optional<std::string> other;
        try {
            other = std::string(again.get(),
                                sockt::detail::base64DecodeWith(kernel, text, again.get()));
        } catch (const sockt::InvalidArgumentError&) {
        }
        if (other != got)
            std::abort();
        std::string text_out(sockt::base64EncodedLength(size), '\0');
        sockt::detail::base64EncodeWith(kernel, text, text_out.data());
        if (text_out != sockt::base64Encode(text))
            std::abort();
    }

    // The input as bytes: encoded, it is canonical base64 that decodes back to itself.
    const std::string encoded = sockt::base64Encode(text);
    if (encoded.size() != sockt::base64EncodedLength(size) ||
        sockt::base64Decode(encoded) != text || referenceDecode(encoded) != std::string(text))
        std::abort();
    return 0;
}
