// Per-sandbox control groups: the tier's memory, process and CPU limits (docs/protocol.md §8,
// §11.4). cgroup v2 when the server can write the unified hierarchy's root, else the v1
// memory/pids/cpu hierarchies, else nothing (the agent then applies rlimits, see agent.cpp).
#pragma once

#include "runtime/tier_limits.hpp"

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sockt::server {

enum class LimitsMode { CgroupV2, CgroupV1, Rlimit };

/// Probed once: which mechanism this host lets the server use.
LimitsMode limitsMode();
/// "cgroup-v2" | "cgroup-v1" | "rlimit" (`GET /local/v1/health` `limits`).
std::string_view limitsModeName(LimitsMode mode);

class SandboxCgroup {
public:
    /// Creates the groups of the sandbox holding uid slot `slot` (user_namespace.hpp; unique on
    /// the host) with `limits` written, first killing what a crashed holder of the slot left;
    /// nullptr in rlimit mode. Throws std::runtime_error when a group cannot be made or limited.
    static std::unique_ptr<SandboxCgroup> create(unsigned slot, const TierLimits& limits);
    /// Kills whatever is still inside and removes the groups.
    ~SandboxCgroup();
    SandboxCgroup(const SandboxCgroup&) = delete;
    SandboxCgroup& operator=(const SandboxCgroup&) = delete;

    /// Open `cgroup.procs` descriptors (owned here) a child writes itself into before exec.
    const std::vector<int>& procsFds() const { return procs_fds_; }
    /// SIGKILL to every task inside until none is left or `timeout`; true if none is left.
    bool killAll(std::chrono::milliseconds timeout);

private:
    explicit SandboxCgroup(std::vector<std::string> dirs);
    std::vector<std::string> dirs_;
    std::vector<int> procs_fds_;
};

} // namespace sockt::server
