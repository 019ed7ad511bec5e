#include "serve/data_dir.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <string>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sockt::server {
namespace {

constexpr mode_t kPrivate = 0700;

[[noreturn]] void fail(const std::string& what, const std::filesystem::path& dir) {
    throw std::runtime_error(what + " " + dir.string() + ": " + std::strerror(errno));
}

} // namespace

DataDirLock::DataDirLock(const std::filesystem::path& dir) {
    if (dir.has_parent_path())
        std::filesystem::create_directories(dir.parent_path());
    if (::mkdir(dir.c_str(), kPrivate) != 0 && errno != EEXIST)
        fail("cannot create the data dir", dir);
    path_ = std::filesystem::canonical(dir);
    struct stat st;
    if (::stat(path_.c_str(), &st) != 0)
        fail("cannot open the data dir", path_);
    if (!S_ISDIR(st.st_mode))
        throw std::runtime_error("the data dir " + path_.string() + " is not a directory");
    // mkdir applies the umask, and a dir that already existed may be wider: sandbox homes, keys
    // and balances are nobody else's business. A dir of another user stays as it is.
    if (st.st_uid == ::geteuid() && (st.st_mode & 07777) != kPrivate &&
        ::chmod(path_.c_str(), kPrivate) != 0)
        fail("cannot make the data dir private", path_);

    const auto lock = path_ / "serve.lock";
    fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd_ < 0)
        fail("cannot open", lock);
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        const int error = errno;
        char pid[32] = {};
        const auto n = ::pread(fd_, pid, sizeof pid - 1, 0);
        std::string holder = n > 0 ? std::string(pid, static_cast<std::size_t>(n)) : "";
        holder.erase(holder.find_last_not_of(" \n") + 1);
        ::close(fd_);
        fd_ = -1;
        if (error != EWOULDBLOCK) {
            errno = error;
            fail("cannot lock", lock);
        }
        throw std::runtime_error(
            "the data dir " + path_.string() + " is in use by another sockt serve" +
            (holder.empty() ? std::string() : " (pid " + holder + ")") +
            "; stop that server, or start this one with another --data-dir");
    }
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd_, 0) != 0 ||
        ::pwrite(fd_, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size()))
        fail("cannot write", lock);
}

DataDirLock::~DataDirLock() {
    if (fd_ >= 0)
        ::close(fd_);
}

} // namespace sockt::server
