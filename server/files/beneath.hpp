// Opening files inside a sandbox home whose owner may be changing it at the same moment. The server
// runs as root, and the sandbox's code owns its home: it can swap any component of any path for a
// symbolic link (to /etc/shadow, to the host's /) between two of our system calls. So nothing here
// is opened by a host path: every open starts from a descriptor of the home (or of a directory
// opened from it) and follows no symbolic link at all (docs/protocol.md §1.6 rule 5 resolves the
// sandbox's links by hand, on such descriptors, in sandbox_path.cpp).
#pragma once

#include <string>
#include <sys/stat.h>
#include <sys/types.h>
#include <utility>

namespace sockt::server {

/// Owns a descriptor.
class Fd {
public:
    explicit Fd(int fd = -1) : fd_(fd) {}
    ~Fd();
    Fd(Fd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
    Fd& operator=(Fd&& o) noexcept {
        std::swap(fd_, o.fd_);
        return *this;
    }
    int get() const { return fd_; }
    bool ok() const { return fd_ >= 0; }

private:
    int fd_;
};

/// Opens `rel` (names joined with '/', no "." or "..", "" = `dirfd` itself) below `dirfd` with
/// openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS): a symbolic link in any
/// component fails with ELOOP, a way out with EXDEV. With O_PATH | O_NOFOLLOW a trailing link is
/// opened itself. Where the kernel lacks openat2 (ENOSYS), openBeneathByComponents does the same.
/// Returns the descriptor (O_CLOEXEC added), or -1 with errno set.
int openBeneath(int dirfd, const std::string& rel, int flags, mode_t mode = 0);
/// The fallback: one openat(O_NOFOLLOW) per component, each from the directory opened before.
int openBeneathByComponents(int dirfd, const std::string& rel, int flags, mode_t mode = 0);

/// The home of `home_fd`'s owner, whom what the server creates inside it is given (below).
struct HomeOwner {
    uid_t uid = 0;
    gid_t gid = 0;
};
HomeOwner homeOwner(int home_fd);
/// fchown(fd) to the home's owner, so a file or directory the server created shows as the
/// sandbox user's inside and can be changed by it. Best effort: a server that is not root may
/// lack the right, and the file then stays the server's.
void giveToHomeOwner(int fd, const HomeOwner& owner);

} // namespace sockt::server
