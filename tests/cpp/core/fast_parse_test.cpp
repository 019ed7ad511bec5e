// json::parseAnswer (core/src/json/fast_parse.*) must give exactly what
// `Json::parse(text, nullptr, false)` gives: the same values with the same number types, the last
// of duplicate keys, and a discarded value for every text nlohmann refuses. tests/fuzz's
// fuzz_json_parse checks the same property on generated inputs.
#include "json/fast_parse.hpp"
#include "same_json.hpp"

#include <gtest/gtest.h>
#include <random>
#include <string>

using sockt::Json;
using sockt::json::parseAnswer;

namespace {

void expectAsNlohmann(const std::string& text) {
    const Json expected = Json::parse(text, nullptr, false);
    const Json got = parseAnswer(text);
    EXPECT_TRUE(sameJson(got, expected)) << "text: " << text << "\n got: "
                                     << (got.is_discarded() ? "discarded" : got.dump())
                                     << "\nwant: "
                                     << (expected.is_discarded() ? "discarded" : expected.dump());
}

} // namespace

TEST(FastParse, AStatusAnswerParsesAsNlohmannParsesIt) {
    expectAsNlohmann(
        R"({"sandbox_id":"d7b7c8df-a46d-403b-80ab-49a20db28504","status":"running",)"
        R"("status_reason":null,"tier":"nano","consumed_msats":0,"sats_per_second":null,)"
        R"("metrics_stale":false,"usd_cents_per_second":0.000277,"prepaid_balance_subcents":)"
        R"(9999993555,"pending_invoice":{"bolt11":"lnbc1","amount_msats":21000},"x":[1,-2,3.5]})");
}

TEST(FastParse, NumbersKeepNlohmannsTypes) {
    for (const char* text :
         {"0", "-0", "7", "-7", "18446744073709551615", "18446744073709551616", "-9223372036854775808",
          "-9223372036854775809", "1.5", "-0.0", "1e3", "1E+3", "2e-3", "1e400", "-1e400", "4.9e-324",
          "1e-400", "01", "1.", ".5", "-", "+1", "1e", "0x10", "1.5e+", "[1,2,]", "NaN", "Infinity"})
        expectAsNlohmann(text);
    EXPECT_TRUE(parseAnswer("5").is_number_unsigned());
    EXPECT_TRUE(parseAnswer("-5").is_number_integer());
    EXPECT_FALSE(parseAnswer("-5").is_number_unsigned());
    EXPECT_TRUE(parseAnswer("5.0").is_number_float());
}

TEST(FastParse, StringsDecodeEscapesAndRefuseWhatNlohmannRefuses) {
    for (const char* text :
         {R"("plain")", R"("a\"b\\c\/d\b\f\n\r\t")", R"("\u0041\u00e9\u20ac")", R"("\ud83d\ude00")",
          R"("\ud83d")", R"("\ude00")", R"("\ud83dx")", R"("\ud83d\u0041")", R"("\u00")", R"("\x41")",
          "\"caf\xc3\xa9\"", "\"\xe2\x82\xac\"", "\"\xf0\x9f\x98\x80\"", "\"\xc3\"", "\"\xc0\xaf\"",
          "\"\xe0\x80\xaf\"", "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"", "\"\xff\"", "\"tab\there\"",
          "\"del\x7f\"", "\"nul\\u0000\"", "\"open", R"({"a":1,"a":2})", R"({"a":{"b":1},"a":[2]})"})
        expectAsNlohmann(text);
    EXPECT_EQ(parseAnswer(R"({"a":1,"a":2})")["a"], 2); // the last of duplicate keys
}

TEST(FastParse, StructureAndWhitespace) {
    for (const char* text :
         {"", " ", "{}", "[]", " {\n\t\"a\" : [ 1 , { } , [ ] ] \r\n} ", "{} x", "{}}", "{\"a\"}",
          "{\"a\":}", "{a:1}", "[1 2]", "true", "false", "null", "tru", "nulll", "[true,false,null]",
          "{\"a\":1,}", "\xef\xbb\xbf{}", "{\"a\":1}\n", "[\"\"]"})
        expectAsNlohmann(text);
    std::string deep(200, '[');
    deep += std::string(200, ']'); // past the fast reader's depth: nlohmann reads it
    expectAsNlohmann(deep);
    EXPECT_TRUE(parseAnswer(deep).is_array());
}

TEST(FastParse, RandomTextsFromJsonPiecesParseAsNlohmann) {
    // Texts glued from JSON fragments, valid and broken, against nlohmann (a fixed seed: the same
    // texts on every run).
    const char* pieces[] = {"{", "}", "[", "]", ",", ":", "\"k\"", "\"v\\n\"", "1", "-2", "3.5e1",
                            "true", "null", " ", "\"\xc3\xa9\"", "\"\\ud83d\\ude00\"", "0", "\"a"};
    std::mt19937 rng(16);
    for (int i = 0; i < 20000; ++i) {
        std::string text;
        const int n = 1 + static_cast<int>(rng() % 12);
        for (int j = 0; j < n; ++j)
            text += pieces[rng() % (sizeof pieces / sizeof *pieces)];
        const Json expected = Json::parse(text, nullptr, false);
        const Json got = parseAnswer(text);
        ASSERT_TRUE(sameJson(got, expected)) << text;
    }
}
