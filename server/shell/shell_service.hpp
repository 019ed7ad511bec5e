// The WebSocket endpoint `GET /v1/sandboxes/{id}/shell` (PROTOCOL.md §6): bridges JSON frames to a
// login bash under a PTY inside the sandbox's runtime.
#pragma once

#include "common/api_error.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace Poco::Net {
class HTTPServerRequest;
class HTTPServerResponse;
} // namespace Poco::Net

namespace sockt::server {

class SandboxRuntime;

/// Thread-safe. One instance per server; every shell session registers itself here so that pause,
/// terminate, billing and shutdown can reach it from other threads.
class ShellService {
public:
    struct Options {
        std::chrono::milliseconds ping_interval{30'000}; // §6.4
        std::size_t max_frame_bytes = 1 << 20;           // §6.2: larger → close 1009
        int initial_cols = 80;                           // §6.1 step 4
        int initial_rows = 24;
    };

    ShellService();
    explicit ShellService(Options options);
    ~ShellService();
    ShellService(const ShellService&) = delete;
    ShellService& operator=(const ShellService&) = delete;

    /// GET /v1/sandboxes/{id}/shell after the HTTP layer checked auth (ticket consumed, or Bearer /
    /// ?sandbox_token=), state (§1.7) and count(id) < 5 (else 429 too_many_executions). Performs
    /// the WebSocket upgrade and runs the session to its end on the calling (server) thread.
    /// `connect_billing_frame` (lightning sandboxes) is sent right after the upgrade (§6.3).
    /// A request that is not a valid upgrade throws ApiError invalid_params before any byte of
    /// the response is sent; after the upgrade nothing is thrown.
    void run(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
             const std::string& sandbox_id, std::shared_ptr<SandboxRuntime> runtime,
             std::optional<OJson> connect_billing_frame);

    /// Live sessions of this sandbox (the HTTP layer enforces the limit of 5 with it).
    int count(const std::string& sandbox_id) const;
    /// Every shell of the sandbox gets {"type":"error","data":reason}, then close 1001 and a hangup
    /// of its shell (pause, terminate, out of balance: §6.4). Returns once they are told.
    void closeAll(const std::string& sandbox_id, const std::string& reason);
    /// Sends `frame` (billing, low_balance, deposit_required, out_of_balance: §6.3) to every shell
    /// of the sandbox.
    void broadcast(const std::string& sandbox_id, const OJson& frame);
    /// Close 1001 everywhere (server shutdown) and refuse new sessions.
    void shutdown();

private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

} // namespace sockt::server
