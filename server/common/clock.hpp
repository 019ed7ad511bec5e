// The server's wall clock and the timestamp format of docs/protocol.md §1.4.
#pragma once

#include <cstdint>
#include <string>

namespace sockt::server {

/// Milliseconds since the Unix epoch (wall clock; persisted timestamps use it).
std::int64_t nowMs();
/// RFC 3339 UTC with `Z`, second precision.
std::string rfc3339(std::int64_t epoch_ms);

} // namespace sockt::server
