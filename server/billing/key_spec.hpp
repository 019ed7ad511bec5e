// `--api-key KEY[:CENTS]` and SOCKT_SERVE_API_KEYS (docs/protocol.md §11.1).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sockt::server {

struct KeySpec {
    std::string key;
    std::optional<std::int64_t> balance_subcents; // nullopt: keep stored / default
};

/// Parses `KEY[:CENTS]`; CENTS has up to 5 decimals (exact, no floating point). Throws
/// std::invalid_argument with a message naming the problem (never the key itself).
KeySpec parseKeySpec(const std::string& text);
/// Comma-separated list (empty items skipped).
std::vector<KeySpec> parseKeySpecList(const std::string& text);
/// Default balance of a new key without CENTS: 1 000 000 cents.
inline constexpr std::int64_t kDefaultKeyBalanceSubcents = 1'000'000LL * 100'000LL;

} // namespace sockt::server
