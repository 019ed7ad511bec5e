// The wire format between the server and a sandbox agent: an AF_UNIX SOCK_SEQPACKET pair, so each
// message keeps its boundaries and the descriptors it carries (SCM_RIGHTS) stay attached to it.
// Long messages (a spawn with a large command) are split into packets flagged "more".
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sockt::server::agent_wire {

enum class Type : std::uint32_t {
    Ready = 1,       // agent → server: booted
    Spawn = 2,       // server → agent: [req, mode, cols, rows, cwd, argc, argv…, env…]
    Spawned = 3,     // agent → server: [req, pid] + fds (exec: stdout, stderr; pty: master)
    SpawnFailed = 4, // agent → server: [req, reason]
    Signal = 5,      // server → agent: [pid, signal] — sent to the process group `pid`
    Exited = 6,      // agent → server: [pid, raw wait status]
};

struct Message {
    Type type = Type::Ready;
    std::vector<std::string> fields;
    std::vector<int> fds; // received descriptors are owned by the receiver
};

/// Sends one message (blocking). Returns false when the peer is gone.
bool send(int sock, const Message& message);

/// Receives one message (blocking). Returns false on EOF or a broken stream.
bool receive(int sock, Message& message);

} // namespace sockt::server::agent_wire
