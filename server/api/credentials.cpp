// Credential sources of docs/protocol.md §1.3.
#include "api/api_call.hpp"

#include <Poco/String.h>

namespace sockt::server {

std::vector<std::string> collectCredentials(const std::string& header, const std::string& query,
                                            const std::string& body) {
    std::vector<std::string> out;
    for (const auto* c : {&header, &query, &body})
        if (!c->empty())
            out.push_back(*c);
    return out;
}

std::string bearerCredential(const std::string& authorization_header) {
    const std::string value = Poco::trim(authorization_header);
    if (value.size() < 7 || Poco::icompare(value.substr(0, 7), "bearer ") != 0)
        return {};
    return Poco::trim(value.substr(7));
}

} // namespace sockt::server
