#include "files/beneath.hpp"

#include <cerrno>
#include <cstdint>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace sockt::server {

Fd::~Fd() {
    if (fd_ >= 0)
        ::close(fd_);
}

int openBeneath(int dirfd, const std::string& rel, int flags, mode_t mode) {
    open_how how{};
    how.flags = static_cast<std::uint64_t>(flags | O_CLOEXEC);
    // openat2 refuses a mode unless the call creates a file (O_TMPFILE includes O_DIRECTORY).
    how.mode = (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? mode : 0;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    const long fd =
        ::syscall(SYS_openat2, dirfd, rel.empty() ? "." : rel.c_str(), &how, sizeof(how));
    if (fd < 0 && errno == ENOSYS)
        return openBeneathByComponents(dirfd, rel, flags, mode);
    return static_cast<int>(fd);
}

int openBeneathByComponents(int dirfd, const std::string& rel, int flags, mode_t mode) {
    if (rel.empty())
        return ::openat(dirfd, ".", flags | O_CLOEXEC, mode);
    Fd held; // the directory reached so far, when it is not `dirfd`
    int at = dirfd;
    std::size_t pos = 0;
    for (;;) {
        const std::size_t slash = rel.find('/', pos);
        const std::string name = rel.substr(pos, slash == std::string::npos ? slash : slash - pos);
        if (name.empty() || name == "." || name == "..") {
            errno = EXDEV; // never asked for by our callers: refused as openat2 would refuse it
            return -1;
        }
        if (slash == std::string::npos) // a trailing link: ELOOP, or itself with O_PATH
            return ::openat(at, name.c_str(), flags | O_CLOEXEC | O_NOFOLLOW, mode);
        // O_PATH opens a link as itself, so that fstat tells a link (ELOOP, as openat2 says)
        // from anything else that is no directory (ENOTDIR).
        Fd next(::openat(at, name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
        if (!next.ok())
            return -1;
        struct stat st;
        if (::fstat(next.get(), &st) != 0)
            return -1;
        if (!S_ISDIR(st.st_mode)) {
            errno = S_ISLNK(st.st_mode) ? ELOOP : ENOTDIR;
            return -1;
        }
        held = std::move(next);
        at = held.get();
        pos = slash + 1;
    }
}

HomeOwner homeOwner(int home_fd) {
    HomeOwner owner{::geteuid(), ::getegid()};
    struct stat st;
    if (::fstat(home_fd, &st) == 0) {
        owner.uid = st.st_uid;
        owner.gid = st.st_gid;
    }
    return owner;
}

void giveToHomeOwner(int fd, const HomeOwner& owner) {
    (void)::fchown(fd, owner.uid, owner.gid);
}

} // namespace sockt::server
