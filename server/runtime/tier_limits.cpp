#include "runtime/tier_limits.hpp"

namespace sockt::server {

const TierLimits& tierLimits(std::string_view tier) {
    for (const auto& limits : kTierLimits)
        if (limits.tier == tier)
            return limits;
    return kTierLimits[0];
}

} // namespace sockt::server
