#include "files/sandbox_path.hpp"

#include "common/api_error.hpp"
#include "files/beneath.hpp"
#include "sockt/protocol.hpp"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <string_view>
#include <sys/stat.h>
#include <unistd.h>

namespace sockt::server {
namespace {

constexpr int kMaxLinks = 40; // as the kernel's ELOOP limit

const std::string& home() {
    static const std::string h(protocol::kSandboxHome);
    return h;
}

/// The components of `path` (empty ones dropped), as views into it.
std::vector<std::string_view> split(std::string_view path) {
    std::vector<std::string_view> parts;
    std::size_t pos = 0;
    while (pos <= path.size()) {
        std::size_t end = path.find('/', pos);
        if (end == std::string_view::npos)
            end = path.size();
        if (end > pos)
            parts.push_back(path.substr(pos, end - pos));
        pos = end + 1;
    }
    return parts;
}

/// Lexical cleaning of an absolute path; returns the components below home, or throws 400.
std::vector<std::string> belowHome(std::string_view absolute, const std::string& shown) {
    std::vector<std::string_view> stack;
    for (auto part : split(absolute)) {
        if (part == ".")
            continue;
        if (part == "..") {
            if (!stack.empty())
                stack.pop_back();
            continue;
        }
        stack.push_back(part);
    }
    const auto home_parts = split(home());
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

/// A shortened path for messages: a 4 KiB path repeated in an answer helps nobody.
std::string shownPath(const std::string& raw) {
    constexpr std::size_t kShown = 64;
    return raw.size() <= kShown ? raw : raw.substr(0, kShown) + "…";
}

[[noreturn]] void tooLong(const std::string& raw, const std::string& what) {
    throw ApiError("invalid_params", "path " + shownPath(raw) + " " + what,
                   "paths may be " + std::to_string(kMaxPathBytes - 1) + " bytes long, names " +
                       std::to_string(kMaxNameBytes));
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
    if (raw.size() >= kMaxPathBytes) // PATH_MAX counts the terminating NUL
        tooLong(raw, "is longer than " + std::to_string(kMaxPathBytes - 1) + " bytes");
    for (auto part : split(raw))
        if (part.size() > kMaxNameBytes)
            tooLong(raw, "has a name longer than " + std::to_string(kMaxNameBytes) + " bytes");
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

namespace {

// The common case in one step: every directory on the way is a real one (openat2 refuses any link
// on the way) and the last component is no link, so the walk below would take every component
// as it is. False when the walk has to decide.
bool noLinkOnTheWay(int home_fd, const std::vector<std::string>& parts) {
    if (parts.empty())
        return true;
    const std::vector<std::string> parents(parts.begin(), parts.end() - 1);
    Fd parent(openBeneath(home_fd, join(parents), O_PATH | O_DIRECTORY));
    if (!parent.ok())
        return false;
    Fd last(openBeneath(parent.get(), parts.back(), O_PATH | O_NOFOLLOW));
    struct stat st {};
    return !last.ok() ? errno == ENOENT : ::fstat(last.get(), &st) == 0 && !S_ISLNK(st.st_mode);
}

} // namespace

SandboxPath resolveSandboxPath(int home_fd, const std::string& raw, PathUse use) {
    SandboxPath out = cleanSandboxPath(raw, use);
    if (noLinkOnTheWay(home_fd, out.resolved))
        return out;
    // Walk component by component. `done` holds the components resolved so far and `dirs` an
    // open descriptor of each, each opened from the one before without following anything; a
    // symbolic link is opened as itself and its target read as the sandbox sees it (absolute =
    // sandbox path, relative = from the link's directory), cleaned again, and walked in its place.
    std::vector<std::string> pending(out.resolved.rbegin(), out.resolved.rend());
    std::vector<std::string> done;
    std::vector<Fd> dirs;
    std::size_t done_bytes = 0;
    bool literal = false; // below something missing or no directory: names are taken as they are
    int links = 0;
    while (!pending.empty()) {
        std::string part = std::move(pending.back());
        pending.pop_back();
        done_bytes += part.size() + 1; // with its '/', or the NUL after the last one
        if (done_bytes > kMaxPathBytes)
            tooLong(raw, "is longer than " + std::to_string(kMaxPathBytes - 1) +
                             " bytes once its symbolic links are resolved");
        if (literal) {
            done.push_back(std::move(part));
            continue;
        }
        Fd entry(openBeneath(dirs.empty() ? home_fd : dirs.back().get(), part,
                             O_PATH | O_NOFOLLOW));
        struct stat st {};
        const bool exists = entry.ok() && ::fstat(entry.get(), &st) == 0;
        if (!exists || !S_ISLNK(st.st_mode)) {
            // Missing (a write creates it), a file, or a real directory: taken literally; the
            // operation itself says what is wrong with it.
            literal = !exists || !S_ISDIR(st.st_mode);
            if (!literal)
                dirs.push_back(std::move(entry));
            done.push_back(std::move(part));
            continue;
        }
        if (++links > kMaxLinks)
            throw ApiError("invalid_params",
                           "too many levels of symbolic links in " + shownPath(raw));
        char target[kMaxPathBytes + 1];
        const ssize_t n = ::readlinkat(entry.get(), "", target, sizeof target);
        if (n < 0 || static_cast<std::size_t>(n) > kMaxPathBytes)
            tooLong(raw, "leads through a symbolic link that cannot be read");
        const std::string_view link(target, static_cast<std::size_t>(n));
        const std::string absolute =
            !link.empty() && link[0] == '/'
                ? std::string(link)
                : (done.empty() ? home() : home() + "/" + join(done)) + "/" + std::string(link);
        std::vector<std::string> below;
        try {
            below = belowHome(absolute, raw);
        } catch (const ApiError&) {
            throw ApiError("bad_request",
                           "path " + shownPath(raw) + " leads outside " + home() +
                               " through a symbolic link",
                           "symbolic links may only point inside " + home());
        }
        // The target's directories shared with `done` stay open; the rest is walked again.
        std::size_t keep = 0;
        while (keep < below.size() && keep < dirs.size() && below[keep] == done[keep])
            ++keep;
        done.resize(keep);
        dirs.resize(keep);
        done_bytes = 0;
        for (const auto& d : done)
            done_bytes += d.size() + 1;
        for (auto it = below.rbegin(); it != below.rend() - static_cast<std::ptrdiff_t>(keep); ++it)
            pending.push_back(std::move(*it));
    }
    out.resolved = std::move(done);
    return out;
}

SandboxPath resolveSandboxPath(const std::filesystem::path& home_dir, const std::string& raw,
                               PathUse use) {
    cleanSandboxPath(raw, use); // its 400s come before a missing home's 502
    Fd home_fd(::open(home_dir.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!home_fd.ok())
        throw ApiError("host_error", "the sandbox home directory is not available");
    return resolveSandboxPath(home_fd.get(), raw, use);
}

} // namespace sockt::server
