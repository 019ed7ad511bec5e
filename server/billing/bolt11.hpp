// Local simulated Lightning invoices (docs/protocol.md §7.1 "Local BOLT11 strings").
#pragma once

#include <cstdint>
#include <string>

namespace sockt::server {

/// The BOLT11 amount part with the shortest exact multiplier: 5000 sats → "50u", 10 → "100n".
std::string bolt11Amount(std::int64_t sats);
/// `lnbc<amount>1` + 58 random bech32 characters (no valid checksum: payment is simulated).
std::string makeBolt11(std::int64_t sats);
/// 64 lowercase hex characters.
std::string makePaymentHash();

} // namespace sockt::server
