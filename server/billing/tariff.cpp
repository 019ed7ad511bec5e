#include "billing/tariff.hpp"

namespace sockt::server {

std::int64_t lightningDueMsats(std::int64_t running_ms, const protocol::TierSpec& tier) {
    return (running_ms / 1000) * tier.msats_per_second;
}

std::int64_t creditsDueSubcents(std::int64_t running_ms, const protocol::TierSpec& tier) {
    return running_ms * tier.cents_per_hour / 36;
}

std::int64_t secondsRemaining(std::int64_t balance_msats, const protocol::TierSpec& tier) {
    if (balance_msats <= 0)
        return 0;
    return balance_msats / tier.msats_per_second;
}

std::string warningLevel(std::int64_t seconds_remaining) {
    if (seconds_remaining >= protocol::kLowBalanceSeconds)
        return "ok";
    if (seconds_remaining > 0)
        return "low_balance";
    return "out_of_balance";
}

int nextPollSecs(const std::string& status, const std::string& warning) {
    if (status == "awaiting_payment")
        return 5;
    if (status == "pending" || status == "starting")
        return 2;
    if (status == "paused")
        return 30;
    if (status == "terminated" || status == "failed")
        return 60;
    if (warning == "low_balance" || warning == "out_of_balance")
        return 5;
    return 15;
}

} // namespace sockt::server
