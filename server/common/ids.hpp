// Identifier formats of docs/protocol.md §1.4: random ids, tokens and user ids.
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


} // namespace sockt::server
