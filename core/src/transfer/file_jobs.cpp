// uploadFile / downloadFile (see file_jobs.hpp).
#include "transfer/file_jobs.hpp"

#include "files_wire.hpp"
#include "sockt/protocol.hpp"

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <random>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace sockt::detail::transfer {
namespace {

// Decoded and written at a time (a multiple of 4 base64 chars).
constexpr std::size_t kDecodeSlice = 1024 * 1024;

[[noreturn]] void localFailure(const std::string& what, int error) {
    throw InvalidArgumentError({what + ": " + std::strerror(error), "", 0});
}

class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0)
            ::close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }
    int release() {
        int fd = fd_;
        fd_ = -1;
        return fd;
    }

private:
    int fd_;
};

void preadAll(int fd, char* out, std::size_t n, std::uint64_t offset, const std::string& path) {
    while (n > 0) {
        ssize_t got = ::pread(fd, out, n, static_cast<off_t>(offset));
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            localFailure("upload: read " + path, errno);
        if (got == 0)
            throw InvalidArgumentError({"upload: " + path + " shrank while it was sent", "", 0});
        out += got;
        n -= static_cast<std::size_t>(got);
        offset += static_cast<std::uint64_t>(got);
    }
}

void writeAll(int fd, const char* data, std::size_t n, const std::string& path) {
    while (n > 0) {
        ssize_t put = ::write(fd, data, n);
        if (put < 0 && errno == EINTR)
            continue;
        if (put < 0)
            localFailure("download: write " + path, errno);
        data += put;
        n -= static_cast<std::size_t>(put);
    }
}

// A name beside `path` that no other transfer picks: hidden, with a random tail.
std::string temporaryName(const std::string& path) {
    static std::atomic<std::uint64_t> counter{std::random_device{}()};
    const std::uint64_t n = counter.fetch_add(0x9e3779b97f4a7c15ULL);
    char tail[32];
    std::snprintf(tail, sizeof tail, ".sockt-%016llx.part", static_cast<unsigned long long>(n));
    const std::size_t slash = path.rfind('/');
    const std::string dir = slash == std::string::npos ? "" : path.substr(0, slash + 1);
    const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
    return dir + "." + base + tail;
}

} // namespace

void uploadFile(ClientCore& core, SandboxState& state, const std::string& local,
                const std::string& remote, const std::function<void(std::uint64_t)>& progress,
                const CancelToken& cancel) {
    Fd fd(::open(local.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0)
        localFailure("upload: open " + local, errno);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0)
        localFailure("upload: stat " + local, errno);
    const auto size = static_cast<std::size_t>(st.st_size);
    // The request must fit the server's body limit (docs/protocol.md §1.2) with its JSON around it.
    const std::size_t body = base64EncodedLength(size) + remote.size() * 6 + 128;
    if (body > static_cast<std::size_t>(protocol::kMaxRequestBodyBytes))
        throw InvalidArgumentError(
            {"upload: " + local + " is " + std::to_string(size) +
                 " bytes; one files/write request carries at most 72 MiB, about 54 MiB of file",
             "", 0});
    std::vector<char> scratch;
    writeBase64(
        core, state, remote, true, size,
        [&](std::size_t begin, std::size_t end) {
            scratch.resize(end - begin);
            preadAll(fd.get(), scratch.data(), end - begin, begin, local);
            return std::string_view(scratch.data(), scratch.size());
        },
        [&](std::size_t sent) {
            if (progress)
                progress(sent);
        },
        cancel);
}

std::uint64_t downloadFile(ClientCore& core, SandboxState& state, const std::string& remote,
                           const std::string& local,
                           const std::function<void(std::uint64_t)>& progress,
                           const CancelToken& cancel) {
    ReadFileOptions options;
    options.encoding = "base64";
    // The answer is base64 in JSON: 3 file bytes per 4 received, near enough for progress.
    BodyProgress on_body = [&](std::uint64_t received, std::uint64_t) {
        if (progress)
            progress(received / 4 * 3);
    };
    ReadAnswer answer = readAnswer(core, state, remote, options, cancel, &on_body);
    const std::string_view text = answer.content();

    const std::string temp = temporaryName(local);
    Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666));
    if (fd.get() < 0)
        localFailure("download: create " + temp, errno);
    struct Unlink {
        const std::string& path;
        bool keep = false;
        ~Unlink() {
            if (!keep)
                ::unlink(path.c_str());
        }
    } cleanup{temp};
    std::string buffer;
    const std::uint64_t size = decodeSlices(
        text, kDecodeSlice,
        [&buffer](std::size_t n) {
            if (buffer.size() < n)
                buffer.resize(n);
            return buffer.data();
        },
        [&](const char* bytes, std::size_t n, std::size_t) { writeAll(fd.get(), bytes, n, temp); });
    if (::close(fd.release()) != 0)
        localFailure("download: close " + temp, errno);
    if (::rename(temp.c_str(), local.c_str()) != 0)
        localFailure("download: rename to " + local, errno);
    cleanup.keep = true;
    if (progress)
        progress(size);
    return size;
}

} // namespace sockt::detail::transfer
