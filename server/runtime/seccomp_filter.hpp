// The seccomp filter every sandbox process runs under (docs/protocol.md §11.4), in the spirit of
// Flatpak's: a deny list of the kernel interfaces that let code leave or probe its sandbox
// (nested namespaces, tracing, keyrings, BPF, perf, mounts, module loading, io_uring, terminal
// injection), foreign syscall ABIs refused, and clone3 answered ENOSYS so that libc falls back to
// clone, whose flags the filter can read.
#pragma once

namespace sockt::server {

/// A sealed memfd holding the filter as a classic BPF program (the format of bwrap's
/// `--seccomp FD`). The caller owns the descriptor. Throws std::runtime_error.
int seccompProgramFd();

} // namespace sockt::server
