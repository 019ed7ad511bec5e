// Token bucket per principal (docs/protocol.md §3.3): capacity N, refill N/60 per second.
// Thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>

namespace sockt::server {

class RateLimiter {
public:
    /// `per_minute` 0 disables limiting.
    explicit RateLimiter(int per_minute) : capacity_(per_minute) {}

    /// Takes one token; false when empty, with the whole seconds until one is available (≥ 1).
    bool allow(const std::string& principal, int* retry_after_secs);
    bool enabled() const { return capacity_ > 0; }

private:
    struct Bucket {
        double tokens;
        std::chrono::steady_clock::time_point updated;
    };
    void sweepLocked(std::chrono::steady_clock::time_point now);

    int capacity_;
    std::mutex mutex_;
    std::map<std::string, Bucket> buckets_;
    std::chrono::steady_clock::time_point last_sweep_{};
};

} // namespace sockt::server
