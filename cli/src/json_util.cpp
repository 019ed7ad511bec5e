#include "app.hpp"

namespace sockt::cli {

bool jsonMode(const Invocation& inv) {
    const Flag* f = inv.command->lookupFlag("json");
    return f && f->bool_value;
}

void printJson(const Invocation& inv, const Json& value) {
    *inv.out << value.dump(-1, ' ', false, Json::error_handler_t::replace) << "\n";
    inv.out->flush();
}

std::string str(const Json& j, const char* key) {
    if (!j.is_object())
        return {};
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

double num(const Json& j, const char* key) {
    if (!j.is_object())
        return 0;
    auto it = j.find(key);
    return it != j.end() && it->is_number() ? it->get<double>() : 0;
}

} // namespace sockt::cli
