// `POST /v1/mcp`: MCP over Streamable HTTP with JSON responses only (docs/protocol.md §9). Each
// tool runs the same Api operation as its REST route, with the same checks. Thread-safe.
#pragma once

#include "api/mcp_endpoint.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sockt::server {

class Api;

class McpHandler {
public:
    explicit McpHandler(Api& api) : api_(api) {}
    /// `body` is the request body's one bounded parse (nullopt: no body); `call` carries the
    /// request's credentials (header, query).
    McpResult handle(const std::string& http_method, std::optional<ParsedBody> body,
                     const ApiCall& call, const std::string& request_id);

private:
    OJson callTool(const std::string& name, const OJson& arguments, const ApiCall& base,
                   const std::string& request_id, bool* is_error);
    OJson runTool(const std::string& name, const OJson& args, const ApiCall& base);
    OJson sandboxRun(const OJson& args, const ApiCall& call);
    OJson sandboxExec(const OJson& args, const ApiCall& call);
    OJson extendBalance(const OJson& args, const ApiCall& call);
    /// Polls `execution_id` until it ends or `wait_ms` passed; the answer of sandbox_run and
    /// sandbox_exec: {"execution_id","status","stdout","stderr","exit_code","error"}.
    OJson awaitExecution(const ApiCall& call, const std::string& execution_id,
                         std::int64_t wait_ms);

    Api& api_;
};

/// sandbox_exec's `wait_ms` (§9.3): its default and its largest value.
inline constexpr std::int64_t kDefaultExecWaitMs = 30000;
inline constexpr std::int64_t kMaxExecWaitMs = 300000;

/// The `tools` array of `tools/list` (§9.3).
OJson mcpToolList();
bool isMcpTool(const std::string& name);

} // namespace sockt::server
