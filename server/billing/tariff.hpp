// The billing arithmetic of docs/protocol.md §7 in one place, so metering, status views and tests
// of the formulas cannot disagree.
#pragma once

#include "sockt/protocol.hpp"

#include <cstdint>
#include <string>

namespace sockt::server {

/// Lightning: msats owed for `running_ms` (whole seconds only; partial seconds carry over).
std::int64_t lightningDueMsats(std::int64_t running_ms, const protocol::TierSpec& tier);
/// Credits: `floor(running_ms × cents_per_hour / 36)` subcents (§7.2).
std::int64_t creditsDueSubcents(std::int64_t running_ms, const protocol::TierSpec& tier);
/// `floor(balance / rate)`.
std::int64_t secondsRemaining(std::int64_t balance_msats, const protocol::TierSpec& tier);
/// "ok" (≥ 60 s) | "low_balance" (> 0) | "out_of_balance".
std::string warningLevel(std::int64_t seconds_remaining);
/// §7.3; `warning` is the lightning level or empty.
int nextPollSecs(const std::string& status, const std::string& warning);

} // namespace sockt::server
