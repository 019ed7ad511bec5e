// The REST operations of docs/protocol.md §2 and §11.3 behind the transport: each runs the checks
// of §3.4 from step 4 on (the HTTP layer did 1-3) and returns the response body or throws ApiError.
// Shared by the HTTP routes and the MCP tools (§9). Thread-safe.
#pragma once

#include "api/api_call.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace sockt::server {

class SandboxManager;
class SandboxRuntime;

/// What a shell session needs once the caller may open it (§6.1): the sandbox's runtime and, for
/// lightning sandboxes, the `billing` frame sent right after the upgrade (§6.3).
struct ShellGrant {
    std::shared_ptr<SandboxRuntime> runtime;
    std::optional<OJson> billing_frame;
};

class Api {
public:
    explicit Api(SandboxManager& manager) : manager_(manager) {}

    static OJson tiers();
    OJson createSandbox(const ApiCall& call); // 201
    OJson getSandbox(const ApiCall& call, const std::string& id);
    OJson pauseSandbox(const ApiCall& call, const std::string& id);
    OJson resumeSandbox(const ApiCall& call, const std::string& id);
    OJson terminateSandbox(const ApiCall& call, const std::string& id);
    OJson exec(const ApiCall& call, const std::string& id);
    OJson pollExecution(const ApiCall& call, const std::string& execution_id);
    OJson cancelExecution(const ApiCall& call, const std::string& execution_id);
    OJson writeFile(const ApiCall& call, const std::string& id);
    OJson readFile(const ApiCall& call, const std::string& id);
    OJson listFiles(const ApiCall& call, const std::string& id);
    OJson shellUrl(const ApiCall& call, const std::string& id);

    OJson payInvoice(const std::string& ref);
    OJson addCredits(const ApiCall& call);
    /// GET /sandboxes/{id}/shell before the upgrade: a `ticket` for this sandbox (consumed), else
    /// the ordinary credentials; the sandbox must be running.
    ShellGrant openShell(const ApiCall& call, const std::string& id);
    /// The credential check of §3.4 for a sandbox; returns the acting key.
    std::string authorizeSandbox(const ApiCall& call, const std::string& id);
    /// sandbox_extend_balance (§9.3) after authorizeSandbox.
    OJson extendBalance(const std::string& id, const std::string& acting_key,
                        std::optional<std::int64_t> cents, std::optional<std::int64_t> sats);


private:
    SandboxManager& manager_;
};

} // namespace sockt::server
