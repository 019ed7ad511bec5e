// What the file operations of docs/protocol.md §2.10-§2.12 share: the home's descriptor, where
// every open starts (files/beneath.hpp), and the answers to system calls that failed.
#pragma once

#include "common/api_error.hpp"
#include "files/beneath.hpp"

#include <filesystem>
#include <string>

namespace sockt::server {

/// The home directory, opened without following a link.
Fd openHome(const std::filesystem::path& home);

/// 502 host_error: the server could not do what it should (errno's text appended).
[[noreturn]] void hostError(const std::string& what);

/// The answer to a failed open of the resolved path `shown` (`raw` as the client sent it): a
/// link or a way out that appeared after the resolution (the sandbox swapped a component) is
/// 400 bad_request, a name over NAME_MAX/PATH_MAX 400 invalid_params, anything else 502.
/// ENOENT and ENOTDIR are the caller's, which knows what is missing.
[[noreturn]] void openFailed(int error, const std::string& raw, const std::string& shown);

} // namespace sockt::server
