// What the server remembers about one sandbox (persisted in the data dir, docs/protocol.md §11.2).
#pragma once

#include "common/api_error.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sockt::server {

namespace status {
inline constexpr const char* kAwaitingPayment = "awaiting_payment";
inline constexpr const char* kStarting = "starting";
inline constexpr const char* kRunning = "running";
inline constexpr const char* kPaused = "paused";
inline constexpr const char* kTerminated = "terminated";
inline constexpr const char* kFailed = "failed";
} // namespace status

struct SandboxRecord {
    std::string id;
    std::string status;
    std::optional<std::string>
        status_reason; // user | out_of_balance | invoice_expired | boot_failed
    std::string tier;
    bool lightning = false;
    std::optional<std::string> label;
    std::optional<std::string> sandbox_token; // lightning only
    std::vector<std::string> owner_keys;      // API keys that may touch it (§1.3)
    std::int64_t created_ms = 0;
    std::optional<std::int64_t> terminated_ms;
    std::int64_t boot_at_ms = 0; // while starting: when it becomes running

    // Lightning (§7.1).
    std::int64_t topup_amount_msats = 0; // the initial invoice's amount, reused for top-ups
    std::int64_t balance_msats = 0;
    std::int64_t consumed_msats = 0;
    std::string last_warning; // last computed warning level, to detect changes

    // Credits (§7.2).
    std::string billing_key;                      // the key that pays
    std::optional<std::int64_t> reserve_subcents; // remaining reservation; nullopt = key balance
    std::int64_t consumed_subcents = 0;
    std::int64_t initial_prepaid_subcents = 0; // PrepaidBalanceSubcents of the create response

    // Metering carry: ms (lightning) or ms × cents_per_hour (credits) not yet billed.
    std::int64_t meter_carry = 0;

    OJson toJson() const;
    static SandboxRecord fromJson(const OJson& j);
};

} // namespace sockt::server
