#include "billing/money.hpp"

#include "sockt/protocol.hpp"

#include <limits>

namespace sockt::server {

std::optional<std::int64_t> subcentsOf(std::int64_t cents) {
    std::int64_t out = 0;
    if (cents < 0 || cents > kMaxCents ||
        __builtin_mul_overflow(cents, protocol::kSubcentsPerCent, &out))
        return std::nullopt;
    return out;
}

std::optional<std::int64_t> checkedAdd(std::int64_t a, std::int64_t b) {
    std::int64_t out = 0;
    if (__builtin_add_overflow(a, b, &out))
        return std::nullopt;
    return out;
}

std::int64_t saturatingAdd(std::int64_t a, std::int64_t b) {
    if (auto sum = checkedAdd(a, b))
        return *sum;
    return b > 0 ? std::numeric_limits<std::int64_t>::max()
                 : std::numeric_limits<std::int64_t>::min();
}

} // namespace sockt::server
