#include "runtime/bwrap_command.hpp"

#include "runtime/isolation.hpp"
#include "runtime/seccomp_filter.hpp"
#include "runtime/user_namespace.hpp"
#include "sockt/protocol.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <set>
#include <stdexcept>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace sockt::server {
namespace {

constexpr const char* kAgentFallbackPath = "/dev/.sockt-agent"; // bwrap's private /dev tmpfs

// Host /etc entries programs need and that reveal nothing about the host (docs/protocol.md
// §11.4). Anything else of /etc (shadow, ssh, sudoers, the package manager's state) stays out.
const char* const kEtcEntries[] = {
    "nsswitch.conf", "host.conf",   "gai.conf",        "ld.so.cache",    "ld.so.conf",
    "ld.so.conf.d",  "localtime",   "timezone",        "alternatives",   "os-release",
    "profile",       "profile.d",   "bash.bashrc",     "inputrc",        "environment",
    "protocols",     "services",    "mime.types",      "ssl/certs",      "ssl/openssl.cnf",
    "ca-certificates.conf", "debian_version", "lsb-release", "terminfo", "locale.alias",
    "python3",       "python3.11",  "python3.12",      "python3.13",
};

// The top-level links of a merged-/usr system (bound as directories where they are not links).
const char* const kUsrLinks[] = {"bin", "sbin", "lib", "lib32", "lib64", "libx32"};

std::string passwdText() {
    return "root:x:0:0:root:/root:/usr/sbin/nologin\n"
           "sockt-agent:x:" + std::to_string(kInsideAgentUid) + ":" +
           std::to_string(kInsideAgentUid) + ":sockt agent:/nonexistent:/usr/sbin/nologin\n" +
           "sandbox:x:" + std::to_string(kInsideUserUid) + ":" + std::to_string(kInsideUserUid) +
           ":sandbox:" + std::string(protocol::kSandboxHome) + ":/bin/bash\n" +
           "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n";
}

std::string groupText() {
    return "root:x:0:\nsockt-agent:x:" + std::to_string(kInsideAgentUid) + ":\nsandbox:x:" +
           std::to_string(kInsideUserUid) + ":\nnogroup:x:65534:\n";
}

/// Where a host path may be shown inside at its own path: not below a mount the sandbox owns
/// (binding there would create mount points in the sandbox's writable folders).
bool bindableAtOwnPath(const std::string& path) {
    for (const char* prefix : {"/tmp/", "/home/sandbox/", "/proc/", "/dev/", "/run/", "/var/"})
        if (path.rfind(prefix, 0) == 0)
            return false;
    return path.size() > 1 && path[0] == '/';
}

/// Shared libraries the server has mapped from outside /usr (a wheel's vendored libraries, found
/// through an $ORIGIN rpath): the agent is the same executable and needs them at the same paths.
std::set<std::string> librariesOutsideUsr(const std::string& exe) {
    std::set<std::string> libs;
    std::ifstream maps("/proc/self/maps");
    std::string line;
    while (std::getline(maps, line)) {
        auto slash = line.find(" /");
        if (slash == std::string::npos)
            continue;
        std::string path = line.substr(slash + 1);
        if (path.rfind("/usr/", 0) == 0 || path == exe ||
            path.find(" (deleted)") != std::string::npos)
            continue;
        struct stat st;
        if (::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode))
            libs.insert(path);
    }
    return libs;
}

} // namespace

BwrapLaunch::BwrapLaunch(const BwrapSpec& spec) {
    try {
        std::string bwrap = findBwrap();
        launch_.argv = {bwrap.empty() ? "bwrap" : bwrap};
        launch_.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"};
        if (spec.ids) {
            staging_ = true;
            int ns = pass(spec.userns_fd, false);
            arg({"--userns", std::to_string(ns), "--uid", std::to_string(kInsideAgentUid),
                 "--gid", std::to_string(kInsideAgentUid), "--cap-drop", "ALL", "--cap-add",
                 "CAP_SETUID", "--cap-add", "CAP_SETGID", "--cap-add", "CAP_KILL"});
        } else {
            arg({"--unshare-user", "--disable-userns", "--uid", std::to_string(kInsideUserUid),
                 "--gid", std::to_string(kInsideUserUid), "--cap-drop", "ALL"});
        }
        arg({"--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-net",
             "--unshare-cgroup-try", "--hostname", "sockt", "--die-with-parent",
             "--new-session", "--ro-bind", "/usr", "/usr"});
        for (const char* link : kUsrLinks) {
            fs::path host = fs::path("/") / link;
            std::error_code ec;
            if (fs::is_symlink(host, ec))
                arg({"--symlink", fs::read_symlink(host, ec).string(), host.string()});
            else if (fs::is_directory(host, ec))
                arg({"--ro-bind", host.string(), host.string()});
        }
        arg({"--proc", "/proc", "--dev", "/dev", "--tmpfs", "/run", "--dir", "/var",
             "--symlink", "../tmp", "/var/tmp", "--dir", "/home"});
        arg({"--bind", source(spec.home.string()), std::string(protocol::kSandboxHome),
             "--bind", source(spec.tmp.string()), "/tmp"});
        // Folders bwrap makes on its own as parents of a bind are 0700 (unreadable inside).
        arg({"--perms", "0755", "--dir", "/etc", "--perms", "0755", "--dir", "/etc/ssl"});
        for (const char* entry : kEtcEntries) {
            std::string host = std::string("/etc/") + entry;
            arg({"--ro-bind-try", host, host});
        }
        arg({"--symlink", "../proc/self/mounts", "/etc/mtab"});
        data(passwdText(), "/etc/passwd");
        data(groupText(), "/etc/group");
        data("sockt\n", "/etc/hostname");
        data("127.0.0.1\tlocalhost\n127.0.1.1\tsockt\n::1\tlocalhost ip6-localhost "
             "ip6-loopback\n",
             "/etc/hosts");
        data("nameserver 10.0.2.3\n", "/etc/resolv.conf"); // slirp4netns' DNS forwarder
        // Debian's pip refuses to touch the system Python; inside a sandbox the user's own
        // site-packages is the place, as on any desktop.
        data("[global]\nbreak-system-packages = true\n", "/etc/pip.conf");
        std::error_code ec;
        if (!fs::exists("/usr/bin/python", ec) && fs::exists("/usr/bin/python3", ec)) {
            // `python` as the seeds' examples call it, in the one /usr folder that every PATH
            // has (a login shell's /etc/profile drops the sbin folders for users).
            arg({"--tmpfs", "/usr/local/bin"});
            // Links are made again rather than bound: bwrap would resolve one as the sandbox's
            // uid, and a link into a folder that uid may not enter (/root/…) would stop the boot.
            for (const auto& e : fs::directory_iterator("/usr/local/bin", ec)) {
                std::error_code link_ec;
                auto target = fs::read_symlink(e.path(), link_ec);
                if (!link_ec)
                    arg({"--symlink", target.string(), e.path().string()});
                else
                    arg({"--ro-bind", e.path().string(), e.path().string()});
            }
            arg({"--symlink", "/usr/bin/python3", "/usr/local/bin/python", "--remount-ro",
                 "/usr/local/bin"});
        }

        std::vector<std::string> command;
        if (spec.agent_socket >= 0) {
            launch_.fds.push_back({spec.agent_socket, 3});
            std::string exe = fs::read_symlink("/proc/self/exe", ec).string();
            const std::string deleted = " (deleted)";
            if (exe.size() > deleted.size() &&
                exe.compare(exe.size() - deleted.size(), deleted.size(), deleted) == 0)
                exe.resize(exe.size() - deleted.size());
            // Where the executable loads libraries from outside /usr (an $ORIGIN rpath), it and
            // they keep their host paths; otherwise nothing of the host's layout shows.
            const bool in_usr = exe.rfind("/usr/", 0) == 0; // visible through the /usr bind
            auto libs = librariesOutsideUsr(exe);
            std::string inside = in_usr                                  ? exe
                                 : !libs.empty() && bindableAtOwnPath(exe) ? exe
                                                                           : kAgentFallbackPath;
            if (!in_usr)
                arg({"--ro-bind", source(exe), inside});
            for (const auto& lib : libs)
                if (bindableAtOwnPath(lib))
                    arg({"--ro-bind", source(lib), lib});
            command.push_back(inside);
            command.insert(command.end(), spec.agent_args.begin(), spec.agent_args.end());
        } else {
            command = {"/bin/true"};
        }
        int filter = seccompProgramFd();
        arg({"--seccomp", std::to_string(pass(filter, true))});
        arg({"--chdir", std::string(protocol::kSandboxHome), "--remount-ro", "/", "--"});
        launch_.argv.insert(launch_.argv.end(), command.begin(), command.end());
    } catch (...) {
        for (int fd : owned_)
            ::close(fd);
        throw;
    }
}

BwrapLaunch::~BwrapLaunch() {
    for (int fd : owned_)
        ::close(fd);
}

int BwrapLaunch::pass(int fd, bool owned) {
    if (owned)
        owned_.push_back(fd);
    int child = next_child_fd_++;
    launch_.fds.push_back({fd, child});
    return child;
}

void BwrapLaunch::arg(std::initializer_list<std::string> words) {
    launch_.argv.insert(launch_.argv.end(), words.begin(), words.end());
}

void BwrapLaunch::data(const std::string& text, const std::string& dest) {
    int fd = ::memfd_create("sockt-etc", MFD_CLOEXEC);
    if (fd < 0)
        throw std::runtime_error(std::string("memfd_create: ") + std::strerror(errno));
    owned_.push_back(fd);
    if (::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size()) ||
        ::lseek(fd, 0, SEEK_SET) != 0)
        throw std::runtime_error("cannot prepare " + dest);
    int child = next_child_fd_++;
    launch_.fds.push_back({fd, child});
    arg({"--perms", "0444", "--ro-bind-data", std::to_string(child), dest});
}

std::string BwrapLaunch::source(const std::string& host_path) {
    if (!staging_)
        return host_path;
    std::string staged = std::string(launcher::kStagingDir) + "/s" +
                         std::to_string(launch_.staged.size());
    launch_.staged.push_back({host_path, staged});
    return staged;
}

} // namespace sockt::server
