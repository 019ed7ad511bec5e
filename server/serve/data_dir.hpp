// The data dir of `sockt serve` (docs/protocol.md §11.1, §11.4): private to its user (0700), and
// locked while a server uses it, so two servers never write one state and the same homes.
#pragma once

#include <filesystem>

namespace sockt::server {

class DataDirLock {
public:
    /// Creates `dir` 0700 (an existing one of ours is tightened to 0700) and takes its lock: an
    /// flock(2) on `serve.lock` in it, which the kernel drops when this process ends in any way,
    /// kill -9 included (the descriptor is close-on-exec, so no sandbox process inherits it).
    /// Throws std::runtime_error naming the dir, and the pid that holds it when another server
    /// does.
    explicit DataDirLock(const std::filesystem::path& dir);
    ~DataDirLock();
    DataDirLock(const DataDirLock&) = delete;
    DataDirLock& operator=(const DataDirLock&) = delete;

    /// The canonical path of the dir.
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
    int fd_ = -1;
};

} // namespace sockt::server
