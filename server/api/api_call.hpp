// One API call as the route handlers see it, independent of how it arrived (a REST request or an
// MCP tool call, docs/protocol.md §9), so both fronts share every check of §3.4.
#pragma once

#include "common/api_error.hpp"
#include "files/file_ops.hpp"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sockt::server {

struct ApiCall {
    /// Presented credentials in the order of §1.3: header, query, body (empty ones dropped).
    std::vector<std::string> credentials;
    /// The Authorization header's credential alone (lightning create: a header key co-owns).
    std::string header_credential;
    /// Decoded query parameters; empty values are treated as omitted (§2.12).
    std::map<std::string, std::string> query;
    /// The JSON body (an object; `{}` when the request had none).
    OJson body = OJson::object();
    /// For shell-url: `Host` header and whether the client reached us over TLS.
    std::string host;
    bool secure = false;
    /// The User-Agent header (only to spare our own clients a compatibility duplicate).
    std::string user_agent;
    /// files/write over REST when the handler could cut the `content` string out of the raw body
    /// without the JSON lexer (bench finding S2); `body` then lacks that key. Api::writeFile moves
    /// the text out (a pointer, because routes see the call as const). Null otherwise (MCP calls,
    /// bodies the cut does not fit): the content is then in `body`.
    std::shared_ptr<std::string> content;
    /// REST only: where files/read leaves its answer (then it returns null), so the HTTP layer
    /// sends it with a Content-Length and streams a large base64 text instead of building it in
    /// a DOM or a string first (bench findings S5, S6). Null for MCP calls, which need the DOM.
    std::optional<ReadAnswer>* read_answer = nullptr;

    std::string queryValue(const std::string& key) const {
        auto it = query.find(key);
        return it == query.end() ? std::string() : it->second;
    }
};

/// Builds the credential list of §1.3 from its three sources.
std::vector<std::string> collectCredentials(const std::string& header, const std::string& query,
                                            const std::string& body);
/// The credential of an `Authorization: Bearer <x>` header (scheme case-insensitive), or "".
std::string bearerCredential(const std::string& authorization_header);

} // namespace sockt::server
