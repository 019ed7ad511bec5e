#include "runtime/seccomp_filter.hpp"

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stdexcept>
#include <string>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <vector>

namespace sockt::server {
namespace {

#if defined(__x86_64__)
constexpr unsigned kArch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
constexpr unsigned kArch = AUDIT_ARCH_AARCH64;
#else
#error "seccomp_filter.cpp: add this architecture's AUDIT_ARCH"
#endif

// Every one of these answers EPERM: none is needed by ordinary programs, each widens what code
// can do to the kernel or to other processes.
const long kDenied[] = {
    SYS_ptrace, SYS_process_vm_readv, SYS_process_vm_writev, SYS_keyctl, SYS_add_key,
    SYS_request_key, SYS_perf_event_open, SYS_bpf, SYS_userfaultfd, SYS_kexec_load,
    SYS_kexec_file_load, SYS_init_module, SYS_finit_module, SYS_delete_module, SYS_mount,
    SYS_umount2, SYS_pivot_root, SYS_chroot, SYS_swapon, SYS_swapoff, SYS_syslog, SYS_acct,
    SYS_quotactl, SYS_open_by_handle_at, SYS_name_to_handle_at, SYS_setns, SYS_reboot,
    SYS_io_uring_setup, SYS_io_uring_enter, SYS_io_uring_register, SYS_fsopen, SYS_fsconfig,
    SYS_fsmount, SYS_fspick, SYS_open_tree, SYS_move_mount, SYS_mount_setattr, SYS_vhangup,
#ifdef SYS_uselib
    SYS_uselib,
#endif
#ifdef SYS_ioperm
    SYS_ioperm, SYS_iopl,
#endif
#ifdef SYS_lookup_dcookie
    SYS_lookup_dcookie,
#endif
};

constexpr unsigned kNamespaceFlags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET |
                                     CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP |
                                     0x00000080 /* CLONE_NEWTIME */;

constexpr unsigned kNr = offsetof(struct seccomp_data, nr);
constexpr unsigned kArchOffset = offsetof(struct seccomp_data, arch);
// The low 32 bits of an argument (little-endian on both supported architectures).
constexpr unsigned argLow(int i) {
    return offsetof(struct seccomp_data, args) + 8 * i;
}

sock_filter stmt(unsigned short code, unsigned k) {
    return BPF_STMT(code, k);
}
sock_filter jump(unsigned short code, unsigned k, unsigned char jt, unsigned char jf) {
    return BPF_JUMP(code, k, jt, jf);
}

std::vector<sock_filter> buildProgram() {
    const unsigned allow = SECCOMP_RET_ALLOW;
    const unsigned eperm = SECCOMP_RET_ERRNO | EPERM;
    const unsigned enosys = SECCOMP_RET_ERRNO | ENOSYS;
    std::vector<sock_filter> p;
    p.push_back(stmt(BPF_LD | BPF_W | BPF_ABS, kArchOffset));
    p.push_back(jump(BPF_JMP | BPF_JEQ | BPF_K, kArch, 1, 0));
    p.push_back(stmt(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS)); // a foreign ABI
    p.push_back(stmt(BPF_LD | BPF_W | BPF_ABS, kNr));
#if defined(__x86_64__)
    p.push_back(jump(BPF_JMP | BPF_JGE | BPF_K, 0x40000000 /* x32 */, 0, 1));
    p.push_back(stmt(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS));
#endif
    for (long nr : kDenied) {
        p.push_back(jump(BPF_JMP | BPF_JEQ | BPF_K, static_cast<unsigned>(nr), 0, 1));
        p.push_back(stmt(BPF_RET | BPF_K, eperm));
    }
    p.push_back(jump(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone3, 0, 1));
    p.push_back(stmt(BPF_RET | BPF_K, enosys));
    // clone and unshare: no new namespaces (flags are the first argument of both).
    p.push_back(jump(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, 1, 0));
    p.push_back(jump(BPF_JMP | BPF_JEQ | BPF_K, SYS_unshare, 0, 4));
    p.push_back(stmt(BPF_LD | BPF_W | BPF_ABS, argLow(0)));
    p.push_back(jump(BPF_JMP | BPF_JSET | BPF_K, kNamespaceFlags, 0, 1));
    p.push_back(stmt(BPF_RET | BPF_K, eperm));
    p.push_back(stmt(BPF_RET | BPF_K, allow));
    // ioctl: no typing into another process's terminal.
    p.push_back(jump(BPF_JMP | BPF_JEQ | BPF_K, SYS_ioctl, 0, 4));
    p.push_back(stmt(BPF_LD | BPF_W | BPF_ABS, argLow(1)));
    p.push_back(jump(BPF_JMP | BPF_JEQ | BPF_K, TIOCSTI, 1, 0));
    p.push_back(jump(BPF_JMP | BPF_JEQ | BPF_K, TIOCLINUX, 0, 1));
    p.push_back(stmt(BPF_RET | BPF_K, eperm));
    p.push_back(stmt(BPF_RET | BPF_K, allow));
    return p;
}

} // namespace

int seccompProgramFd() {
    static const std::vector<sock_filter> program = buildProgram();
    int fd = ::memfd_create("sockt-seccomp", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0)
        throw std::runtime_error(std::string("memfd_create: ") + std::strerror(errno));
    std::size_t size = program.size() * sizeof(sock_filter);
    if (::write(fd, program.data(), size) != static_cast<ssize_t>(size) ||
        ::lseek(fd, 0, SEEK_SET) != 0 ||
        ::fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL) != 0) {
        int err = errno;
        ::close(fd);
        throw std::runtime_error(std::string("cannot prepare the seccomp filter: ") +
                                 std::strerror(err));
    }
    return fd;
}

} // namespace sockt::server
