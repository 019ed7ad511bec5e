// The one parse a request body gets before authentication (docs/protocol.md §3.4 step 3): linear in
// the body's length and bounded, so that no body can buy more work than its own size. It accepts
// exactly what nlohmann::ordered_json::parse accepts (RFC 8259, a leading UTF-8 byte order mark,
// strict UTF-8 in strings, finite numbers) and builds the same document (a repeated key keeps its
// first place and its last value), without nlohmann's quadratic inserts into an ordered object.
#pragma once

#include "common/api_error.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace sockt::server {

/// The limits of §3.4 step 3, each far above what a client of this API sends. String values have
/// no limit of their own: the body limit (§1.2, 72 MiB) bounds them, and files/write carries a
/// file of up to 48 MiB in one of them.
struct JsonLimits {
    static constexpr int kMaxDepth = 64;               // arrays and objects nested in each other
    static constexpr std::size_t kMaxValues = 10'000;  // object members + array elements, in all
    static constexpr std::size_t kMaxKeyBytes = 4096;  // one object key, as sent
    static constexpr std::size_t kMaxNumberChars = 256; // one number, as sent
};

struct ParsedBody {
    enum class Outcome { Ok, Malformed, OverLimit };
    Outcome outcome = Outcome::Malformed;
    OJson value;         // the document when Ok
    std::string message; // OverLimit: which limit was passed and what to do instead

    bool ok() const { return outcome == Outcome::Ok; }
    /// The §3.2 answer to a body that is not Ok: 400 invalid_params.
    ApiError error() const;
};

/// Parses `text`, stopping at the first syntax error or passed limit.
ParsedBody parseBoundedJson(std::string_view text);

} // namespace sockt::server
