// Tolerant JSON readers (docs/protocol.md §12): unknown keys ignored, numbers by value, null = n/a.
#include "json/lenient.hpp"

#include <cmath>
#include <cstdlib>
#include <limits>

namespace sockt::json {
namespace {

char lowerAscii(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// Keys are compared in ASCII only: std::tolower goes through the locale on every char (and a
// Turkish one would fold 'I' elsewhere), and the fallback below compares each wanted key that is
// missing or null with every key of the answer.
bool sameLoose(std::string_view a, std::string_view b) {
    std::size_t i = 0;
    std::size_t k = 0;
    while (true) {
        while (i < a.size() && a[i] == '_')
            ++i;
        while (k < b.size() && b[k] == '_')
            ++k;
        if (i == a.size() || k == b.size())
            return i == a.size() && k == b.size();
        if (lowerAscii(a[i]) != lowerAscii(b[k]))
            return false;
        ++i;
        ++k;
    }
}

bool hasCapital(std::string_view key) {
    for (char c : key)
        if (c >= 'A' && c <= 'Z')
            return true;
    return false;
}

// A number sent as a string ("5000"): the whole text must parse, else it is not a number.
std::optional<double> numberInString(const std::string& s) {
    if (s.empty())
        return std::nullopt;
    char* end = nullptr;
    double d = std::strtod(s.c_str(), &end);
    if (end && *end == '\0')
        return d;
    return std::nullopt;
}

std::optional<std::int64_t> fromDouble(double d) {
    if (!std::isfinite(d))
        return std::nullopt;
    double t = std::trunc(d);
    if (t < static_cast<double>(std::numeric_limits<std::int64_t>::min()) ||
        t >= static_cast<double>(std::numeric_limits<std::int64_t>::max()))
        return std::nullopt;
    return static_cast<std::int64_t>(t);
}

} // namespace

const Json* Object::find(std::string_view key) const {
    if (!object_.is_object())
        return nullptr;
    auto it = object_.find(key); // a transparent comparator: no std::string is made
    if (it != object_.end() && !it->is_null())
        return &*it;
    if (capitals_ < 0) {
        capitals_ = 0;
        for (auto jt = object_.begin(); jt != object_.end() && capitals_ == 0; ++jt)
            capitals_ = hasCapital(jt.key()) ? 1 : 0;
    }
    if (capitals_ == 0)
        return nullptr;
    // The exact key, if present, is null here, so it is skipped like any other null.
    for (auto jt = object_.begin(); jt != object_.end(); ++jt) {
        if (!jt->is_null() && hasCapital(jt.key()) && sameLoose(jt.key(), key))
            return &*jt;
    }
    return nullptr;
}

const Json* Object::findAny(std::initializer_list<std::string_view> keys) const {
    if (!object_.is_object())
        return nullptr;
    // Exact keys first, in order, so `sandbox_id` beats `ID` beats `id` (§12 rule 4).
    for (auto key : keys) {
        auto it = object_.find(key);
        if (it != object_.end() && !it->is_null())
            return &*it;
    }
    for (auto key : keys) {
        if (const Json* v = find(key))
            return v;
    }
    return nullptr;
}

std::optional<std::string> optString(const Json* v) {
    if (!v || v->is_null())
        return std::nullopt;
    if (v->is_string())
        return v->get<std::string>();
    if (v->is_number_integer() || v->is_number_unsigned() || v->is_boolean())
        return v->dump();
    if (v->is_number_float()) {
        double d = v->get<double>();
        if (std::isfinite(d) && std::trunc(d) == d && std::fabs(d) < 9e15)
            return std::to_string(static_cast<long long>(d));
        return v->dump();
    }
    return std::nullopt;
}

std::optional<std::int64_t> optInt(const Json* v) {
    if (!v || v->is_null())
        return std::nullopt;
    if (v->is_number_integer())
        return v->get<std::int64_t>();
    if (v->is_number_unsigned()) {
        auto u = v->get<std::uint64_t>();
        if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
            return std::nullopt;
        return static_cast<std::int64_t>(u);
    }
    if (v->is_number_float())
        return fromDouble(v->get<double>());
    if (v->is_boolean())
        return v->get<bool>() ? 1 : 0;
    if (v->is_string()) {
        if (auto d = numberInString(v->get_ref<const std::string&>()))
            return fromDouble(*d);
    }
    return std::nullopt;
}

std::optional<double> optDouble(const Json* v) {
    if (!v || v->is_null())
        return std::nullopt;
    if (v->is_number())
        return v->get<double>();
    if (v->is_boolean())
        return v->get<bool>() ? 1.0 : 0.0;
    if (v->is_string())
        return numberInString(v->get_ref<const std::string&>());
    return std::nullopt;
}

std::optional<bool> optBool(const Json* v) {
    if (!v || v->is_null())
        return std::nullopt;
    if (v->is_boolean())
        return v->get<bool>();
    if (v->is_number())
        return v->get<double>() != 0.0;
    if (v->is_string()) {
        std::string s = v->get<std::string>();
        for (auto& c : s)
            c = lowerAscii(c);
        if (s == "true" || s == "1" || s == "yes")
            return true;
        if (s == "false" || s == "0" || s == "no" || s.empty())
            return false;
    }
    return std::nullopt;
}

} // namespace sockt::json
