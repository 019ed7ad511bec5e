// How a forked child tells its parent which step before exec failed: a fixed-size record on a
// close-on-exec pipe (nothing arrives when exec succeeds). Shared by the launcher and the agent.
#pragma once

#include <cerrno>
#include <cstring>
#include <optional>
#include <string>
#include <unistd.h>

namespace sockt::server {

struct ChildFailure {
    int err;
    char stage[32];
};

/// In the child (async-signal-safe): reports `stage` and errno, then exits 127.
[[noreturn]] inline void childFail(int pipe_fd, const char* stage) {
    ChildFailure f{};
    f.err = errno;
    std::strncpy(f.stage, stage, sizeof(f.stage) - 1);
    ssize_t ignored = ::write(pipe_fd, &f, sizeof(f));
    (void)ignored;
    ::_exit(127);
}

/// In the parent, after closing its copy of the write end: "<stage>: <error>" when the child
/// failed before exec, nullopt once exec succeeded.
inline std::optional<std::string> readChildFailure(int pipe_fd) {
    ChildFailure f{};
    ssize_t n;
    do {
        n = ::read(pipe_fd, &f, sizeof(f));
    } while (n < 0 && errno == EINTR);
    if (n != static_cast<ssize_t>(sizeof(f)))
        return std::nullopt;
    return std::string(f.stage) + ": " + std::strerror(f.err);
}

} // namespace sockt::server
