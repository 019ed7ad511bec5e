#include "files/file_common.hpp"

#include "sockt/protocol.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>

namespace sockt::server {

Fd openHome(const std::filesystem::path& home) {
    Fd fd(::open(home.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd.ok())
        throw ApiError("host_error", "the sandbox home directory is not available");
    return fd;
}

void hostError(const std::string& what) {
    throw ApiError("host_error", what + ": " + std::strerror(errno));
}

void openFailed(int error, const std::string& raw, const std::string& shown) {
    if (error == ELOOP || error == EXDEV)
        throw ApiError("bad_request", "path " + raw + " changed into a symbolic link while in use",
                       "symbolic links may only point inside " +
                           std::string(protocol::kSandboxHome));
    if (error == ENAMETOOLONG)
        throw ApiError("invalid_params", "path " + shown + " is too long for the file system");
    errno = error;
    hostError("cannot open " + shown);
}

} // namespace sockt::server
