#include "api/params.hpp"

#include <climits>
#include <cmath>

namespace sockt::server {

void invalidParams(const std::string& message) {
    throw ApiError("invalid_params", message);
}

std::optional<std::string> optString(const OJson& body, const char* key) {
    auto it = body.find(key);
    if (it == body.end() || it->is_null())
        return std::nullopt;
    if (!it->is_string())
        invalidParams(std::string(key) + " must be a string");
    return it->get<std::string>();
}

std::string requireString(const OJson& body, const char* key) {
    auto v = optString(body, key);
    if (!v)
        invalidParams(std::string("missing required field: ") + key);
    return *v;
}

std::optional<std::int64_t> optInt(const OJson& body, const char* key) {
    auto it = body.find(key);
    if (it == body.end() || it->is_null())
        return std::nullopt;
    if (it->is_number_unsigned() &&
        it->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX))
        invalidParams(std::string(key) + " is too large"); // get<int64_t> would wrap it
    if (it->is_number_integer())
        return it->get<std::int64_t>();
    if (it->is_number_float()) {
        const double d = it->get<double>();
        if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9e15)
            return static_cast<std::int64_t>(d);
    }
    invalidParams(std::string(key) + " must be an integer");
}

std::optional<bool> optBool(const OJson& body, const char* key) {
    auto it = body.find(key);
    if (it == body.end() || it->is_null())
        return std::nullopt;
    if (!it->is_boolean())
        invalidParams(std::string(key) + " must be a boolean");
    return it->get<bool>();
}

std::optional<std::int64_t> queryInt(const std::string& value, const char* what) {
    if (value.empty())
        return std::nullopt;
    std::size_t i = value[0] == '-' ? 1 : 0;
    if (i == value.size() || value.size() > 18)
        invalidParams(std::string(what) + " must be an integer");
    for (; i < value.size(); ++i)
        if (value[i] < '0' || value[i] > '9')
            invalidParams(std::string(what) + " must be an integer");
    return std::stoll(value);
}

std::size_t codePoints(const std::string& text) {
    std::size_t n = 0;
    for (unsigned char c : text)
        if ((c & 0xC0) != 0x80)
            ++n;
    return n;
}

} // namespace sockt::server
