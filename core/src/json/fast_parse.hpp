// INTERNAL: parsing answers into Json, faster than nlohmann's own lexer for what servers send.
//
// nlohmann's lexer copies every character of every token into a buffer one push_back at a time;
// for a status answer (613 bytes, 24 members) that is 4.8 µs of the client's ≈ 15 µs of CPU per
// call (bench/FINDINGS.md). parseAnswer() reads valid JSON itself — copying plain runs of a
// string whole, numbers with std::from_chars — in 2.0 µs, and hands every text it does not
// vouch for (invalid JSON, integers beyond 64 bits, floats out of range, nesting deeper than
// kMaxFastDepth) to nlohmann, so each text gets nlohmann's exact result, errors included.
#pragma once

#include "sockt/models.hpp"

#include <string_view>

namespace sockt::json {

/// Nesting deeper than this goes to nlohmann (the fast reader recurses).
constexpr int kMaxFastDepth = 64;

/// Exactly `Json::parse(text, nullptr, false)`: the value, or a discarded Json when `text` is
/// not one JSON value (whitespace around it allowed). Same types for numbers (non-negative
/// integers unsigned, negative ones signed, the rest double) and the last of duplicate keys.
Json parseAnswer(std::string_view text);

} // namespace sockt::json
