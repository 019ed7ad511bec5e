// The member walk behind findPlainMembers.
//
// WHY a walk over the top-level members and not a text search for `"content":"`: JSON escapes
// every quote inside a string, so that text cannot start inside a string *value*, but it can
// (1) start at the escaped quote of a *key* such as `"a\"content":"…"` (the raw text holds
// `\"content":"`), and (2) be a key of a nested object (`{"meta":{"content":"x"}}`). Both would
// hand back the wrong bytes. So the walk steps over the members of the outer object (strings
// escape-aware, exactly as the lexer ends a string at its first unescaped quote; nested values by
// bracket depth outside strings) and takes only keys spelled exactly as wanted.
//
// WHY cutting the values out and parsing the remainder R validates the text T: the walk is exact
// on any prefix of valid JSON, so each span sits at the value of a top-level member in both, T
// and R share the text around each cut, and a string of plain bytes is as valid a value as
// whatever the caller puts in its place (`null`, `""`). So R parses iff T does, to the same object
// but those values; on invalid T the walk may stop anywhere, but it stays in bounds and R fails.
#include "wire/plain_members.hpp"

#include <cstdint>

namespace sockt::json {
namespace {

constexpr std::size_t kNone = std::string_view::npos;

/// True when every byte is printable ASCII other than a backslash: a JSON string of such bytes
/// has no escapes, control characters or UTF-8 to validate, so its bytes are its value. Base64
/// (§5.1) always is, unless a server escapes '/' as "\/". A 43 MB value is checked here:
/// fixed-size blocks let the compiler vectorize the test (about twice as fast as 8-byte SWAR).
bool plainAscii(std::string_view text) {
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t n = text.size();
    std::size_t i = 0;
    auto bad = [](unsigned char c) { return (c < 0x20u) | (c > 0x7Eu) | (c == '\\'); };
    for (; i + 64 <= n; i += 64) {
        unsigned flags = 0;
        for (std::size_t k = 0; k < 64; ++k)
            flags |= bad(p[i + k]);
        if (flags)
            return false;
    }
    for (; i < n; ++i)
        if (bad(p[i]))
            return false;
    return true;
}

std::size_t skipSpace(std::string_view s, std::size_t pos) {
    // RFC 8259 §2 whitespace, as nlohmann's lexer has it.
    while (pos < s.size() && (s[pos] == ' ' || s[pos] == '\t' || s[pos] == '\n' || s[pos] == '\r'))
        ++pos;
    return pos;
}

/// `pos` is at an opening quote: the index after the closing one, or kNone. A backslash takes
/// the next byte with it, as the lexer's escapes do (a `\u` escape's hex digits hold no quote).
std::size_t skipString(std::string_view s, std::size_t pos) {
    for (std::size_t i = pos + 1; i < s.size(); ++i) {
        if (s[i] == '\\')
            ++i;
        else if (s[i] == '"')
            return i + 1;
    }
    return kNone;
}

/// `pos` is at the first byte of a value: the index after it, or kNone. Only token boundaries
/// matter; the value itself is judged by the parser of the remainder.
std::size_t skipValue(std::string_view s, std::size_t pos) {
    if (s[pos] == '"')
        return skipString(s, pos);
    if (s[pos] == '{' || s[pos] == '[') {
        std::size_t depth = 0;
        for (std::size_t i = pos; i < s.size(); ++i) {
            const char c = s[i];
            if (c == '"') {
                i = skipString(s, i);
                if (i == kNone)
                    return kNone;
                --i;
            } else if (c == '{' || c == '[') {
                ++depth;
            } else if ((c == '}' || c == ']') && --depth == 0) {
                return i + 1;
            }
        }
        return kNone;
    }
    // A number, true, false or null: letters, digits and + - . only, never a quote.
    auto literal = [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               c == '+' || c == '-' || c == '.';
    };
    std::size_t i = pos;
    while (i < s.size() && literal(s[i]))
        ++i;
    return i == pos ? kNone : i;
}

} // namespace

std::optional<std::size_t> findPlainMembers(std::string_view text, PlainMember* wanted,
                                            std::size_t count) {
    if (count > 64)
        return std::nullopt;
    for (std::size_t k = 0; k < count; ++k)
        wanted[k].begin = wanted[k].end = kNone;
    // Bit k: wanted[k]'s key was met (whatever its value), so a second one is a duplicate.
    std::uint64_t seen = 0;

    std::size_t pos = skipSpace(text, 0);
    if (pos >= text.size() || text[pos] != '{')
        return std::nullopt;
    pos = skipSpace(text, pos + 1);
    if (pos < text.size() && text[pos] == '}')
        return pos + 1;
    for (;;) {
        if (pos >= text.size() || text[pos] != '"')
            return std::nullopt;
        const std::size_t key_end = text.find_first_of("\"\\", pos + 1);
        if (key_end == kNone || text[key_end] != '"')
            return std::nullopt;
        const std::string_view key = text.substr(pos + 1, key_end - pos - 1);
        pos = skipSpace(text, key_end + 1);
        if (pos >= text.size() || text[pos] != ':')
            return std::nullopt;
        pos = skipSpace(text, pos + 1);
        if (pos >= text.size())
            return std::nullopt;

        PlainMember* target = nullptr;
        for (std::size_t k = 0; k < count; ++k) {
            if (wanted[k].key != key)
                continue;
            if (seen & (std::uint64_t{1} << k))
                return std::nullopt;
            seen |= std::uint64_t{1} << k;
            if (text[pos] == '"')
                target = &wanted[k];
            break;
        }
        if (target != nullptr) {
            // The value ends at the next quote unless a backslash escapes it, and then
            // plainAscii fails anyway.
            const std::size_t end = text.find('"', pos + 1);
            if (end == kNone || !plainAscii(text.substr(pos + 1, end - pos - 1)))
                return std::nullopt;
            target->begin = pos + 1;
            target->end = end;
            pos = end + 1;
        } else {
            pos = skipValue(text, pos);
            if (pos == kNone)
                return std::nullopt;
        }
        pos = skipSpace(text, pos);
        if (pos >= text.size())
            return std::nullopt;
        if (text[pos] == '}')
            return pos + 1;
        if (text[pos] != ',')
            return std::nullopt;
        pos = skipSpace(text, pos + 1);
    }
}

} // namespace sockt::json
