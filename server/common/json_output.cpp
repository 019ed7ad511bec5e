#include "common/json_output.hpp"

namespace sockt::server {

std::string dumpJson(const OJson& j) {
    return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

} // namespace sockt::server
