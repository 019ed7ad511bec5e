#include "manager/sandbox_dirs.hpp"

#include "common/ids.hpp"
#include "files/beneath.hpp"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <iostream>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace sockt::server {
namespace {

constexpr mode_t kPrivate = 0700;
// Directories nested deeper than this are moved up to the trash's top level and deleted from
// there, so that deleting a tree of any depth holds this many descriptors at most.
constexpr int kMaxDepth = 64;
// Entries read from a directory before they are deleted.
constexpr std::size_t kBatch = 1024;

void makeDir(const fs::path& dir) {
    if (::mkdir(dir.c_str(), kPrivate) != 0 && errno != EEXIST)
        throw std::runtime_error("cannot create " + dir.string() + ": " + std::strerror(errno));
    ::chmod(dir.c_str(), kPrivate);
}

/// Up to `most` names of the directory `dirfd` (without "." and ".."), read from its start.
std::vector<std::string> readNames(int dirfd, std::size_t most) {
    std::vector<std::string> names;
    const int copy = ::fcntl(dirfd, F_DUPFD_CLOEXEC, 0); // the copy shares the offset
    DIR* stream = copy < 0 ? nullptr : ::fdopendir(copy);
    if (!stream) {
        if (copy >= 0)
            ::close(copy);
        return names;
    }
    ::rewinddir(stream);
    while (names.size() < most) {
        const dirent* e = ::readdir(stream);
        if (!e)
            break;
        if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0)
            names.emplace_back(e->d_name);
    }
    ::closedir(stream);
    return names;
}

/// Deletes `name` in `parentfd` and everything below it, from descriptors only: a link is
/// unlinked, never followed, whatever the sandbox made of its home. A directory deeper than
/// kMaxDepth is renamed into `trashfd` instead, for emptyTrash's next round.
void removeTree(int parentfd, const std::string& name, int trashfd, int depth) {
    if (::unlinkat(parentfd, name.c_str(), 0) == 0 || errno != EISDIR)
        return; // gone, or not removable (then neither would rmdir be)
    if (depth >= kMaxDepth) {
        ::renameat(parentfd, name.c_str(), trashfd, ("deep." + randomHex(16)).c_str());
        return;
    }
    Fd dir(::openat(parentfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!dir.ok())
        return;
    // Batches read afresh each time: deleting entries while reading them is unspecified.
    for (auto names = readNames(dir.get(), kBatch); !names.empty();) {
        for (const auto& n : names)
            removeTree(dir.get(), n, trashfd, depth + 1);
        auto next = readNames(dir.get(), kBatch);
        if (next == names)
            break; // none of them could be deleted
        names = std::move(next);
    }
    ::unlinkat(parentfd, name.c_str(), AT_REMOVEDIR);
}

} // namespace

fs::path SandboxDirs::rootOf(const std::string& sandbox_id) const {
    return data_dir_ / "sandboxes" / sandbox_id;
}

void SandboxDirs::create(const std::string& sandbox_id) const {
    makeDir(data_dir_ / "sandboxes");
    makeDir(rootOf(sandbox_id));
    fs::create_directories(rootOf(sandbox_id) / "tmp");
}

bool SandboxDirs::moveToTrash(const std::string& sandbox_id) const {
    makeDir(trash());
    const auto to = trash() / (sandbox_id + "." + randomHex(8));
    if (::rename(rootOf(sandbox_id).c_str(), to.c_str()) == 0)
        return true;
    if (errno != ENOENT)
        std::cerr << "sockt serve: cannot move " << rootOf(sandbox_id) << " to the trash: "
                  << std::strerror(errno) << "\n";
    return false;
}

void SandboxDirs::emptyTrash() const {
    Fd trashfd(::open(trash().c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!trashfd.ok())
        return;
    // Rounds until nothing is left: a round may move deep directories up for the next one; a
    // round that changes nothing (entries that cannot be deleted) ends it.
    std::vector<std::string> before;
    for (auto names = readNames(trashfd.get(), SIZE_MAX); !names.empty() && names != before;
         names = readNames(trashfd.get(), SIZE_MAX)) {
        for (const auto& n : names)
            removeTree(trashfd.get(), n, trashfd.get(), 0);
        before = std::move(names);
    }
}

void SandboxDirs::discard(const std::string& sandbox_id) const {
    if (moveToTrash(sandbox_id))
        emptyTrash();
}

void SandboxDirs::sweep(const std::vector<std::string>& terminated) const {
    const auto sandboxes = data_dir_ / "sandboxes";
    std::error_code ec;
    if (fs::is_directory(sandboxes, ec)) {
        ::chmod(sandboxes.c_str(), kPrivate);
        for (const auto& e : fs::directory_iterator(sandboxes, ec))
            if (e.is_directory(ec) && !e.is_symlink(ec))
                ::chmod(e.path().c_str(), kPrivate);
    }
    for (const auto& id : terminated)
        moveToTrash(id);
    emptyTrash();
}

} // namespace sockt::server
