// INTERNAL: tolerant readers for response JSON (docs/protocol.md §12 rules 1-4).
#pragma once

#include "sockt/models.hpp"

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace sockt::json {

/// The value under `key` when it is present and not null; else the value of a key that differs
/// only in case and underscores (the PascalCase fallback, `PrepaidBalanceSubcents`); else nullptr.
const Json* find(const Json& object, std::string_view key);
/// The first of `keys` that find() resolves.
const Json* findAny(const Json& object, std::initializer_list<std::string_view> keys);

std::optional<std::string> optString(const Json* value);
/// Integers, integral floats (`5000.0`), and numeric strings; other floats are truncated.
std::optional<std::int64_t> optInt(const Json* value);
std::optional<double> optDouble(const Json* value);
std::optional<bool> optBool(const Json* value);

inline std::optional<std::string> optString(const Json& o, std::string_view key) {
    return optString(find(o, key));
}
inline std::optional<std::int64_t> optInt(const Json& o, std::string_view key) {
    return optInt(find(o, key));
}
inline std::optional<double> optDouble(const Json& o, std::string_view key) {
    return optDouble(find(o, key));
}
inline std::optional<bool> optBool(const Json& o, std::string_view key) {
    return optBool(find(o, key));
}
inline std::string getString(const Json& o, std::string_view key) {
    return optString(o, key).value_or(std::string());
}

} // namespace sockt::json
