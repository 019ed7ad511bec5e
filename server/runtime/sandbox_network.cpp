#include "runtime/sandbox_network.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <arpa/inet.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdexcept>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace sockt::server {
namespace {

constexpr auto kReadyTimeout = std::chrono::seconds(10);

std::string findSlirp() {
    const char* path = std::getenv("PATH");
    std::string dirs = std::string(path && *path ? path : "") + ":/usr/bin:/bin";
    std::size_t pos = 0;
    while (pos <= dirs.size()) {
        std::size_t end = dirs.find(':', pos);
        if (end == std::string::npos)
            end = dirs.size();
        std::string candidate = dirs.substr(pos, end - pos) + "/slirp4netns";
        if (end > pos && ::access(candidate.c_str(), X_OK) == 0)
            return candidate;
        pos = end + 1;
    }
    return {};
}

/// The host's own IPv4 addresses (other than loopback, which slirp4netns already refuses) and
/// the link-local range of cloud metadata services: slirp4netns would connect to them from the
/// host's side, reaching services bound to the host's other interfaces.
std::string blockedRoutes() {
    std::string batch = "route add unreachable 169.254.0.0/16\n";
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0)
        return batch;
    for (ifaddrs* a = list; a; a = a->ifa_next) {
        if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET)
            continue;
        char text[INET_ADDRSTRLEN];
        auto* in = reinterpret_cast<sockaddr_in*>(a->ifa_addr);
        if ((ntohl(in->sin_addr.s_addr) >> 24) == 127 ||
            !::inet_ntop(AF_INET, &in->sin_addr, text, sizeof(text)))
            continue;
        batch += "route add unreachable " + std::string(text) + "/32\n";
    }
    ::freeifaddrs(list);
    return batch;
}

/// Adds blockedRoutes() to the network namespace of `target_pid` (its user namespace grants the
/// rights to `run_as`, which owns it). Throws std::runtime_error.
void blockHostRoutes(int target_pid, std::optional<launcher::HostIdentity> run_as,
                     const std::filesystem::path& log) {
    std::string batch = blockedRoutes();
    int fd = ::memfd_create("sockt-routes", MFD_CLOEXEC);
    if (fd < 0 || ::write(fd, batch.data(), batch.size()) != static_cast<ssize_t>(batch.size()) ||
        ::lseek(fd, 0, SEEK_SET) != 0) {
        if (fd >= 0)
            ::close(fd);
        throw std::runtime_error("cannot prepare the sandbox's routes");
    }
    launcher::Launch launch;
    launch.argv = {"/usr/bin/nsenter", "--target", std::to_string(target_pid), "--user",
                   "--net", "--", "/usr/sbin/ip", "-batch", "/proc/self/fd/3"};
    launch.env = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin"};
    launch.fds = {{fd, 3}};
    launch.stderr_path = log.string();
    launch.run_as = run_as;
    int pid = -1;
    try {
        pid = launcher::spawn(launch);
    } catch (...) {
        ::close(fd);
        throw;
    }
    ::close(fd);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw std::runtime_error("cannot keep the sandbox away from the host's addresses (see " +
                                 log.string() + ")");
}

int highCloexec(int fd) {
    int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, 10);
    ::close(fd);
    return moved;
}

} // namespace

NetworkMode sandboxNetworkMode(std::string* reason) {
    static std::string why;
    static const NetworkMode mode = [] {
        struct stat st;
        if (findSlirp().empty())
            why = "slirp4netns is not installed (make setup installs it)";
        else if (::stat("/dev/net/tun", &st) != 0 || !S_ISCHR(st.st_mode))
            why = "/dev/net/tun is missing (the tun module is not loaded)";
        else if (::geteuid() != 0 && ::access("/dev/net/tun", R_OK | W_OK) != 0)
            why = "/dev/net/tun is not accessible to this user";
        else if (::access("/usr/bin/nsenter", X_OK) != 0 || ::access("/usr/sbin/ip", X_OK) != 0)
            why = "nsenter or ip is missing (util-linux, iproute2)";
        return why.empty() ? NetworkMode::Slirp4netns : NetworkMode::None;
    }();
    if (reason)
        *reason = why;
    return mode;
}

std::string_view networkModeName(NetworkMode mode) {
    switch (mode) {
    case NetworkMode::Slirp4netns:
        return "slirp4netns";
    case NetworkMode::Shared:
        return "shared";
    case NetworkMode::None:
        break;
    }
    return "none";
}

SlirpNetwork::SlirpNetwork(int target_pid, std::optional<launcher::HostIdentity> run_as,
                           const std::filesystem::path& log) {
    int exit_pipe[2], ready_pipe[2];
    if (::pipe2(exit_pipe, O_CLOEXEC) != 0)
        throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    if (::pipe2(ready_pipe, O_CLOEXEC) != 0) {
        ::close(exit_pipe[0]);
        ::close(exit_pipe[1]);
        throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    }
    int exit_read = highCloexec(exit_pipe[0]);
    int ready_write = highCloexec(ready_pipe[1]);
    exit_fd_ = exit_pipe[1];
    int ready_read = ready_pipe[0];

    launcher::Launch launch;
    // --disable-host-loopback: 10.0.2.2 does not lead to the host's 127.0.0.1. The sandbox and
    // seccomp options confine slirp4netns itself, which parses the sandbox's packets.
    launch.argv = {findSlirp(),
                   "--configure",
                   "--mtu=65520",
                   "--disable-host-loopback",
                   "--enable-sandbox",
                   "--enable-seccomp",
                   "--exit-fd=3",
                   "--ready-fd=4",
                   std::to_string(target_pid),
                   "tap0"};
    launch.env = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin"};
    launch.fds = {{exit_read, 3}, {ready_write, 4}};
    launch.stderr_path = log.string();
    launch.run_as = run_as;
    // As root, the host's /dev/net/tun may be root-only (0600); a private node owned by the
    // sandbox's uid lets slirp4netns open it without running as root.
    launch.private_tun = ::geteuid() == 0;
    try {
        pid_ = launcher::spawn(launch);
    } catch (...) {
        for (int fd : {exit_read, ready_write, ready_read})
            ::close(fd);
        ::close(exit_fd_);
        exit_fd_ = -1;
        throw;
    }
    ::close(exit_read);
    ::close(ready_write);
    pollfd p{ready_read, POLLIN, 0};
    int n;
    do {
        n = ::poll(&p, 1, static_cast<int>(
                              std::chrono::milliseconds(kReadyTimeout).count()));
    } while (n < 0 && errno == EINTR);
    char byte = 0;
    bool ready = n == 1 && ::read(ready_read, &byte, 1) == 1 && byte == '1';
    ::close(ready_read);
    if (!ready) {
        stop();
        throw std::runtime_error("slirp4netns did not configure the sandbox's network (see " +
                                 log.string() + ")");
    }
    try {
        blockHostRoutes(target_pid, run_as, log);
    } catch (...) {
        stop();
        throw;
    }
}

SlirpNetwork::~SlirpNetwork() {
    stop();
}

void SlirpNetwork::stop() {
    if (exit_fd_ >= 0) {
        ::close(exit_fd_);
        exit_fd_ = -1;
    }
    if (pid_ <= 0)
        return;
    // It exits on its own once the exit pipe closes; SIGKILL if it does not within a second.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    for (;;) {
        pid_t r = ::waitpid(pid_, nullptr, WNOHANG);
        if (r == pid_ || (r < 0 && errno != EINTR))
            break;
        if (std::chrono::steady_clock::now() >= deadline) {
            ::kill(pid_, SIGKILL);
            while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
            }
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    pid_ = -1;
}

} // namespace sockt::server
