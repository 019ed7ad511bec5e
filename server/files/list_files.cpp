// §2.12 / §5.3: listing a directory of a sandbox home, recursively if asked. Every directory is
// opened from the home's descriptor with no link followed (files/beneath.hpp), one at a time, so
// the walk holds two descriptors whatever the depth, never leaves the home, and stops where a
// path could no longer be named (PATH_MAX).
#include "common/utf8.hpp"
#include "files/file_common.hpp"
#include "files/file_ops.hpp"
#include "files/sandbox_path.hpp"
#include "sockt/protocol.hpp"

#include <algorithm>
#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <map>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;

namespace sockt::server {
namespace {

struct ListEntry {
    std::int64_t size;
    std::int64_t mod_ts;
    bool is_dir, is_file, is_symlink;
};

struct Lister {
    int home_fd;
    bool recursive;
    std::int64_t max_depth;
    std::map<std::string, ListEntry> kept; // std::string orders byte-wise (unsigned)
    bool truncated = false;

    /// A directory still to read: its path below the home, and below the listed directory.
    struct Dir {
        std::string from_home;
        std::string name;
        std::int64_t depth;
    };

    void walk(std::string listed) {
        std::vector<Dir> todo{{std::move(listed), "", 1}};
        while (!todo.empty()) {
            Dir d = std::move(todo.back());
            todo.pop_back();
            // A directory swapped for a link (or removed) since it was seen is not read.
            Fd dir(openBeneath(home_fd, d.from_home, O_RDONLY | O_DIRECTORY));
            if (dir.ok())
                read(dir.get(), d, todo);
        }
    }

    void read(int dirfd, const Dir& d, std::vector<Dir>& todo) {
        const int copy = ::fcntl(dirfd, F_DUPFD_CLOEXEC, 0); // closedir() closes it
        DIR* stream = copy < 0 ? nullptr : ::fdopendir(copy);
        if (!stream) {
            if (copy >= 0)
                ::close(copy);
            return;
        }
        while (dirent* e = ::readdir(stream)) {
            const std::string name = e->d_name;
            if (name == "." || name == "..")
                continue;
            struct stat st;
            if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
                continue;
            const std::string rel = d.name.empty() ? name : d.name + "/" + name;
            const bool link = S_ISLNK(st.st_mode);
            const bool is_dir = !link && S_ISDIR(st.st_mode);
            keep(rel, {static_cast<std::int64_t>(st.st_size),
                       static_cast<std::int64_t>(st.st_mtim.tv_sec), is_dir,
                       !link && S_ISREG(st.st_mode), link});
            std::string from_home = d.from_home.empty() ? name : d.from_home + "/" + name;
            // Deeper than PATH_MAX nothing can be named, so nothing there is listed.
            if (is_dir && recursive && (max_depth == 0 || d.depth < max_depth) &&
                from_home.size() < kMaxPathBytes)
                todo.push_back({std::move(from_home), rel, d.depth + 1});
        }
        ::closedir(stream);
    }

    void keep(const std::string& name, const ListEntry& entry) {
        // Keep the 10 000 smallest names in memory, whatever the size of the tree (§5.3).
        if (kept.size() >= static_cast<std::size_t>(protocol::kMaxListEntries)) {
            truncated = true;
            if (name >= kept.rbegin()->first)
                return;
            kept.erase(std::prev(kept.end()));
        }
        kept.emplace(name, entry);
    }
};

bool parseBool(const std::string& raw, bool* out) {
    std::string v = raw;
    std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::tolower(c); });
    if (v.empty() || v == "false" || v == "0") {
        *out = false;
        return true;
    }
    if (v == "true" || v == "1") {
        *out = true;
        return true;
    }
    return false;
}

} // namespace

OJson listFiles(const fs::path& home, const std::string& path, const std::string& recursive,
                const std::string& max_depth) {
    bool rec = false;
    if (!parseBool(recursive, &rec))
        throw ApiError("invalid_params", "recursive must be true, false, 1 or 0");
    std::int64_t depth = 0;
    if (!max_depth.empty()) {
        if (max_depth.size() > 18 || !std::all_of(max_depth.begin(), max_depth.end(),
                                                  [](char c) { return c >= '0' && c <= '9'; }))
            throw ApiError("invalid_params", "max_depth must be an integer ≥ 0");
        depth = std::stoll(max_depth);
    }
    Fd homefd = openHome(home);
    SandboxPath target = resolveSandboxPath(homefd.get(), path, PathUse::List);
    Fd dir(openBeneath(homefd.get(), target.relative(), O_RDONLY | O_DIRECTORY));
    if (!dir.ok()) {
        if (errno == ENOTDIR) { // the path itself, or one of its parents, is no directory
            if (Fd(openBeneath(homefd.get(), target.relative(), O_PATH | O_NOFOLLOW)).ok())
                throw ApiError("invalid_params", "path " + target.sandbox + " is not a directory");
            throw ApiError("file_not_found", "directory " + target.sandbox + " does not exist");
        }
        if (errno == ENOENT)
            throw ApiError("file_not_found", "directory " + target.sandbox + " does not exist");
        openFailed(errno, path, target.sandbox);
    }
    Lister lister{homefd.get(), rec, rec ? depth : 0, {}, false};
    lister.walk(target.relative());
    OJson entries = OJson::array();
    for (const auto& [name, e] : lister.kept) {
        OJson item;
        // File names are bytes; JSON needs UTF-8 (an invalid name must not become a 500).
        item["name"] = Utf8Decoder::decode(name, false);
        item["size"] = e.size;
        item["mod_ts"] = e.mod_ts;
        item["is_dir"] = e.is_dir;
        item["is_file"] = e.is_file;
        item["is_symlink"] = e.is_symlink;
        entries.push_back(std::move(item));
    }
    OJson out;
    auto total = entries.size();
    out["entries"] = std::move(entries);
    out["total_entries"] = total;
    out["truncated"] = lister.truncated;
    return out;
}

} // namespace sockt::server
