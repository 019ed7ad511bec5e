// The server's bounded request parser (server/common/bounded_json.hpp) against nlohmann's: the same
// texts accepted and the same documents built (value types included), on edge cases and on
// random texts; and the limits of docs/protocol.md §3.4 step 3 at their edges.
#include "common/bounded_json.hpp"
#include "same_json.hpp"

#include <gtest/gtest.h>
#include <random>

namespace sockt::server {
namespace {

void expectAsNlohmann(const std::string& text) {
    const auto theirs = OJson::parse(text, nullptr, false);
    const auto ours = parseBoundedJson(text);
    ASSERT_NE(ours.outcome, ParsedBody::Outcome::OverLimit) << text;
    ASSERT_EQ(ours.ok(), !theirs.is_discarded()) << "text: " << text;
    if (ours.ok())
        EXPECT_TRUE(sameJson(ours.value, theirs)) << text << "\n" << ours.value.dump() << "\n"
                                                  << theirs.dump();
}

TEST(BoundedJson, EdgeCasesAsNlohmann) {
    const std::string cases[] = {
        "", " ", "\xEF\xBB\xBF{}", "\xEF\xBB{}", "\xEF\xBB\xBF", "1", "-", "-0", "-0.0", "01",
        "1.", ".5", "1e", "1e+", "1E-5", "1.5e3", "2e308", "1e400", "-1e400", "1e-400",
        "18446744073709551615", "18446744073709551616", "-9223372036854775808",
        "-9223372036854775809", "9223372036854775808", "123456789012345678901234567890",
        R"("\ud83d\ude00")", R"("\ud800")", R"("\udc00")", R"("\ud800\u0041")", R"("\ud800\")",
        R"("\u00e9\u0000x")", R"("\uD83D\uDE00")", R"("\u12")", R"("\u12G4")",
        "\"\xC3\xA9\"", "\"\xC0\x80\"", "\"\xC1\xBF\"", "\"\xE0\x80\xAF\"", "\"\xED\xA0\x80\"",
        "\"\xED\x9F\xBF\"", "\"\xF4\x90\x80\x80\"", "\"\xF4\x8F\xBF\xBF\"", "\"\xF0\x9F\x98\x80\"",
        "\"\xF5\x80\x80\x80\"", "\"\xC3\"", "\"\xE2\x9C\"", "\"\x80\"", "\"\xFF\"", "\"\x7F\"",
        "\"\x1F\"", "\"\t\"", R"("\/\b\f\n\r\t\"\\")", R"("\x")", R"("\')", "\"abc", "\"",
        R"({"a":1,"a":2})", R"({"a":1,"b":2,"a":3,"c":4,"b":5})", R"({"":1,"":[]})", "[1,]",
        "{,}", "[", "]", "{", "}", R"({"a"})", R"({"a":})", R"({"a" 1})", R"({1:1})", "tru",
        "truex", "nulls", "true false", "[1 2]", "\t\n\r [ ] \t", "\f[]", "[]\f", "[\v]",
        std::string("[]\0garbage", 10), std::string("[\0]", 3), std::string("\0", 1),
        R"([[[[[]]]]])", R"({"a":{"b":{"c":[1,{"d":null}]}}})", "[true,false,null,-1,2.5,\"x\"]",
        "[-]", "[--1]", "[+1]", "[0x10]", "[NaN]", "[Infinity]", "[1.e5]", "[1e05]", "[0.0e-0]",
    };
    for (const auto& text : cases) {
        SCOPED_TRACE(text);
        expectAsNlohmann(text);
    }
}

/// Small random documents, then random edits to them: most edits break the text somewhere.
class Generator {
public:
    explicit Generator(unsigned seed) : gen_(seed) {}

    std::string document(int depth = 0) {
        switch (pick(depth > 4 ? 5 : 7)) {
        case 0:
            return pickOf({"true", "false", "null"});
        case 1:
            return pickOf({"0", "-0", "7", "-12", "3.25", "1e3", "-2.5E-3", "18446744073709551615",
                           "18446744073709551616", "-9223372036854775809", "0.1", "1e400"});
        case 2:
        case 3:
        case 4:
            return quoted();
        case 5: {
            std::string out = "[";
            for (int i = 0, n = pick(4); i < n; ++i)
                out += (i ? "," : "") + space() + document(depth + 1) + space();
            return out + "]";
        }
        default: {
            std::string out = "{";
            for (int i = 0, n = pick(4); i < n; ++i)
                out += (i ? "," : "") + space() + quoted() + space() + ":" + document(depth + 1);
            return out + "}";
        }
        }
    }

    std::string mutate(std::string text) {
        static const std::string pieces[] = {
            "\"", "\\", "{", "}", "[", "]", ",", ":", " ", "\\u", "\\ud800", "\\udc00", "0",
            "-", ".", "e", "\x01", "\xC3", "\xA9", "\xED\xA0\x80", "\xF0\x9F\x98\x80", "n",
            std::string(1, '\0')};
        for (int edits = pick(3); edits >= 0; --edits) {
            const auto at = text.empty() ? 0 : static_cast<std::size_t>(pick(
                                                   static_cast<int>(text.size())));
            switch (pick(3)) {
            case 0:
                text.insert(at, pieces[pick(std::size(pieces))]);
                break;
            case 1:
                if (!text.empty())
                    text.erase(at, 1);
                break;
            default:
                if (!text.empty())
                    text[at] = pieces[pick(std::size(pieces))][0];
            }
        }
        return text;
    }

private:
    int pick(std::size_t n) {
        return static_cast<int>(std::uniform_int_distribution<std::size_t>(0, n - 1)(gen_));
    }
    std::string pickOf(std::initializer_list<const char*> options) {
        return *(options.begin() + pick(options.size()));
    }
    std::string space() { return pickOf({"", "", " ", "\n\t", "\r "}); }
    std::string quoted() {
        static const char* const parts[] = {"a", "b", "key", "\\n", "\\\"", "\\u00e9",
                                            "\\ud83d\\ude00", "\xC3\xA9", "\xE2\x9C\x93", "\\/",
                                            " ", "content"};
        std::string out = "\"";
        for (int i = 0, n = pick(4); i < n; ++i)
            out += parts[pick(std::size(parts))];
        return out + "\"";
    }

    std::mt19937 gen_;
};

TEST(BoundedJson, RandomTextsAsNlohmann) {
    Generator g(20240529);
    for (int i = 0; i < 20000; ++i) {
        const std::string doc = g.document();
        expectAsNlohmann(doc);
        expectAsNlohmann(g.mutate(doc));
        if (HasFatalFailure())
            return;
    }
}

TEST(BoundedJson, LimitsAtTheirEdges) {
    auto outcome = [](const std::string& text) { return parseBoundedJson(text).outcome; };
    using O = ParsedBody::Outcome;
    const auto depth = [](int n) { return std::string(n, '[') + std::string(n, ']'); };
    EXPECT_EQ(outcome(depth(JsonLimits::kMaxDepth)), O::Ok);
    EXPECT_EQ(outcome(depth(JsonLimits::kMaxDepth + 1)), O::OverLimit);
    // Past the limit before the text breaks off: the limit is what the client hears about.
    EXPECT_EQ(outcome(std::string(100000, '[')), O::OverLimit);
    std::string values = "[0";
    for (std::size_t i = 1; i < JsonLimits::kMaxValues; ++i)
        values += ",0";
    EXPECT_EQ(outcome(values + "]"), O::Ok);
    EXPECT_EQ(outcome(values + ",0]"), O::OverLimit);
    const std::string key(JsonLimits::kMaxKeyBytes, 'k');
    EXPECT_EQ(outcome("{\"" + key + "\":1}"), O::Ok);
    EXPECT_EQ(outcome("{\"" + key + "k\":1}"), O::OverLimit);
    EXPECT_EQ(outcome("{\"" + key + "k"), O::OverLimit); // cut off past the limit
    // An escape counts as sent (two bytes for `\n`).
    EXPECT_EQ(outcome("{\"" + key.substr(1) + "\\n\":1}"), O::OverLimit);
    const std::string number = "1" + std::string(JsonLimits::kMaxNumberChars - 1, '0');
    EXPECT_EQ(outcome("[" + number + "]"), O::Ok);
    EXPECT_EQ(outcome("[" + number + "0]"), O::OverLimit);
    EXPECT_EQ(outcome("[\"" + std::string(1 << 20, 's') + "\"]"), O::Ok);
    const auto over = parseBoundedJson(values + ",0]");
    EXPECT_EQ(over.error().code(), "invalid_params");
    EXPECT_NE(over.error().message().find("10000"), std::string::npos);
    EXPECT_EQ(parseBoundedJson("{").error().message(), "malformed JSON body");
}

TEST(BoundedJson, RepeatedKeysKeepFirstPlaceAndLastValue) {
    std::string text = "{";
    for (int i = 0; i < 300; ++i)
        text += "\"k" + std::to_string(i % 100) + "\":" + std::to_string(i) + ",";
    text += "\"z\":true}";
    expectAsNlohmann(text);
    const auto ours = parseBoundedJson(text);
    ASSERT_TRUE(ours.ok());
    EXPECT_EQ(ours.value.size(), 101u);
    EXPECT_EQ(ours.value.begin().key(), "k0");
    EXPECT_EQ(ours.value["k0"], 200);
}

} // namespace
} // namespace sockt::server
