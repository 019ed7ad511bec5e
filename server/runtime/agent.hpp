// The sandbox agent: a tiny shell-free program that runs as the child of the one bubblewrap
// instance of a sandbox (or directly on the host in `none` isolation) and spawns every exec and
// shell of that sandbox inside it (docs/protocol.md §11.4). It is the server's own executable
// re-executed with a hidden marker argument, so no extra binary has to be installed.
#pragma once

#include <cstdint>
#include <string>
#include <sys/types.h>
#include <vector>

namespace sockt::server {

/// The hidden argv[1] that turns the executable into a sandbox agent.
inline constexpr const char* kSandboxAgentMarker = "__sandbox-agent";

/// How the agent starts every sandbox process (docs/protocol.md §11.4).
struct AgentOptions {
    int fd = 3;           // the agent's socket
    long parent_pid = 0;  // > 0: die with that parent (needed without a pid namespace)
    long user_uid = -1;   // >= 0: drop to this uid/gid (and no capabilities) before exec
    std::uint64_t rlimit_processes = 0; // > 0: RLIMIT_NPROC of sandbox processes
    std::uint64_t rlimit_data = 0;      // > 0: RLIMIT_DATA (the fallback memory limit)
};

/// When argv is `<exe> __sandbox-agent <options…>`, runs the agent and returns its exit
/// status (never returns to normal startup); otherwise returns -1 at once. main() calls it first.
/// The server library also performs this dispatch from a static initializer, so a binary that
/// links sockt_server works even if its main() forgets the call.
int maybeRunSandboxAgent(int argc, char** argv);

/// argv[1…] that start an agent with `options`.
std::vector<std::string> agentArguments(const AgentOptions& options);

} // namespace sockt::server
