// Drains and discards what background processes keep writing to an execution's pipes after the
// execution ended (docs/protocol.md §4.1: they keep running, their later output is dropped).
// Closing the pipes instead would kill them with SIGPIPE on their next write. One thread for the
// server.
#pragma once

namespace sockt::server::discard_sink {

/// Takes ownership of the read end `fd`; it is read and dropped until EOF, then closed.
void adopt(int fd);

} // namespace sockt::server::discard_sink
