// The bubblewrap command line of a sandbox instance (docs/protocol.md §11.4): a minimal root
// filesystem (the host's /usr read-only, a few /etc entries, generated passwd/group/hosts/resolv
// files, the sandbox's own home and /tmp, a private /dev and /proc), new pid/ipc/uts/net/cgroup
// namespaces, the user namespace of user_namespace.hpp when the server is root, capabilities
// reduced to what the agent needs to start processes as the sandbox user, and the seccomp filter.
#pragma once

#include "runtime/launcher.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace sockt::server {

class HostUidLease;

struct BwrapSpec {
    std::filesystem::path home; // bound read-write at /home/sandbox
    std::filesystem::path tmp;  // bound read-write at /tmp
    /// The sandbox's ids when the server is root (with `userns_fd` from
    /// createSandboxUserNamespace); nullptr: the server's own user, bubblewrap's own namespace.
    const HostUidLease* ids = nullptr;
    int userns_fd = -1;
    /// The agent's socket, given to it as fd 3; -1 for a probe that runs `/bin/true`.
    int agent_socket = -1;
    /// argv[1…] of the agent (agentArguments()); ignored for a probe.
    std::vector<std::string> agent_args;
};

/// A launcher::Launch for bwrap with every descriptor it needs. Descriptors opened here are
/// closed when the BwrapLaunch is destroyed (after launcher::spawn has handed them over).
class BwrapLaunch {
public:
    explicit BwrapLaunch(const BwrapSpec& spec);
    ~BwrapLaunch();
    BwrapLaunch(const BwrapLaunch&) = delete;
    BwrapLaunch& operator=(const BwrapLaunch&) = delete;

    launcher::Launch& launch() { return launch_; }

private:
    /// Passes `fd` (owned by us when `owned`) to the child; returns its number there.
    int pass(int fd, bool owned);
    /// A read-only file at `dest` holding `text`.
    void data(const std::string& text, const std::string& dest);
    /// A path bwrap can resolve for `host_path`: the path itself when bwrap runs as the server's
    /// own user, else a staged copy of the mount (launcher::Launch::staged).
    std::string source(const std::string& host_path);
    void arg(std::initializer_list<std::string> words);

    launcher::Launch launch_;
    std::vector<int> owned_;
    bool staging_ = false;
    int next_child_fd_ = 4; // 3 is the agent's socket
};

} // namespace sockt::server
