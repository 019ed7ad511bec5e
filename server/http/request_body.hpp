// A request's body as the steps of docs/protocol.md §3.4 see it: read within the size limit of
// §1.2, then parsed once, by the bounded parser (§3.4 step 3), into the document every later step
// and the MCP endpoint read. A files/write body has its `content` string cut out of the raw text
// when that is exact (bench finding S2), so a 64 MiB file never goes through a JSON lexer.
#pragma once

#include "common/bounded_json.hpp"

#include <memory>
#include <optional>
#include <string>

namespace Poco::Net {
class HTTPServerRequest;
}

namespace sockt::server {

struct RequestBody {
    bool too_large = false;  // over 72 MiB: 413, and the connection closes
    bool bad_length = false; // a negative Content-Length: 400, and the connection closes
    /// The parse of a body that is neither empty nor only whitespace (nullopt otherwise).
    std::optional<ParsedBody> json;
    /// files/write only: the `content` string cut out of the raw body (then `json` lacks the key).
    std::shared_ptr<std::string> content;

    /// §1.3's body credential: a string `sandbox_token` of a JSON object body, or "".
    std::string token() const;
};

/// 400 invalid_params for a Content-Length that is not a number of bytes.
ApiError badContentLength();

/// Reads and parses the body. `cut_write_content`: the request is a files/write.
RequestBody readRequestBody(Poco::Net::HTTPServerRequest& request, bool cut_write_content);

} // namespace sockt::server
