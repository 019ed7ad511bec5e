// How sandbox processes are isolated from the host (docs/protocol.md §11.1 `--isolation`, §11.4).
#pragma once

#include <string>
#include <string_view>

namespace sockt::server {

enum class IsolationMode { Bwrap, None };

/// Resolves `--isolation` ("auto" | "bwrap" | "none"). "auto" probes bubblewrap once (a real
/// namespace run, not just `which bwrap`) and falls back to None. Whenever the result is None,
/// `*warning` (if given) receives the loud "unsafe" text the server prints on stderr.
/// Throws std::invalid_argument for an unknown value, std::runtime_error when "bwrap" is requested
/// but bubblewrap cannot run here (the reason is in the message).
IsolationMode resolveIsolation(const std::string& requested, std::string* warning);

/// "bwrap" | "none" (as shown by `GET /local/v1/health` and the startup line).
std::string_view isolationName(IsolationMode mode);

/// Absolute path of the bubblewrap binary, or "" when none is installed.
std::string findBwrap();

} // namespace sockt::server
