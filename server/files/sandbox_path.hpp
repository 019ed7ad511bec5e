// Sandbox path resolution (docs/protocol.md §1.6): lexical cleaning, then symlinks resolved as the
// sandbox sees them, one component at a time, never against the host's root. Linear in the
// path's length: a path is at most PATH_MAX bytes, and each symbolic link adds at most that much.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace sockt::server {

/// Linux's PATH_MAX and NAME_MAX: a longer path or name can name no file, so a request path over
/// either is refused (400 invalid_params) before any work is spent on it. PATH_MAX counts the
/// terminating NUL: a path holds at most 4095 bytes.
inline constexpr std::size_t kMaxPathBytes = 4096;
inline constexpr std::size_t kMaxNameBytes = 255;

enum class PathUse { Read, Write, List, WorkingDir };

struct SandboxPath {
    /// The lexically cleaned absolute sandbox path, echoed in responses ("/home/sandbox/a.py").
    std::string sandbox;
    /// Components below the home after resolving every symlink (empty = the home itself); the
    /// leading components exist and were real directories, trailing ones may not exist.
    std::vector<std::string> resolved;
    /// "/home/sandbox/…" form of `resolved` (what a process inside the sandbox would use).
    std::string resolvedSandbox() const;
    /// home / resolved…
    std::filesystem::path host(const std::filesystem::path& home) const;
    /// resolved joined with "/" ("" for the home), for *at() calls relative to the home.
    std::string relative() const;
};

/// Rules 1-4 only. Throws ApiError invalid_params (empty where not allowed, NUL, over PATH_MAX or
/// NAME_MAX) or bad_request.
SandboxPath cleanSandboxPath(const std::string& raw, PathUse use);
/// All of §1.6, rule 5 walked on descriptors from `home_fd` (files/beneath.hpp), so a link the
/// sandbox swaps in meanwhile is read as a link, never followed. Throws ApiError.
SandboxPath resolveSandboxPath(int home_fd, const std::string& raw, PathUse use);
/// The same from the home's host path.
SandboxPath resolveSandboxPath(const std::filesystem::path& home, const std::string& raw,
                               PathUse use);

} // namespace sockt::server
