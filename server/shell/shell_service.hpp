// The WebSocket endpoint `GET /v1/sandboxes/{id}/shell` (docs/protocol.md §6): bridges JSON frames
// to a login bash under a PTY inside the sandbox's runtime.
#pragma once

#include "common/api_error.hpp"
#include "manager/shell_notifier.hpp"

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
class ShellService : public ShellNotifier {
public:
    struct Options {
        std::chrono::milliseconds ping_interval{30'000}; // §6.4
        std::size_t max_frame_bytes = 1 << 20;           // §6.2: larger → close 1009
        int initial_cols = 80;                           // §6.1 step 4
        int initial_rows = 24;
    };

    struct Impl;

    /// One of a sandbox's places for a shell (§6.1: at most 5), taken before the upgrade and
    /// held for the whole session, so that parallel upgrades cannot all pass the count. The
    /// place is given back when the slot is destroyed, on every path.
    class Slot {
    public:
        Slot(Slot&& other) noexcept;
        Slot& operator=(Slot&&) = delete;
        ~Slot();
        const std::string& sandboxId() const { return sandbox_id_; }

    private:
        friend class ShellService;
        Slot(std::shared_ptr<Impl> impl, std::string sandbox_id);
        std::shared_ptr<Impl> impl_;
        std::string sandbox_id_;
    };

    ShellService();
    explicit ShellService(Options options);
    ~ShellService();
    ShellService(const ShellService&) = delete;
    ShellService& operator=(const ShellService&) = delete;

    /// Takes a slot among the sandbox's `limit` places, or throws ApiError too_many_executions
    /// (429) when all are taken. One mutex decides, however many upgrades arrive at once.
    Slot reserve(const std::string& sandbox_id, int limit);

    /// GET /v1/sandboxes/{id}/shell after the HTTP layer checked auth (ticket consumed, or Bearer /
    /// ?sandbox_token=), state (§1.7) and took `slot` (reserve()). Performs the WebSocket upgrade
    /// and runs the session to its end on the calling (server) thread; the slot is held until
    /// then. `connect_billing_frame` (lightning sandboxes) is sent right after the upgrade (§6.3).
    /// A request that is not a valid upgrade throws ApiError invalid_params before any byte of
    /// the response is sent; after the upgrade nothing is thrown.
    void run(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
             Slot slot, std::shared_ptr<SandboxRuntime> runtime,
             std::optional<OJson> connect_billing_frame);

    /// Taken slots of this sandbox: live sessions and upgrades under way.
    int count(const std::string& sandbox_id) const;
    /// Every shell of the sandbox gets {"type":"error","data":reason}, then close 1001 and a hangup
    /// of its shell (pause, terminate, out of balance: §6.4). Returns once they are told.
    void closeAll(const std::string& sandbox_id, const std::string& reason) override;
    /// Sends `frame` (billing, low_balance, deposit_required, out_of_balance: §6.3) to every shell
    /// of the sandbox.
    void broadcast(const std::string& sandbox_id, const OJson& frame) override;
    /// Close 1001 everywhere (server shutdown) and refuse new sessions.
    void shutdown();

private:
    std::shared_ptr<Impl> impl_;
};

} // namespace sockt::server
