#include "runtime/isolation.hpp"

#include "runtime/bwrap_command.hpp"
#include "runtime/launcher.hpp"
#include "runtime/user_namespace.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

namespace sockt::server {
namespace {

std::string probeFailure;

/// Runs the namespace and mount setup of a real sandbox (bwrap_command.hpp) with `/bin/true` as
/// its command; "" on success, else the reason.
std::string probeBwrap() {
    if (findBwrap().empty())
        return "bubblewrap (bwrap) is not installed";
    std::error_code ec;
    char pattern[] = "/tmp/sockt-bwrap-probe-XXXXXX";
    if (!::mkdtemp(pattern))
        return std::string("cannot create a probe folder: ") + std::strerror(errno);
    std::filesystem::path dir(pattern);
    std::string reason;
    try {
        std::filesystem::create_directory(dir / "home");
        std::filesystem::create_directory(dir / "tmp");
        std::unique_ptr<HostUidLease> ids;
        int userns = -1;
        if (::geteuid() == 0) {
            ids = HostUidLease::acquire();
            for (const char* sub : {"home", "tmp"})
                if (::chown((dir / sub).c_str(), ids->user(), ids->user()) != 0)
                    throw std::runtime_error(std::string("chown: ") + std::strerror(errno));
            userns = createSandboxUserNamespace(*ids);
        }
        BwrapSpec spec;
        spec.home = dir / "home";
        spec.tmp = dir / "tmp";
        spec.ids = ids.get();
        spec.userns_fd = userns;
        BwrapLaunch bwrap(spec);
        bwrap.launch().stderr_path = (dir / "log").string();
        int pid = -1;
        try {
            pid = launcher::spawn(bwrap.launch());
        } catch (...) {
            if (userns >= 0)
                ::close(userns);
            throw;
        }
        if (userns >= 0)
            ::close(userns);
        int status = 0;
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            std::ifstream in(dir / "log");
            std::string line;
            std::getline(in, line);
            reason = "bubblewrap cannot create the sandbox here" + (line.empty() ? "" : ": " + line);
        }
    } catch (const std::exception& e) {
        reason = e.what();
    }
    std::filesystem::remove_all(dir, ec);
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
