// INTERNAL: finds large plain string members of a JSON object's text without the JSON lexer,
// which grows a 43 MB base64 value one push_back at a time (bench findings F3, S2). Used by the
// client on files/read answers and by `sockt serve` on files/write bodies (both link sockt_wire):
// one walker, so both sides agree on which bytes are a member's value.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace sockt::json {

/// A top-level key to look for and, once found, where its string value lies in the text:
/// [begin, end) between its quotes. Not found (begin == npos) when the key is absent or its value
/// is not a string.
struct PlainMember {
    std::string_view key;
    std::size_t begin = std::string_view::npos;
    std::size_t end = std::string_view::npos;

    bool found() const { return begin != std::string_view::npos; }
};

/// Walks the members of the object `text` holds (JSON whitespace allowed around every token) and
/// fills the span of each wanted key whose value is a string of printable ASCII without '\\': such
/// a value is its own text. Returns the index after the object's closing brace, or nullopt when
/// the walk cannot vouch for its answer, so the caller must use the JSON parser instead:
/// - the text is not an object, or its structure breaks off;
/// - a key holds a backslash (an escaped spelling of a wanted key would go unrecognised);
/// - a wanted key appears twice (parsers keep the last one);
/// - a wanted key's string value holds any other byte (an escape such as `\/`, a control char,
///   non-ASCII: the parser judges those).
/// Nothing else is validated and bytes after the closing brace are not looked at: the caller
/// parses the text with the found values cut out (see plain_members.cpp for why that is exact).
std::optional<std::size_t> findPlainMembers(std::string_view text, PlainMember* wanted,
                                            std::size_t count);

template <std::size_t N>
std::optional<std::size_t> findPlainMembers(std::string_view text, PlainMember (&wanted)[N]) {
    return findPlainMembers(text, wanted, N);
}

} // namespace sockt::json
