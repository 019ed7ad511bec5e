#include "files/sandbox_path.hpp"

#include "common/api_error.hpp"
#include "sockt/protocol.hpp"

#include <cerrno>
#include <sys/stat.h>
#include <unistd.h>

namespace sockt::server {
namespace {

constexpr int kMaxLinks = 40; // as the kernel's ELOOP limit

const std::string& home() {
    static const std::string h(protocol::kSandboxHome);
    return h;
}

std::vector<std::string> split(const std::string& path) {
    std::vector<std::string> parts;
    std::size_t pos = 0;
    while (pos <= path.size()) {
        std::size_t end = path.find('/', pos);
        if (end == std::string::npos)
            end = path.size();
        if (end > pos)
            parts.push_back(path.substr(pos, end - pos));
        pos = end + 1;
    }
    return parts;
}

/// Lexical cleaning of an absolute path; returns the components below home, or throws 400.
std::vector<std::string> belowHome(const std::string& absolute, const std::string& shown) {
    std::vector<std::string> stack;
    for (auto& part : split(absolute)) {
        if (part == ".")
            continue;
        if (part == "..") {
            if (!stack.empty())
                stack.pop_back();
            continue;
        }
        stack.push_back(part);
    }
    auto home_parts = split(home());
    if (stack.size() < home_parts.size() ||
        !std::equal(home_parts.begin(), home_parts.end(), stack.begin()))
        throw ApiError("bad_request", "path " + shown + " is outside " + home(),
                       "use a path inside " + home() + " (relative paths are joined to it)");
    return std::vector<std::string>(stack.begin() + static_cast<std::ptrdiff_t>(home_parts.size()),
                                    stack.end());
}

std::string join(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& p : parts) {
        if (!out.empty())
            out += '/';
        out += p;
    }
    return out;
}

} // namespace

std::string SandboxPath::resolvedSandbox() const {
    return resolved.empty() ? home() : home() + "/" + join(resolved);
}

std::filesystem::path SandboxPath::host(const std::filesystem::path& home_dir) const {
    auto p = home_dir;
    for (const auto& part : resolved)
        p /= part;
    return p;
}

std::string SandboxPath::relative() const {
    return join(resolved);
}

SandboxPath cleanSandboxPath(const std::string& raw, PathUse use) {
    bool defaults_home = use == PathUse::List || use == PathUse::WorkingDir;
    if (raw.find('\0') != std::string::npos)
        throw ApiError("invalid_params", "path must not contain NUL bytes");
    SandboxPath out;
    if (raw.empty()) {
        if (!defaults_home)
            throw ApiError("invalid_params", "path must not be empty");
        out.sandbox = home();
        return out;
    }
    if (raw == "." || (use == PathUse::List && raw == "/")) {
        out.sandbox = home();
        return out;
    }
    std::string absolute = raw[0] == '/' ? raw : home() + "/" + raw;
    out.resolved = belowHome(absolute, raw);
    out.sandbox = out.resolvedSandbox();
    return out;
}

SandboxPath resolveSandboxPath(const std::filesystem::path& home_dir, const std::string& raw,
                               PathUse use) {
    SandboxPath out = cleanSandboxPath(raw, use);
    // Walk component by component on the real tree; a symlink's target is read as the sandbox
    // sees it (absolute = sandbox path, relative = from the link's directory) and re-cleaned.
    std::vector<std::string> pending(out.resolved.rbegin(), out.resolved.rend());
    std::vector<std::string> done;
    int links = 0;
    while (!pending.empty()) {
        std::string part = pending.back();
        pending.pop_back();
        auto candidate = home_dir;
        for (const auto& d : done)
            candidate /= d;
        candidate /= part;
        struct stat st;
        if (::lstat(candidate.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) {
            // Missing (a write creates it) or a real entry: taken literally.
            done.push_back(part);
            continue;
        }
        if (++links > kMaxLinks)
            throw ApiError("invalid_params", "too many levels of symbolic links in " + raw);
        std::string target(static_cast<std::size_t>(st.st_size > 0 ? st.st_size : 4096), '\0');
        ssize_t n = ::readlink(candidate.c_str(), target.data(), target.size());
        if (n < 0) {
            done.push_back(part);
            continue;
        }
        target.resize(static_cast<std::size_t>(n));
        std::string base = done.empty() ? home() : home() + "/" + join(done);
        std::string absolute = !target.empty() && target[0] == '/' ? target : base + "/" + target;
        std::vector<std::string> below;
        try {
            below = belowHome(absolute, raw);
        } catch (const ApiError&) {
            throw ApiError("bad_request",
                           "path " + raw + " leads outside " + home() + " through a symbolic link",
                           "symbolic links may only point inside " + home());
        }
        // Resolve the target from the home again, then the rest of the original path.
        done.clear();
        for (auto it = below.rbegin(); it != below.rend(); ++it)
            pending.push_back(*it);
    }
    out.resolved = std::move(done);
    return out;
}

} // namespace sockt::server
