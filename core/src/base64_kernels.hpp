// INTERNAL: the block kernels behind core/src/base64.cpp. The public functions (models.hpp) pick
// the AVX2 kernels when the CPU has them (checked once at run time) and the scalar code otherwise;
// both produce the same bytes (tests/cpp/core/base64_kernels_test.cpp compares them).
#pragma once

#include <cstddef>
#include <string_view>

namespace sockt::detail {

enum class Base64Kernel { Scalar, Avx2 };

/// AVX2 when this CPU and build have it, else Scalar. Decided once per process.
Base64Kernel base64BestKernel();

/// base64EncodeInto() with the given kernel (Avx2 falls back to Scalar where it is missing).
void base64EncodeWith(Base64Kernel kernel, std::string_view bytes, char* out);
/// base64DecodeInto() with the given kernel: same bytes, same errors.
std::size_t base64DecodeWith(Base64Kernel kernel, std::string_view text, char* out);

/// Encodes whole 24-byte blocks while 32 input bytes can be loaded; returns the bytes consumed
/// (a multiple of 24), having written 4/3 as many chars. 0 without AVX2.
std::size_t base64EncodeBlocksAvx2(const unsigned char* in, std::size_t n, char* out);
/// Decodes whole 32-char blocks of plain data symbols while `n` >= 48 chars remain (the 32-byte
/// stores write 8 bytes past each block's 24, which the caller's room must absorb); stops before
/// the first block holding anything else. Returns the chars consumed (a multiple of 32), having
/// written 3/4 as many bytes. 0 without AVX2.
std::size_t base64DecodeBlocksAvx2(const unsigned char* in, std::size_t n, unsigned char* out);
/// Whether the AVX2 kernels can run here (compiled for x86-64 and the CPU has AVX2).
bool base64HaveAvx2();

} // namespace sockt::detail
