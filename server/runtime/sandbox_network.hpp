// A sandbox's own network (docs/protocol.md §11.4): its network namespace gets outbound access
// through slirp4netns, a user-mode TCP/IP stack that runs as the sandbox's unprivileged host uid
// and never forwards to the host's loopback, so the host's loopback listeners, its abstract unix
// sockets and this server's admin routes stay out of reach. Without slirp4netns a sandbox has
// only its own loopback, never the host's network.
#pragma once

#include "runtime/launcher.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace sockt::server {

enum class NetworkMode { Slirp4netns, None, Shared };

/// Probed once for bwrap isolation; `*reason` (if given) says why a sandbox gets no network.
NetworkMode sandboxNetworkMode(std::string* reason = nullptr);
/// "slirp4netns" | "none" | "shared" (`GET /local/v1/health` `network`).
std::string_view networkModeName(NetworkMode mode);

/// One slirp4netns serving the network namespace of `target_pid`; stopped on destruction.
class SlirpNetwork {
public:
    /// Starts it as `run_as` (nullopt: the server's own user) and waits until the namespace's
    /// tap0 is configured. Throws std::runtime_error with the reason.
    SlirpNetwork(int target_pid, std::optional<launcher::HostIdentity> run_as,
                 const std::filesystem::path& log);
    ~SlirpNetwork();
    SlirpNetwork(const SlirpNetwork&) = delete;
    SlirpNetwork& operator=(const SlirpNetwork&) = delete;

private:
    void stop();
    int pid_ = -1;
    int exit_fd_ = -1; // closing it ends slirp4netns
};

} // namespace sockt::server
