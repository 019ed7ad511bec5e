// How `POST /v1/mcp` travels from the HTTP transport (http/) to the MCP transport (mcp/): the two
// are siblings over the Api and include nothing of each other; serve/ wires this function to
// McpHandler::handle (docs/protocol.md §9).
#pragma once

#include "api/api_call.hpp"
#include "common/bounded_json.hpp"

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sockt::server {

struct McpResult {
    int status = 200;
    std::string body; // empty for 202 / 204
    std::vector<std::pair<std::string, std::string>> headers;
};

/// `body` is the request body's one bounded parse (nullopt: no body); `call` carries the
/// request's credentials (header, query).
using McpEndpoint =
    std::function<McpResult(const std::string& http_method, std::optional<ParsedBody> body,
                            const ApiCall& call, const std::string& request_id)>;

} // namespace sockt::server
