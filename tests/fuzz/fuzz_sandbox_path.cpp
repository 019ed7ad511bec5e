// Sandbox paths (server/files/sandbox_path.*, docs/protocol.md §1.6) from request fields: every
// path the server accepts stays below /home/sandbox, lexically and after following the symbolic
// links of a small home prepared once (links inside, to the parent, to /, in a loop).
#include "common/api_error.hpp"
#include "files/sandbox_path.hpp"

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <unistd.h>

namespace fs = std::filesystem;
namespace server = sockt::server;

namespace {

const fs::path& scratch() {
    static const fs::path dir =
        fs::temp_directory_path() / ("sockt-fuzz-home-" + std::to_string(::getpid()));
    return dir;
}

const fs::path& home() {
    static const fs::path dir = [] {
        const fs::path d = scratch() / "home";
        fs::create_directories(d / "src" / "deep");
        std::atexit([] {
            std::error_code ignored;
            fs::remove_all(scratch(), ignored);
        });
        const std::pair<const char*, const char*> links[] = {{"up", ".."},
                                                             {"root", "/"},
                                                             {"etc", "/etc"},
                                                             {"inside", "src/deep"},
                                                             {"abs", "/home/sandbox/src"},
                                                             {"loop_a", "loop_b"},
                                                             {"loop_b", "loop_a"},
                                                             {"src/back", "../.."},
                                                             {"src/self", "."}};
        for (const auto& [name, target] : links) {
            std::error_code ignored;
            fs::create_symlink(target, d / name, ignored);
        }
        return d;
    }();
    return dir;
}

void checkInside(const server::SandboxPath& p) {
    const std::string sandbox_home = "/home/sandbox";
    if (p.sandbox.compare(0, sandbox_home.size(), sandbox_home) != 0 ||
        (p.sandbox.size() > sandbox_home.size() && p.sandbox[sandbox_home.size()] != '/'))
        std::abort();
    for (const auto& part : p.resolved)
        if (part.empty() || part == "." || part == ".." || part.find('/') != std::string::npos)
            std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1)
        return 0;
    const auto use = static_cast<server::PathUse>(data[0] % 4);
    const std::string raw(reinterpret_cast<const char*>(data) + 1, size - 1);
    try {
        checkInside(server::cleanSandboxPath(raw, use));
        checkInside(server::resolveSandboxPath(home(), raw, use));
    } catch (const server::ApiError& e) {
        if (e.code() != "invalid_params" && e.code() != "bad_request")
            std::abort();
    }
    return 0;
}
