// Starts the long-lived children of the server (bubblewrap instances, host agents) from one
// thread that lives as long as the process: `--die-with-parent` / PR_SET_PDEATHSIG fire when the
// *thread* that forked a child ends, and HTTP worker threads come and go.
#pragma once

#include <string>
#include <vector>

namespace sockt::server::launcher {

struct Launch {
    std::vector<std::string> argv; // argv[0] is the executable path
    std::vector<std::string> env;
    std::vector<std::pair<int, int>> fds; // (our fd, child fd) — every other fd is closed
    std::string stderr_path;              // "" = /dev/null
};

/// posix_spawn on the launcher thread; returns the pid or throws std::runtime_error.
int spawn(const Launch& launch);

} // namespace sockt::server::launcher
