#include "http/router.hpp"

#include <algorithm>

namespace sockt::server {
namespace {

std::vector<std::string> split(const std::string& path) {
    std::vector<std::string> out;
    if (path.empty() || path[0] != '/')
        return out;
    std::size_t start = 1;
    for (;;) {
        auto slash = path.find('/', start);
        out.push_back(
            path.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
        if (slash == std::string::npos)
            break;
        start = slash + 1;
    }
    return out;
}

RouteMatch make(Route r, std::vector<std::string> methods, std::string param = {}) {
    return RouteMatch{r, std::move(methods), std::move(param)};
}

} // namespace

bool RouteMatch::allows(const std::string& method) const {
    return std::find(methods.begin(), methods.end(), method) != methods.end();
}

std::string RouteMatch::allowHeader() const {
    std::string out;
    for (const auto& m : methods)
        out += (out.empty() ? "" : ", ") + m;
    return out;
}

RouteMatch matchRoute(const std::string& path) {
    const auto s = split(path);
    for (const auto& seg : s)
        if (seg.empty())
            return {};
    const auto n = s.size();
    if (n >= 2 && s[0] == "v1" && s[1] == "sandboxes") {
        if (n == 2)
            return make(Route::Sandboxes, {"POST"});
        if (n == 3 && s[2] == "tiers")
            return make(Route::Tiers, {"GET"});
        const auto& id = s[2];
        if (n == 3)
            return make(Route::Sandbox, {"GET", "DELETE"}, id);
        if (n == 4) {
            if (s[3] == "pause")
                return make(Route::Pause, {"POST"}, id);
            if (s[3] == "resume")
                return make(Route::Resume, {"POST"}, id);
            if (s[3] == "exec")
                return make(Route::Exec, {"POST"}, id);
            if (s[3] == "files")
                return make(Route::Files, {"GET"}, id);
            if (s[3] == "shell-url")
                return make(Route::ShellUrl, {"GET"}, id);
            if (s[3] == "shell")
                return make(Route::Shell, {"GET"}, id);
        }
        if (n == 5 && s[3] == "files") {
            if (s[4] == "write")
                return make(Route::FilesWrite, {"POST"}, id);
            if (s[4] == "read")
                return make(Route::FilesRead, {"POST"}, id);
        }
        return {};
    }
    if (n == 3 && s[0] == "v1" && s[1] == "executions")
        return make(Route::Execution, {"GET", "DELETE"}, s[2]);
    if (n == 2 && s[0] == "v1" && s[1] == "mcp")
        return make(Route::Mcp, {"POST", "DELETE"});
    if (n >= 3 && s[0] == "local" && s[1] == "v1") {
        if (n == 3 && s[2] == "health")
            return make(Route::Health, {"GET"});
        if (n == 3 && s[2] == "credits")
            return make(Route::Credits, {"POST"});
        if (n == 5 && s[2] == "invoices" && s[4] == "pay")
            return make(Route::PayInvoice, {"POST"}, s[3]);
    }
    return {};
}

} // namespace sockt::server
