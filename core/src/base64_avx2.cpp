// AVX2 block kernels of the base64 codec (docs/protocol.md §5.1, §5.2: file contents travel as
// base64, so a 32 MiB file is 43 MB of text to encode on one side and decode on the other). The
// algorithms are Wojciech Muła's and Daniel Lemire's vector base64 ("Faster Base64 Encoding and
// Decoding Using AVX2 Instructions", ACM TWEB 2018), in the form of Alfred Klomp's libbase64. Only
// this file carries AVX2 code, each function marked with a target attribute, so the library runs
// on any x86-64 and picks these at run time (base64HaveAvx2()).
#include "base64_kernels.hpp"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define SOCKT_BASE64_AVX2 1
#endif

namespace sockt::detail {

#ifdef SOCKT_BASE64_AVX2
namespace {

#define SOCKT_AVX2 __attribute__((target("avx2")))

// 24 input bytes (lanes: bytes 0-11 at offset 4 of the low lane, 12-23 at 0 of the high lane) →
// 32 six-bit values, one per byte.
SOCKT_AVX2 inline __m256i encodeReshuffle(__m256i in) {
    in = _mm256_shuffle_epi8(in,
                             _mm256_set_epi8(10, 11, 9, 10, 7, 8, 6, 7, 4, 5, 3, 4, 1, 2, 0, 1, 14,
                                             15, 13, 14, 11, 12, 10, 11, 8, 9, 7, 8, 5, 6, 4, 5));
    const __m256i t0 = _mm256_and_si256(in, _mm256_set1_epi32(0x0FC0FC00));
    const __m256i t1 = _mm256_mulhi_epu16(t0, _mm256_set1_epi32(0x04000040));
    const __m256i t2 = _mm256_and_si256(in, _mm256_set1_epi32(0x003F03F0));
    const __m256i t3 = _mm256_mullo_epi16(t2, _mm256_set1_epi32(0x01000010));
    return _mm256_or_si256(t1, t3);
}

// Six-bit values → ASCII symbols: one offset per range (A-Z, a-z, 0-9, '+', '/').
SOCKT_AVX2 inline __m256i encodeTranslate(__m256i in) {
    const __m256i lut =
        _mm256_setr_epi8(65, 71, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, -19, -16, 0, 0, 65, 71, -4,
                         -4, -4, -4, -4, -4, -4, -4, -4, -4, -19, -16, 0, 0);
    __m256i indices = _mm256_subs_epu8(in, _mm256_set1_epi8(51));
    const __m256i mask = _mm256_cmpgt_epi8(in, _mm256_set1_epi8(25));
    indices = _mm256_sub_epi8(indices, mask);
    return _mm256_add_epi8(in, _mm256_shuffle_epi8(lut, indices));
}

// 32 six-bit values → 24 bytes at the bottom of the register (the top 8 are junk).
SOCKT_AVX2 inline __m256i decodeReshuffle(__m256i in) {
    const __m256i ab_bc = _mm256_maddubs_epi16(in, _mm256_set1_epi32(0x01400140));
    __m256i out = _mm256_madd_epi16(ab_bc, _mm256_set1_epi32(0x00011000));
    out = _mm256_shuffle_epi8(out, _mm256_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1,
                                                    -1, -1, 2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12,
                                                    -1, -1, -1, -1));
    return _mm256_permutevar8x32_epi32(out, _mm256_setr_epi32(0, 1, 2, 4, 5, 6, -1, -1));
}

SOCKT_AVX2 std::size_t encodeAvx2(const unsigned char* in, std::size_t n, char* out) {
    std::size_t done = 0;
    while (n - done >= 32) {
        // Load 32 bytes and move them up by one dword per lane: the layout encodeReshuffle wants,
        // without reading before `in`.
        __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + done));
        v = _mm256_permutevar8x32_epi32(v, _mm256_setr_epi32(0, 0, 1, 2, 3, 4, 5, 6));
        v = encodeTranslate(encodeReshuffle(v));
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), v);
        done += 24;
        out += 32;
    }
    return done;
}

SOCKT_AVX2 std::size_t decodeAvx2(const unsigned char* in, std::size_t n, unsigned char* out) {
    // Symbol classes by nibble: a byte is a data symbol iff its low-nibble and high-nibble class
    // bits share nothing; lut_roll is the offset from ASCII to the six-bit value per high nibble.
    const __m256i lut_lo =
        _mm256_setr_epi8(0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x13, 0x1A,
                         0x1B, 0x1B, 0x1B, 0x1A, 0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
                         0x11, 0x11, 0x13, 0x1A, 0x1B, 0x1B, 0x1B, 0x1A);
    const __m256i lut_hi =
        _mm256_setr_epi8(0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08, 0x10, 0x10, 0x10, 0x10,
                         0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08,
                         0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10);
    const __m256i lut_roll =
        _mm256_setr_epi8(0, 16, 19, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0, 0, 16, 19, 4,
                         -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0);
    const __m256i mask_2f = _mm256_set1_epi8(0x2F);
    std::size_t done = 0;
    while (n - done >= 48) {
        __m256i str = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + done));
        const __m256i hi_nibbles = _mm256_and_si256(_mm256_srli_epi32(str, 4), mask_2f);
        const __m256i lo_nibbles = _mm256_and_si256(str, mask_2f);
        const __m256i hi = _mm256_shuffle_epi8(lut_hi, hi_nibbles);
        const __m256i lo = _mm256_shuffle_epi8(lut_lo, lo_nibbles);
        if (!_mm256_testz_si256(lo, hi))
            break; // something else than 32 data symbols: the scalar code takes it from here
        const __m256i eq_2f = _mm256_cmpeq_epi8(str, mask_2f);
        const __m256i roll = _mm256_shuffle_epi8(lut_roll, _mm256_add_epi8(eq_2f, hi_nibbles));
        str = decodeReshuffle(_mm256_add_epi8(str, roll));
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), str);
        done += 32;
        out += 24;
    }
    return done;
}

} // namespace

bool base64HaveAvx2() {
    static const bool have = __builtin_cpu_supports("avx2");
    return have;
}

std::size_t base64EncodeBlocksAvx2(const unsigned char* in, std::size_t n, char* out) {
    return base64HaveAvx2() ? encodeAvx2(in, n, out) : 0;
}

std::size_t base64DecodeBlocksAvx2(const unsigned char* in, std::size_t n, unsigned char* out) {
    return base64HaveAvx2() ? decodeAvx2(in, n, out) : 0;
}

#else

bool base64HaveAvx2() {
    return false;
}

std::size_t base64EncodeBlocksAvx2(const unsigned char*, std::size_t, char*) {
    return 0;
}

std::size_t base64DecodeBlocksAvx2(const unsigned char*, std::size_t, unsigned char*) {
    return 0;
}

#endif

} // namespace sockt::detail
