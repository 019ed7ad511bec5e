// Base64 as PROTOCOL.md §5.1/§12 rule 12 want it on the server: decoding ignores ASCII whitespace
// and accepts missing padding; encoding is standard, padded and unwrapped.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sockt::server {

std::string encodeBase64(std::string_view bytes);
/// nullopt on any character outside the alphabet, misplaced padding or an impossible length.
std::optional<std::string> decodeBase64(std::string_view text);

} // namespace sockt::server
