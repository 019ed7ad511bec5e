#include "runtime/isolation.hpp"

#include "runtime/launcher.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

namespace sockt::server {
namespace {

std::string probeFailure;

/// Runs the same namespace setup a sandbox uses; "" on success, else the reason.
std::string probeBwrap() {
    std::string bwrap = findBwrap();
    if (bwrap.empty())
        return "bubblewrap (bwrap) is not installed";
    auto log = std::filesystem::temp_directory_path() /
               ("sockt-bwrap-probe-" + std::to_string(::getpid()) + ".log");
    launcher::Launch launch;
    launch.argv = {bwrap,         "--unshare-all",
                   "--share-net", "--die-with-parent",
                   "--ro-bind",   "/",
                   "/",           "--proc",
                   "/proc",       "--dev",
                   "/dev",        "--uid",
                   "1000",        "--gid",
                   "1000",        "/bin/true"};
    launch.env = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin"};
    launch.stderr_path = log.string();
    std::string reason;
    try {
        int pid = launcher::spawn(launch);
        int status = 0;
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            std::ifstream in(log);
            std::string line;
            std::getline(in, line);
            reason = "bubblewrap cannot create namespaces here" + (line.empty() ? "" : ": " + line);
        }
    } catch (const std::exception& e) {
        reason = e.what();
    }
    std::error_code ec;
    std::filesystem::remove(log, ec);
    return reason;
}

} // namespace

std::string findBwrap() {
    const char* path = std::getenv("PATH");
    std::string dirs = path && *path ? path : "/usr/local/bin:/usr/bin:/bin";
    dirs += ":/usr/bin:/bin";
    std::size_t pos = 0;
    while (pos <= dirs.size()) {
        std::size_t end = dirs.find(':', pos);
        if (end == std::string::npos)
            end = dirs.size();
        std::string dir = dirs.substr(pos, end - pos);
        if (!dir.empty()) {
            std::string candidate = dir + "/bwrap";
            if (::access(candidate.c_str(), X_OK) == 0)
                return candidate;
        }
        pos = end + 1;
    }
    return {};
}

IsolationMode resolveIsolation(const std::string& requested, std::string* warning) {
    auto unsafe = [&](const std::string& why) {
        if (warning)
            *warning = "sockt serve: WARNING: isolation is \"none\"" + why +
                       ": sandbox commands run UNSANDBOXED on this host as the server's user and "
                       "can read and change anything it can. Do not run untrusted code.";
        return IsolationMode::None;
    };
    if (requested == "none")
        return unsafe("");
    if (requested != "auto" && requested != "bwrap")
        throw std::invalid_argument("--isolation must be auto, bwrap or none (got \"" + requested +
                                    "\")");
    static std::once_flag once;
    std::call_once(once, [] { probeFailure = probeBwrap(); });
    if (probeFailure.empty())
        return IsolationMode::Bwrap;
    if (requested == "bwrap")
        throw std::runtime_error("--isolation bwrap: " + probeFailure +
                                 " (install bubblewrap or use --isolation none)");
    return unsafe(" (" + probeFailure + ")");
}

std::string_view isolationName(IsolationMode mode) {
    return mode == IsolationMode::Bwrap ? "bwrap" : "none";
}

} // namespace sockt::server
