// What one sandbox may use of this machine, per tier (docs/protocol.md §8, §11.4). The Sockt API
// publishes no CPU or memory figures, so these are ours: every tier fits a 24 GiB, 2-core
// machine, and `nano` stays below 2 GiB and 1024 processes. This table is the only place they
// are written; the README shows it.
#pragma once

#include <cstdint>
#include <string_view>

namespace sockt::server {

struct TierLimits {
    std::string_view tier;
    std::uint64_t memory_bytes; // resident memory (+ swap where the host accounts it)
    std::uint32_t processes;    // tasks (threads included) in the whole sandbox
    std::uint32_t cpu_millis;   // CPU time per wall second: 1000 = one full core
};

inline constexpr std::uint64_t kMiB = 1024ull * 1024;

inline constexpr TierLimits kTierLimits[] = {
    {"nano", 512 * kMiB, 256, 500},       {"micro", 1024 * kMiB, 512, 1000},
    {"small", 2048 * kMiB, 1024, 1000},   {"medium", 4096 * kMiB, 2048, 2000},
    {"large", 8192 * kMiB, 4096, 2000},   {"gpu-small", 16384 * kMiB, 4096, 2000},
};

/// The limits of `tier`; an unknown name gets the smallest tier's.
const TierLimits& tierLimits(std::string_view tier);

} // namespace sockt::server
