#include "http/rate_limiter.hpp"

#include <algorithm>
#include <cmath>
#include <functional>

namespace sockt::server {

void RateLimiter::sweepLocked(std::chrono::steady_clock::time_point now) {
    // Buckets that have refilled completely carry no information: drop them so that a flood of
    // distinct (made-up) credentials cannot grow the map without bound.
    if (now - last_sweep_ < std::chrono::seconds(60))
        return;
    last_sweep_ = now;
    const double rate = capacity_ / 60.0;
    for (auto it = buckets_.begin(); it != buckets_.end();) {
        const double secs = std::chrono::duration<double>(now - it->second.updated).count();
        it = it->second.tokens + secs * rate >= capacity_ ? buckets_.erase(it) : std::next(it);
    }
}

bool RateLimiter::allow(const std::string& presented, int* retry_after_secs) {
    if (capacity_ <= 0)
        return true;
    // Any string a client presents is a principal (§3.3), up to a body's size: the map keeps a
    // bounded stand-in (its start, length and hash), so a bucket never costs more than that.
    constexpr std::size_t kKeptBytes = 128;
    const std::string principal =
        presented.size() <= 2 * kKeptBytes
            ? presented
            : presented.substr(0, kKeptBytes) + "\n" + std::to_string(presented.size()) + ":" +
                  std::to_string(std::hash<std::string>{}(presented));
    const auto now = std::chrono::steady_clock::now();
    const double rate = capacity_ / 60.0;
    std::lock_guard<std::mutex> lock(mutex_);
    sweepLocked(now);
    auto [it, inserted] = buckets_.try_emplace(principal, Bucket{double(capacity_), now});
    auto& b = it->second;
    if (!inserted) {
        const double secs = std::chrono::duration<double>(now - b.updated).count();
        b.tokens = std::min<double>(capacity_, b.tokens + secs * rate);
        b.updated = now;
    }
    if (b.tokens >= 1.0) {
        b.tokens -= 1.0;
        return true;
    }
    if (retry_after_secs)
        *retry_after_secs = std::max(1, static_cast<int>(std::ceil((1.0 - b.tokens) / rate)));
    return false;
}

} // namespace sockt::server
