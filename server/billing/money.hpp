// Checked money arithmetic (docs/protocol.md §1.4, §7). Every amount a client or the command line
// can name is bounded, and every product or sum of amounts is checked, so no request can mint
// credits through a wrapped int64.
#pragma once

#include <cstdint>
#include <optional>

namespace sockt::server {

/// The largest balance, reservation or credit in cents ($10 billion, far beyond any real
/// account): 10^17 subcents, so a sum of a few such amounts stays far below INT64_MAX (9.2e18).
inline constexpr std::int64_t kMaxCents = 1'000'000'000'000;

/// `cents` × 100 000 (§1.4), or nullopt for a negative amount or one over kMaxCents.
std::optional<std::int64_t> subcentsOf(std::int64_t cents);
/// a + b, or nullopt when it overflows.
std::optional<std::int64_t> checkedAdd(std::int64_t a, std::int64_t b);
/// a + b held to the int64 range: for amounts owed back (a refund, a paid invoice), which must
/// never fail and never wrap.
std::int64_t saturatingAdd(std::int64_t a, std::int64_t b);

} // namespace sockt::server
