// One write of a whole value to a kernel file (cgroup limits, uid maps, /proc settings), which
// take a value per write call.
#pragma once

#include <cerrno>
#include <fcntl.h>
#include <string>
#include <unistd.h>

namespace sockt::server {

/// Writes all of `text` to the file at `path` in one write. False on any error, errno set.
inline bool writeWholeFile(const std::string& path, const std::string& text) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    int err = errno;
    ::close(fd);
    errno = err;
    return ok;
}

} // namespace sockt::server
