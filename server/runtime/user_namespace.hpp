// Host identities for sandboxes and the user namespace that maps them (docs/protocol.md §11.4).
// When the server runs as root, each sandbox gets its own slot of unprivileged host uids: one
// that owns its user namespace and runs its agent, one for its code, one that stands for root
// inside (mapped only so devpts can be mounted, never used by a process). Neither the code nor
// the agent is ever the host's root, and the code cannot signal or trace its agent.
#pragma once

#include "runtime/launcher.hpp"

#include <memory>
#include <sys/types.h>
#include <vector>

namespace sockt::server {

/// Uids (and equal gids) as seen inside every sandbox.
inline constexpr uid_t kInsideAgentUid = 100;
inline constexpr uid_t kInsideUserUid = 1000;

/// One sandbox's host uids. A slot is held with a lock file, so sandboxes of every server on
/// this host get distinct uids (and cgroups); it returns to the pool when this is destroyed or
/// the process dies.
class HostUidLease {
public:
    ~HostUidLease();
    HostUidLease(const HostUidLease&) = delete;
    HostUidLease& operator=(const HostUidLease&) = delete;

    unsigned slot() const { return slot_; }
    uid_t root() const { return base_; }
    uid_t agent() const { return base_ + 1; }
    uid_t user() const { return base_ + 2; }

    /// Takes the lowest free slot. Needs root. Throws std::runtime_error when none is free.
    static std::unique_ptr<HostUidLease> acquire();

private:
    HostUidLease(unsigned slot, int lock_fd);
    unsigned slot_;
    uid_t base_;
    int lock_fd_;
};

/// Creates a user namespace owned by the lease's agent uid, mapping 0, kInsideAgentUid and
/// kInsideUserUid to the lease's three uids (gids alike). Returns an O_CLOEXEC descriptor of it.
/// Needs root. Throws std::runtime_error with the failing step.
int createSandboxUserNamespace(const HostUidLease& ids);

} // namespace sockt::server
