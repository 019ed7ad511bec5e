// Sandbox path resolution (PROTOCOL.md §1.6): lexical cleaning, then symlinks resolved as the
// sandbox sees them, one component at a time, never against the host's root.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace sockt::server {

enum class PathUse { Read, Write, List, WorkingDir };

struct SandboxPath {
    /// The lexically cleaned absolute sandbox path, echoed in responses ("/home/sandbox/a.py").
    std::string sandbox;
    /// Components below the home after resolving every symlink (empty = the home itself); the
    /// leading components exist and are real directories, trailing ones may not exist.
    std::vector<std::string> resolved;
    /// "/home/sandbox/…" form of `resolved` (what a process inside the sandbox would use).
    std::string resolvedSandbox() const;
    /// home / resolved…
    std::filesystem::path host(const std::filesystem::path& home) const;
    /// resolved joined with "/" ("" for the home), for *at() calls relative to the home.
    std::string relative() const;
};

/// Rules 1-4 only. Throws ApiError invalid_params (empty where not allowed, NUL) or bad_request.
SandboxPath cleanSandboxPath(const std::string& raw, PathUse use);
/// All of §1.6 (rule 5 on the real files under `home`). Throws ApiError.
SandboxPath resolveSandboxPath(const std::filesystem::path& home, const std::string& raw,
                               PathUse use);

} // namespace sockt::server
