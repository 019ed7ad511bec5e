// sockt::version(): the project version from the root CMakeLists.txt (configured header).
#include "sockt/protocol.hpp"
#include "sockt_version.hpp"

namespace sockt {

std::string_view version() {
    return SOCKT_VERSION_STRING;
}

} // namespace sockt
