// The REST operations of docs/protocol.md §2 and §11.3 behind the transport: each runs the checks
// of §3.4 from step 4 on (the HTTP layer did 1-3) and returns the response body or throws ApiError.
// Shared by the HTTP routes and the MCP tools (§9). Thread-safe.
#pragma once

#include "http/api_call.hpp"

#include <string>

namespace sockt::server {

class SandboxManager;

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

    SandboxManager& manager() { return manager_; }

private:
    SandboxManager& manager_;
};

} // namespace sockt::server
