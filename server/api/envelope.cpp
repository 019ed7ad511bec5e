#include "api/envelope.hpp"

#include "common/ids.hpp"

namespace sockt::server {

OJson errorEnvelope(const ApiError& error, const std::string& request_id) {
    const auto* slug = protocol::findSlug(error.code());
    OJson j;
    j["code"] = error.code();
    j["error"] = slug ? std::string(slug->label) : error.code();
    j["message"] = error.message();
    j["hint"] = error.hint().empty() ? OJson(nullptr) : OJson(error.hint());
    j["request_id"] = request_id;
    if (error.extra().is_object())
        for (const auto& [k, v] : error.extra().items())
            j[k] = v;
    return j;
}

std::string requestIdFor(const std::string& v) {
    bool ok = !v.empty() && v.size() <= 64;
    for (char c : v)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-'))
            ok = false;
    return ok ? v : "req_" + randomHex(24);
}

} // namespace sockt::server
