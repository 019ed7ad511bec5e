// Typed access to request fields with the 400 invalid_params answers of docs/protocol.md §1.5,
// §3.2. A JSON null counts as an omitted field.
#pragma once

#include "common/api_error.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace sockt::server {

std::optional<std::string> optString(const OJson& body, const char* key);
std::string requireString(const OJson& body, const char* key);
/// Integers; an integral float (5000.0) is accepted as the clients' rule §12.3 allows it.
std::optional<std::int64_t> optInt(const OJson& body, const char* key);
std::optional<bool> optBool(const OJson& body, const char* key);
/// A query integer ("" = omitted); `what` names it in the message.
std::optional<std::int64_t> queryInt(const std::string& value, const char* what);
/// Number of Unicode code points of UTF-8 text (label length, §2.2).
std::size_t codePoints(const std::string& text);
[[noreturn]] void invalidParams(const std::string& message);

} // namespace sockt::server
