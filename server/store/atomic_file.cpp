#include "store/atomic_file.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

namespace sockt::server {
namespace {

[[noreturn]] void fail(const std::string& what, const std::filesystem::path& path) {
    throw std::runtime_error(what + " " + path.string() + ": " + std::strerror(errno));
}

void fsyncDirectory(const std::filesystem::path& dir) {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return; // best effort: the rename itself already happened
    ::fsync(fd);
    ::close(fd);
}

} // namespace

void writeFileAtomically(const std::filesystem::path& path, std::string_view content,
                         Durability durability) {
    const auto dir = path.parent_path();
    std::filesystem::create_directories(dir);
    std::string tmpl = (dir / ("." + path.filename().string() + ".XXXXXX")).string();
    int fd = ::mkstemp(tmpl.data());
    if (fd < 0)
        fail("cannot create temporary file for", path);
    const char* data = content.data();
    std::size_t left = content.size();
    while (left > 0) {
        ssize_t n = ::write(fd, data, left);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            ::close(fd);
            ::unlink(tmpl.c_str());
            fail("cannot write", path);
        }
        data += n;
        left -= static_cast<std::size_t>(n);
    }
    const bool durable = durability == Durability::Machine;
    if ((durable && ::fsync(fd) != 0) || ::close(fd) != 0) {
        ::unlink(tmpl.c_str());
        fail("cannot flush", path);
    }
    if (::rename(tmpl.c_str(), path.c_str()) != 0) {
        ::unlink(tmpl.c_str());
        fail("cannot replace", path);
    }
    if (durable)
        fsyncDirectory(dir);
}

std::optional<std::string> readWholeFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        if (!std::filesystem::exists(path))
            return std::nullopt;
        fail("cannot open", path);
    }
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

} // namespace sockt::server
