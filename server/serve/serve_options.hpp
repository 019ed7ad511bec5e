// The command line of `sockt serve` (docs/protocol.md §11.1).
#pragma once

#include <string>
#include <vector>

namespace sockt::server {

struct ServeOptions {
    std::string host = "127.0.0.1";
    int port = 8787;
    std::string data_dir; // empty = ${XDG_DATA_HOME:-$HOME/.local/share}/sockt/serve
    std::vector<std::string> api_keys;
    long long boot_delay_ms = 1000;
    std::string isolation = "auto";
    int rate_limit = 300;
    int max_sandboxes = 16;
};

/// Runs the server until SIGINT/SIGTERM; returns the process exit code (0 on a clean stop).
int runServer(const ServeOptions& options);

} // namespace sockt::server
