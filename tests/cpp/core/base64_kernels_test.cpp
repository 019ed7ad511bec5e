// The vector base64 kernels (core/src/base64_avx2.cpp) against the scalar code: the same text for
// every input, and for every decoder input the same bytes or the same error (differential).
#include "base64_kernels.hpp"
#include "sockt/errors.hpp"
#include "sockt/models.hpp"

#include <gtest/gtest.h>
#include <optional>
#include <random>
#include <string>

namespace {

using sockt::detail::Base64Kernel;

std::string encodeWith(Base64Kernel kernel, const std::string& bytes) {
    std::string out(sockt::base64EncodedLength(bytes.size()), '\0');
    sockt::detail::base64EncodeWith(kernel, bytes, out.data());
    return out;
}

/// The decoded bytes, or the error message.
std::string decodeWith(Base64Kernel kernel, const std::string& text) {
    // Exactly the room the public contract promises, so a kernel writing past it shows up under
    // the sanitizer builds.
    std::string out(sockt::base64DecodedMaxLength(text), '\0');
    try {
        out.resize(sockt::detail::base64DecodeWith(kernel, text, out.data()));
        return "ok:" + out;
    } catch (const sockt::InvalidArgumentError& e) {
        return std::string("error:") + e.what();
    }
}

std::string randomBytes(std::mt19937_64& rng, std::size_t n) {
    std::string s(n, '\0');
    for (auto& c : s)
        c = static_cast<char>(rng());
    return s;
}

class Base64Kernels : public ::testing::Test {
protected:
    void SetUp() override {
        if (!sockt::detail::base64HaveAvx2())
            GTEST_SKIP() << "this CPU has no AVX2: only the scalar code runs here";
    }
};

TEST_F(Base64Kernels, EncodeMatchesScalarForEveryLengthAndContent) {
    std::mt19937_64 rng(16);
    for (std::size_t n = 0; n < 600; ++n) {
        const std::string bytes = randomBytes(rng, n);
        ASSERT_EQ(encodeWith(Base64Kernel::Avx2, bytes), encodeWith(Base64Kernel::Scalar, bytes))
            << n;
    }
    const std::string big = randomBytes(rng, (1 << 20) + 7);
    EXPECT_EQ(encodeWith(Base64Kernel::Avx2, big), encodeWith(Base64Kernel::Scalar, big));
    EXPECT_EQ(sockt::base64Decode(encodeWith(Base64Kernel::Avx2, big)), big);
}

TEST_F(Base64Kernels, DecodeMatchesScalarOnCanonicalText) {
    std::mt19937_64 rng(17);
    for (std::size_t n = 0; n < 600; ++n) {
        const std::string text = sockt::base64Encode(randomBytes(rng, n));
        ASSERT_EQ(decodeWith(Base64Kernel::Avx2, text), decodeWith(Base64Kernel::Scalar, text))
            << n;
    }
}

TEST_F(Base64Kernels, DecodeMatchesScalarWhateverByteIsMixedIn) {
    // Every byte value, at every position of a text long enough for several vector blocks, in
    // valid text and at its padding: whitespace is skipped, junk fails at the same offset.
    std::mt19937_64 rng(18);
    const std::string clean = sockt::base64Encode(randomBytes(rng, 150)); // 200 chars, no '='
    for (int value = 0; value < 256; ++value) {
        for (std::size_t at = 0; at < clean.size(); at += 7) {
            std::string text = clean;
            text[at] = static_cast<char>(value);
            ASSERT_EQ(decodeWith(Base64Kernel::Avx2, text), decodeWith(Base64Kernel::Scalar, text))
                << "byte " << value << " at " << at;
            text.insert(at, 1, static_cast<char>(value));
            ASSERT_EQ(decodeWith(Base64Kernel::Avx2, text), decodeWith(Base64Kernel::Scalar, text))
                << "byte " << value << " inserted at " << at;
        }
    }
}

TEST_F(Base64Kernels, DecodeMatchesScalarOnWrappedAndPaddedText) {
    std::mt19937_64 rng(19);
    for (std::size_t n = 40; n < 400; n += 13) {
        const std::string text = sockt::base64Encode(randomBytes(rng, n));
        std::string wrapped;
        for (std::size_t i = 0; i < text.size(); i += 76)
            wrapped += text.substr(i, 76) + "\r\n";
        ASSERT_EQ(decodeWith(Base64Kernel::Avx2, wrapped),
                  decodeWith(Base64Kernel::Scalar, wrapped));
        for (const std::string& tail : {std::string("="), std::string("=="), std::string("===")}) {
            const std::string padded = text + tail + std::string(60, '=');
            ASSERT_EQ(decodeWith(Base64Kernel::Avx2, padded),
                      decodeWith(Base64Kernel::Scalar, padded));
        }
    }
}

TEST(Base64InPlace, DecodingIntoTheTextItselfGivesTheSameBytes) {
    // Sandbox::readFileBytes decodes a read answer's content to the front of its own buffer.
    std::mt19937_64 rng(20);
    for (const auto kernel : {Base64Kernel::Scalar, sockt::detail::base64BestKernel()}) {
        for (std::size_t n : {0, 1, 2, 3, 47, 48, 100, 1000, 100000}) {
            const std::string bytes = randomBytes(rng, n);
            for (std::size_t lead : {0, 1, 17}) {
                std::string buffer = std::string(lead, '{') + sockt::base64Encode(bytes) + "\"}";
                const std::string_view text(buffer.data() + lead, buffer.size() - lead - 2);
                const std::size_t got =
                    sockt::detail::base64DecodeWith(kernel, text, buffer.data());
                ASSERT_EQ(buffer.substr(0, got), bytes) << n << " after " << lead;
            }
        }
    }
}

} // namespace
