// JSON as the server writes it, on the wire and on disk.
#pragma once

#include "common/api_error.hpp"

#include <string>

namespace sockt::server {

/// Compact JSON (no trailing newline; invalid UTF-8 replaced by U+FFFD, docs/protocol.md §1.2).
std::string dumpJson(const OJson& j);

} // namespace sockt::server
