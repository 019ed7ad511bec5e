#include "runtime/user_namespace.hpp"

#include "runtime/whole_file_write.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <mutex>
#include <sched.h>
#include <set>
#include <stdexcept>
#include <string>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace sockt::server {
namespace {

// Far above the uids and subordinate ranges distributions hand out (1000…, 100000…), below 2^31.
constexpr uid_t kHostUidBase = 1600000000;
constexpr unsigned kIdsPerSlot = 4;
constexpr unsigned kSlots = 65536;

// Root-only folders; the first that can be made is used by every server on the host.
const char* const kSlotLockDirs[] = {"/run/sockt-uid-slots", "/tmp/sockt-uid-slots"};

std::mutex slots_mutex; // flock does not exclude a second descriptor of this process
std::set<unsigned> slots_held_here;

std::string slotLockDir() {
    for (const char* dir : kSlotLockDirs) {
        ::mkdir(dir, 0700);
        struct stat st;
        // Never trust a folder another user could have planted.
        if (::lstat(dir, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == 0 &&
            (st.st_mode & 077) == 0)
            return dir;
    }
    throw std::runtime_error("no private folder for sandbox uid slots (/run or /tmp)");
}


} // namespace

HostUidLease::HostUidLease(unsigned slot, int lock_fd)
    : slot_(slot), base_(kHostUidBase + static_cast<uid_t>(slot) * kIdsPerSlot),
      lock_fd_(lock_fd) {}

HostUidLease::~HostUidLease() {
    std::lock_guard lock(slots_mutex);
    ::close(lock_fd_); // releases the flock
    slots_held_here.erase(slot_);
}

std::unique_ptr<HostUidLease> HostUidLease::acquire() {
    static const std::string dir = slotLockDir();
    std::lock_guard lock(slots_mutex);
    for (unsigned slot = 0; slot < kSlots; ++slot) {
        if (slots_held_here.count(slot))
            continue;
        std::string path = dir + "/" + std::to_string(slot);
        int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
            throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
        if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
            slots_held_here.insert(slot);
            return std::unique_ptr<HostUidLease>(new HostUidLease(slot, fd));
        }
        ::close(fd);
    }
    throw std::runtime_error("no free sandbox uid slot");
}

int createSandboxUserNamespace(const HostUidLease& ids) {
    int ready[2], go[2];
    if (::pipe2(ready, O_CLOEXEC) != 0)
        throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    if (::pipe2(go, O_CLOEXEC) != 0) {
        ::close(ready[0]);
        ::close(ready[1]);
        throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    }
    const uid_t owner = ids.agent();
    pid_t pid = ::fork();
    if (pid == 0) {
        // Async-signal-safe only. The namespace is created by the agent uid so that it owns it:
        // the network helper, running as that uid, may then join it (and nobody else may).
        ::close(ready[0]);
        ::close(go[1]);
        char byte = 0;
        if (::syscall(SYS_setgroups, 0, nullptr) == 0 &&
            ::syscall(SYS_setresgid, owner, owner, owner) == 0 &&
            ::syscall(SYS_setresuid, owner, owner, owner) == 0 && ::unshare(CLONE_NEWUSER) == 0)
            byte = 1;
        ssize_t ignored = ::write(ready[1], &byte, 1);
        (void)ignored;
        ignored = ::read(go[0], &byte, 1); // until the parent has taken the namespace
        ::_exit(0);
    }
    ::close(ready[1]);
    ::close(go[0]);
    auto finish = [&] {
        ::close(go[1]);
        ::close(ready[0]);
        if (pid > 0)
            while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
            }
    };
    if (pid < 0) {
        int err = errno;
        finish();
        throw std::runtime_error(std::string("fork: ") + std::strerror(err));
    }
    char byte = 0;
    ssize_t n;
    do {
        n = ::read(ready[0], &byte, 1);
    } while (n < 0 && errno == EINTR);
    if (n != 1 || byte != 1) {
        finish();
        throw std::runtime_error("cannot create a user namespace as uid " + std::to_string(owner));
    }
    std::string proc = "/proc/" + std::to_string(pid);
    std::string map = "0 " + std::to_string(ids.root()) + " 1\n" +
                      std::to_string(kInsideAgentUid) + " " + std::to_string(ids.agent()) +
                      " 1\n" + std::to_string(kInsideUserUid) + " " +
                      std::to_string(ids.user()) + " 1\n";
    int fd = -1;
    if (writeWholeFile(proc + "/uid_map", map) && writeWholeFile(proc + "/gid_map", map))
        fd = ::open((proc + "/ns/user").c_str(), O_RDONLY | O_CLOEXEC);
    int err = errno;
    finish();
    if (fd < 0)
        throw std::runtime_error("cannot set up the sandbox user namespace: " +
                                 std::string(std::strerror(err)));
    return fd;
}

} // namespace sockt::server
