// INTERNAL: the UTF-8 rules (RFC 3629 §4) every reader of untrusted text applies the same way:
// the client's answer parser, the WebSocket text check and `sockt serve`'s output decoding.
#pragma once

#include <cstddef>

namespace sockt::utf8 {

/// Length of the sequence a lead byte announces: 1 for ASCII, 2-4, or 0 for a byte that never
/// starts a sequence (a continuation byte, C0, C1, F5-FF).
constexpr int sequenceLength(unsigned char lead) {
    if (lead < 0x80)
        return 1;
    if (lead >= 0xC2 && lead <= 0xDF)
        return 2;
    if (lead >= 0xE0 && lead <= 0xEF)
        return 3;
    if (lead >= 0xF0 && lead <= 0xF4)
        return 4;
    return 0;
}

/// Whether `b` may follow `lead` as the second byte: the lead byte's range rules out overlong
/// forms, UTF-16 surrogates and code points past U+10FFFF.
constexpr bool validSecond(unsigned char lead, unsigned char b) {
    switch (lead) {
    case 0xE0:
        return b >= 0xA0 && b <= 0xBF;
    case 0xED:
        return b >= 0x80 && b <= 0x9F;
    case 0xF0:
        return b >= 0x90 && b <= 0xBF;
    case 0xF4:
        return b >= 0x80 && b <= 0x8F;
    default:
        return b >= 0x80 && b <= 0xBF;
    }
}

/// Length of the valid sequence at p[0..n) (n ≥ 1), or 0 when it is not one (also when cut off).
constexpr std::size_t validSequenceAt(const unsigned char* p, std::size_t n) {
    const int length = sequenceLength(p[0]);
    if (length == 0 || n < static_cast<std::size_t>(length))
        return 0;
    if (length > 1 && !validSecond(p[0], p[1]))
        return 0;
    for (int k = 2; k < length; ++k)
        if ((p[k] & 0xC0) != 0x80)
            return 0;
    return static_cast<std::size_t>(length);
}

} // namespace sockt::utf8
