// Starts the long-lived children of the server (bubblewrap instances, host agents, network
// helpers) from one thread that lives as long as the process: `--die-with-parent` /
// PR_SET_PDEATHSIG fire when the *thread* that forked a child ends, and HTTP worker threads come
// and go.
#pragma once

#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace sockt::server::launcher {

/// An unprivileged host identity a child drops to before exec (the server runs as root).
struct HostIdentity {
    uid_t uid;
    gid_t gid;
};

/// Where staged paths live in the child's private mount namespace (a fresh tmpfs there).
inline constexpr const char* kStagingDir = "/tmp";

struct Launch {
    std::vector<std::string> argv; // argv[0] is the executable path
    std::vector<std::string> env;
    std::vector<std::pair<int, int>> fds; // (our fd, child fd) — every other fd is closed
    std::string stderr_path;              // "" = /dev/null
    /// `cgroup.procs` files the child writes itself into before exec, so everything it forks is
    /// limited from its first instruction (docs/protocol.md §11.4).
    std::vector<int> cgroup_procs_fds;
    /// Written to /proc/self/oom_score_adj before exec, where the host allows it (the sandbox
    /// instance and its agent are never the victim of their own sandbox's memory overrun).
    std::optional<int> oom_score_adj;
    /// Gives the child a private /dev/net/tun owned by `run_as` (a new mount namespace): the user
    /// mode network helper opens that path and must not run as root (docs/protocol.md §11.4).
    bool private_tun = false;
    /// Host files and folders the child (still root) binds at paths below kStagingDir, in a
    /// private mount namespace: bubblewrap resolves its bind sources by path as the
    /// unprivileged `run_as`, which may not walk the 0700 data dir.
    struct Staged {
        std::string host_path;
        std::string path; // kStagingDir + "/<name>"
    };
    std::vector<Staged> staged;
    std::optional<HostIdentity> run_as;
};

/// fork + exec on the launcher thread; returns the pid or throws std::runtime_error with the
/// step that failed in the child.
int spawn(const Launch& launch);

} // namespace sockt::server::launcher
