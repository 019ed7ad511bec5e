// The route table of docs/protocol.md §2 and §11.3: path → route, allowed methods (404 / 405 +
// Allow).
#pragma once

#include <string>
#include <vector>

namespace sockt::server {

enum class Route {
    None,
    Tiers,
    Sandboxes,
    Sandbox,
    Pause,
    Resume,
    Exec,
    FilesWrite,
    FilesRead,
    Files,
    ShellUrl,
    Shell,
    Execution,
    Mcp,
    Health,
    PayInvoice,
    Credits,
};

struct RouteMatch {
    Route route = Route::None;
    std::vector<std::string> methods; // allowed methods of the path
    std::string param;                // sandbox id, execution id or invoice ref
    bool allows(const std::string& method) const;
    std::string allowHeader() const; // "GET, DELETE"
};

/// Matches a decoded path; Route::None when unknown.
RouteMatch matchRoute(const std::string& path);

} // namespace sockt::server
