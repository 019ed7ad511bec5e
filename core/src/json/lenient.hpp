// INTERNAL: tolerant readers for response JSON (docs/protocol.md §12 rules 1-4).
#pragma once

#include "sockt/models.hpp"

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace sockt::json {

/// An object read with §12 rule 4's fallback: a key that is missing or null is looked for among
/// the keys spelled with capitals (PascalCase `PrepaidBalanceSubcents`, camelCase), ignoring case
/// and underscores. Whether the object has any such key is found out once, on the first lookup
/// that needs it, so the many lookups of one model over a snake_case answer (every answer of
/// ours: a status has a dozen null members) never walk its members.
class Object {
public:
    explicit Object(const Json& object) : object_(object) {}

    /// The value under `key` when it is present and not null; else the first non-null value
    /// under a capitalised spelling of it; else nullptr.
    const Json* find(std::string_view key) const;
    /// The first of `keys` present and not null; else the fallback of each in turn.
    const Json* findAny(std::initializer_list<std::string_view> keys) const;

private:
    const Json& object_;
    mutable signed char capitals_ = -1; // unknown until a fallback is needed
};

inline const Json* find(const Json& object, std::string_view key) {
    return Object(object).find(key);
}
inline const Json* findAny(const Json& object, std::initializer_list<std::string_view> keys) {
    return Object(object).findAny(keys);
}

std::optional<std::string> optString(const Json* value);
/// Integers, integral floats (`5000.0`), and numeric strings; other floats are truncated.
std::optional<std::int64_t> optInt(const Json* value);
std::optional<double> optDouble(const Json* value);
std::optional<bool> optBool(const Json* value);

inline std::optional<std::string> optString(const Object& o, std::string_view key) {
    return optString(o.find(key));
}
inline std::optional<std::int64_t> optInt(const Object& o, std::string_view key) {
    return optInt(o.find(key));
}
inline std::optional<double> optDouble(const Object& o, std::string_view key) {
    return optDouble(o.find(key));
}
inline std::optional<bool> optBool(const Object& o, std::string_view key) {
    return optBool(o.find(key));
}
inline std::string getString(const Object& o, std::string_view key) {
    return optString(o, key).value_or(std::string());
}
// One lookup in an object: the same, with the view made for it.
inline std::optional<std::string> optString(const Json& j, std::string_view key) {
    return optString(Object(j), key);
}
inline std::optional<std::int64_t> optInt(const Json& j, std::string_view key) {
    return optInt(Object(j), key);
}
inline std::optional<double> optDouble(const Json& j, std::string_view key) {
    return optDouble(Object(j), key);
}
inline std::optional<bool> optBool(const Json& j, std::string_view key) {
    return optBool(Object(j), key);
}
inline std::string getString(const Json& j, std::string_view key) {
    return getString(Object(j), key);
}

} // namespace sockt::json
