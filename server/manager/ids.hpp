// Identifier and timestamp formats of docs/protocol.md §1.4.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace sockt::server {

/// Fills `out` with `n` bytes from the OS CSPRNG (getrandom(2)).
void randomBytes(void* out, std::size_t n);
/// `n` lowercase hex characters from the OS CSPRNG (tokens and tickets must be unguessable).
std::string randomHex(std::size_t n);
/// Lowercase UUID v4.
std::string uuid4();
/// `usr_` + 12 hex, derived from the key (stable across restarts).
std::string userIdForKey(const std::string& api_key);

/// Milliseconds since the Unix epoch (wall clock; persisted timestamps use it).
std::int64_t nowMs();
/// RFC 3339 UTC with `Z`, second precision.
std::string rfc3339(std::int64_t epoch_ms);

} // namespace sockt::server
