// The error envelope of docs/protocol.md §3.1 and request ids of §1.2.
#pragma once

#include "common/api_error.hpp"
#include "common/json_output.hpp"

#include <string>

namespace sockt::server {

/// `{"code","error","message","hint","request_id", …extra}`.
OJson errorEnvelope(const ApiError& error, const std::string& request_id);
/// The client's X-Request-Id when it matches [A-Za-z0-9._-]{1,64}, else `req_` + 24 hex.
std::string requestIdFor(const std::string& client_value);

} // namespace sockt::server
