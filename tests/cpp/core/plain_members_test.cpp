// json::findPlainMembers, the walk the client's files/read fast path and the server's files/write
// fast path share (core/wire/include/wire/plain_members.hpp: sockt_wire, which the core tests
// link).
#include "wire/plain_members.hpp"

#include <algorithm>
#include <functional>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <string_view>

using sockt::json::findPlainMembers;
using sockt::json::PlainMember;

namespace {

struct Found {
    std::optional<std::size_t> end;
    std::optional<std::string> content;
    std::optional<std::string> content_b64;
};

Found scan(std::string_view text) {
    PlainMember members[] = {{"content"}, {"content_b64"}};
    Found f;
    f.end = findPlainMembers(text, members);
    auto value = [&](const PlainMember& m) -> std::optional<std::string> {
        if (!m.found())
            return std::nullopt;
        return std::string(text.substr(m.begin, m.end - m.begin));
    };
    if (f.end) {
        f.content = value(members[0]);
        f.content_b64 = value(members[1]);
    }
    return f;
}

} // namespace

TEST(PlainMembers, FindsTopLevelValuesInAnyOrderAndSpacing) {
    auto f = scan(R"({"path":"a","content_b64":"QUJD","size":3,"content":"QUJD"})");
    ASSERT_TRUE(f.end);
    EXPECT_EQ(f.content, "QUJD");
    EXPECT_EQ(f.content_b64, "QUJD");

    const std::string spaced = " \r\n{ \"content\" :\t\"x y+/=\" , \"n\" : [ 1 , 2 ] }\n";
    f = scan(spaced);
    ASSERT_TRUE(f.end);
    EXPECT_EQ(f.content, "x y+/=");
    EXPECT_FALSE(f.content_b64);
    EXPECT_EQ(*f.end, spaced.size() - 1); // the index after the closing brace

    f = scan("{}");
    ASSERT_TRUE(f.end);
    EXPECT_EQ(*f.end, 2u);
    EXPECT_FALSE(f.content);
}

TEST(PlainMembers, NestedKeysAndLookalikeTextAreNotMembers) {
    // A nested `content`, and quotes/brackets inside other strings, must not fool the walk.
    auto f = scan(R"({"meta":{"content":"nested"},"a":"}{\"content\":\"fake\"","b":[1,{"c":"]"}],)"
                  R"("content":"real"})");
    ASSERT_TRUE(f.end);
    EXPECT_EQ(f.content, "real");
    f = scan(R"({"meta":{"content":"nested"}})");
    ASSERT_TRUE(f.end);
    EXPECT_FALSE(f.content);
}

TEST(PlainMembers, NonStringValuesAreNotFoundButTheWalkSucceeds) {
    auto f = scan(R"({"content":null,"content_b64":12,"x":true})");
    ASSERT_TRUE(f.end);
    EXPECT_FALSE(f.content);
    EXPECT_FALSE(f.content_b64);
}

TEST(PlainMembers, RefusesWhatOnlyTheParserCanJudge) {
    EXPECT_FALSE(scan(R"({"a\"content":"x"})").end);              // escaped key
    EXPECT_FALSE(scan(R"({"cont\u0065nt":"x"})").end);            // an escaped spelling
    EXPECT_FALSE(scan(R"({"content":"a","content":"b"})").end);   // duplicate: parsers keep the last
    EXPECT_FALSE(scan(R"({"content":null,"content":"b"})").end);  // also when the first is null
    EXPECT_FALSE(scan(R"({"content":"a\/b"})").end);              // an escape in the value
    EXPECT_FALSE(scan("{\"content\":\"caf\xc3\xa9\"}").end);      // non-ASCII
    EXPECT_FALSE(scan("{\"content\":\"a\tb\"}").end);             // a raw control char
    EXPECT_FALSE(scan(R"({"content":"abc)").end);                 // unterminated
    EXPECT_FALSE(scan(R"(["content","x"])").end);                 // not an object
    EXPECT_FALSE(scan(R"({"a":1 "content":"x"})").end);           // missing comma
    EXPECT_FALSE(scan(R"({"a":{"b":1},)").end);                   // breaks off
    EXPECT_FALSE(scan("").end);
    EXPECT_FALSE(scan(R"({"n\u00e9":1,"content":"ok"})").end); // any key with an escape
    // The values of other keys may hold anything the parser accepts.
    auto f = scan("{\"other\":\"caf\xc3\xa9 \\\"q\\\"\",\"content\":\"ok\"}");
    ASSERT_TRUE(f.end);
    EXPECT_EQ(f.content, "ok");
}

TEST(PlainMembers, AgreesWithTheParserOnRandomObjects) {
    // Random objects with nested values, escaped strings and random whitespace: whatever the walk
    // reports must be exactly the parser's top-level string value.
    std::mt19937 rng(2026);
    auto word = [&](bool plain) {
        static const std::string plain_chars = "abcXYZ09+/= {}[]:,";
        static const std::string other_chars = "\"\\\n\t/\x01\xc3\xa9";
        std::string s;
        for (int n = static_cast<int>(rng() % 12); n > 0; --n)
            s += (plain || rng() % 3) ? plain_chars[rng() % plain_chars.size()]
                                      : other_chars[rng() % other_chars.size()];
        return s;
    };
    std::function<nlohmann::json(int)> value = [&](int depth) -> nlohmann::json {
        switch (rng() % (depth > 2 ? 4 : 6)) {
        case 0: return word(rng() % 2);
        case 1: return static_cast<int>(rng() % 1000) - 500;
        case 2: return nullptr;
        case 3: return rng() % 2 == 0;
        case 4: {
            nlohmann::json o = nlohmann::json::object();
            for (int n = static_cast<int>(rng() % 4); n > 0; --n)
                o[rng() % 2 ? "content" : word(true)] = value(depth + 1);
            return o;
        }
        default: {
            nlohmann::json a = nlohmann::json::array();
            for (int n = static_cast<int>(rng() % 4); n > 0; --n)
                a.push_back(value(depth + 1));
            return a;
        }
        }
    };
    int found = 0;
    for (int round = 0; round < 4000; ++round) {
        nlohmann::json o = nlohmann::json::object();
        for (int n = static_cast<int>(rng() % 5); n > 0; --n) {
            const unsigned pick = rng() % 4;
            const std::string key = pick == 0 ? "content" : pick == 1 ? "content_b64" : word(true);
            o[key] = (pick < 2 && rng() % 3) ? nlohmann::json(word(rng() % 4 != 0)) : value(0);
        }
        std::string text;
        try {
            text = o.dump(rng() % 2 ? -1 : static_cast<int>(rng() % 3),
                          ' ', rng() % 2 == 0, nlohmann::json::error_handler_t::replace);
        } catch (const nlohmann::json::exception&) {
            continue;
        }
        const auto parsed = nlohmann::json::parse(text);
        const Found f = scan(text);
        if (!f.end)
            continue;
        EXPECT_EQ(*f.end, text.size()) << text;
        for (const auto& [key, got] : {std::pair{"content", f.content},
                                       std::pair{"content_b64", f.content_b64}}) {
            auto it = parsed.find(key);
            if (got) {
                ++found;
                ASSERT_NE(it, parsed.end()) << text;
                EXPECT_EQ(it->get<std::string>(), *got) << text;
            } else if (it != parsed.end()) {
                // Not found: the value must not be a plain string (else the walk missed it).
                EXPECT_TRUE(!it->is_string() ||
                            it->get<std::string>().find_first_of("\"\\") != std::string::npos ||
                            std::any_of(it->get<std::string>().begin(),
                                        it->get<std::string>().end(),
                                        [](char c) { return c < 0x20 || c > 0x7E; }))
                    << text;
            }
        }
    }
    EXPECT_GT(found, 1000); // the generator really exercises the fast path
}
