// Everything a request handler needs, owned by the serve command for the server's lifetime.
#pragma once

#include "api/mcp_endpoint.hpp"

#include <memory>
#include <string>

namespace sockt::server {

class Api;
class RateLimiter;
class ShellService;

struct ServerContext {
    Api* api = nullptr;
    RateLimiter* limiter = nullptr;
    McpEndpoint mcp;                      // POST /v1/mcp (mcp/, wired by serve/)
    std::shared_ptr<ShellService> shells; // null when the shell part is not built in
    std::string isolation;                // "bwrap" | "none"
    std::string limits;                   // "cgroup-v2" | "cgroup-v1" | "rlimit"
    std::string network;                  // "slirp4netns" | "none" | "shared"
    std::string data_dir;
    std::string fallback_host; // "127.0.0.1:8787" when a request has no Host header
};

} // namespace sockt::server
