// Identifier formats (docs/protocol.md §1.4) and the CSPRNG behind tokens and ids
// (common/ids.hpp).
#include "common/ids.hpp"

#include <algorithm>
#include <gtest/gtest.h>
#include <regex>
#include <set>
#include <string>

namespace sockt::server::testing {
namespace {

TEST(Ids, RandomHexHasTheAskedLengthAndOnlyLowercaseHex) {
    for (std::size_t n : {0u, 1u, 7u, 24u, 32u, 64u, 127u, 129u, 300u}) {
        const std::string h = randomHex(n);
        EXPECT_EQ(h.size(), n);
        EXPECT_EQ(h.find_first_not_of("0123456789abcdef"), std::string::npos) << h;
    }
}

TEST(Ids, RandomHexIsNotRepeatedAndUsesEveryDigit) {
    std::set<std::string> seen;
    std::string all;
    for (int i = 0; i < 2000; ++i) {
        std::string h = randomHex(32);
        EXPECT_TRUE(seen.insert(h).second) << "repeated " << h;
        all += h;
    }
    // 64,000 digits: each of the 16 should appear about 4,000 times.
    for (char c : std::string("0123456789abcdef")) {
        const auto count = std::count(all.begin(), all.end(), c);
        EXPECT_GT(count, 3400) << c;
        EXPECT_LT(count, 4600) << c;
    }
}

TEST(Ids, Uuid4Format) {
    const std::regex v4("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
    for (int i = 0; i < 200; ++i) {
        const std::string id = uuid4();
        EXPECT_TRUE(std::regex_match(id, v4)) << id;
    }
}

} // namespace
} // namespace sockt::server::testing
