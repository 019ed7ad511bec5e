#include "files/file_ops.hpp"

#include "common/ids.hpp"
#include "common/json_output.hpp"
#include "common/utf8.hpp"
#include "files/dir_sync.hpp"
#include "files/file_common.hpp"
#include "files/sandbox_path.hpp"
#include "sockt/errors.hpp"
#include "sockt/models.hpp"
#include "sockt/protocol.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstring>
#include <fcntl.h>
#include <string_view>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace sockt::server {
namespace {

enum class Encoding { Utf8, Base64 };

Encoding parseEncoding(const OJson& body) {
    if (!body.contains("encoding") || body["encoding"].is_null())
        return Encoding::Utf8;
    if (!body["encoding"].is_string())
        throw ApiError("invalid_params", "encoding must be a string: \"utf8\" or \"base64\"");
    std::string e = body["encoding"].get<std::string>();
    std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return std::tolower(c); });
    if (e == "utf8" || e == "utf-8")
        return Encoding::Utf8;
    if (e == "base64")
        return Encoding::Base64;
    throw ApiError("invalid_params", "unknown encoding \"" + body["encoding"].get<std::string>() +
                                         "\"; use \"utf8\" or \"base64\"");
}

std::string requireString(const OJson& body, const char* key) {
    if (!body.is_object() || !body.contains(key) || body[key].is_null())
        throw ApiError("invalid_params", std::string(key) + " is required");
    if (!body[key].is_string())
        throw ApiError("invalid_params", std::string(key) + " must be a string");
    return body[key].get<std::string>();
}

std::string joinShown(const std::vector<std::string>& parts, std::size_t count) {
    std::string out(protocol::kSandboxHome);
    for (std::size_t i = 0; i < count; ++i)
        out += "/" + parts[i];
    return out;
}

void writeAll(int fd, const std::string& data) {
    std::size_t pos = 0;
    while (pos < data.size()) {
        ssize_t n = ::write(fd, data.data() + pos, data.size() - pos);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            hostError("cannot write the file");
        }
        pos += static_cast<std::size_t>(n);
    }
}

// Gives the unnamed (O_TMPFILE) file `fd` the name `name` in `dir_fd`; -1 with errno on failure.
// AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH: without it the kernel says ENOENT, and the file's
// /proc/self/fd link does the same for anyone.
int linkUnnamed(int fd, int dir_fd, const std::string& name) {
    if (::linkat(fd, "", dir_fd, name.c_str(), AT_EMPTY_PATH) == 0)
        return 0;
    if (errno != ENOENT)
        return -1;
    const std::string proc = "/proc/self/fd/" + std::to_string(fd);
    return ::linkat(AT_FDCWD, proc.c_str(), dir_fd, name.c_str(), AT_SYMLINK_FOLLOW);
}

} // namespace

void checkPathLexically(const std::string& path, bool is_list) {
    cleanSandboxPath(path, is_list ? PathUse::List : PathUse::Write);
}

OJson writeFile(const fs::path& home, const OJson& body) {
    requireString(body, "path"); // §2.10's checks keep their order: path, content, the rest
    std::string content = requireString(body, "content");
    return writeFile(home, body, std::move(content));
}

OJson writeFile(const fs::path& home, const OJson& body, std::string content) {
    std::string path = requireString(body, "path");
    Encoding encoding = parseEncoding(body);
    bool create_dirs = true;
    if (body.contains("create_dirs") && !body["create_dirs"].is_null()) {
        if (!body["create_dirs"].is_boolean())
            throw ApiError("invalid_params", "create_dirs must be a boolean");
        create_dirs = body["create_dirs"].get<bool>();
    }
    if (encoding == Encoding::Base64) {
        // Decoded in place (models.hpp: the decoder writes no byte before it has read the text
        // behind it): no second file-sized buffer to allocate and fault in.
        try {
            content.resize(sockt::base64DecodeInto(content, content.data()));
        } catch (const InvalidArgumentError&) {
            throw ApiError("invalid_params", "invalid base64 content");
        }
    }
    const std::string data = std::move(content);

    Fd dir = openHome(home);
    const HomeOwner owner = homeOwner(dir.get());
    SandboxPath target = resolveSandboxPath(dir.get(), path, PathUse::Write);
    if (target.resolved.empty())
        throw ApiError("invalid_params", "path " + target.sandbox + " is a directory");
    bool created = false;
    const auto& parts = target.resolved;
    // The parents exist in the common case: one open, which refuses a link anywhere on the way,
    // instead of one per component.
    std::size_t walked = 0;
    if (parts.size() > 1) {
        const std::string rel = target.relative();
        Fd parent(openBeneath(dir.get(), rel.substr(0, rel.rfind('/')), O_RDONLY | O_DIRECTORY));
        if (parent.ok()) {
            dir = std::move(parent);
            walked = parts.size() - 1;
        }
    }
    // Otherwise each parent is opened from the one before, so a component swapped for a link
    // meanwhile fails the open (ELOOP) instead of leading us anywhere.
    for (std::size_t i = walked; i + 1 < parts.size(); ++i) {
        Fd next(openBeneath(dir.get(), parts[i], O_RDONLY | O_DIRECTORY));
        if (!next.ok() && errno == ENOENT) {
            if (!create_dirs)
                throw ApiError("invalid_params",
                               "parent directory " + joinShown(parts, i + 1) + " does not exist",
                               "create it first or send create_dirs: true");
            if (::mkdirat(dir.get(), parts[i].c_str(), 0755) != 0 && errno != EEXIST)
                hostError("cannot create " + joinShown(parts, i + 1));
            next = Fd(openBeneath(dir.get(), parts[i], O_RDONLY | O_DIRECTORY));
            if (next.ok()) {
                ::fchmod(next.get(), 0755); // exact mode, whatever the umask
                giveToHomeOwner(next.get(), owner);
                created = true;
            }
        }
        if (!next.ok()) {
            if (errno == ENOTDIR)
                throw ApiError("invalid_params", joinShown(parts, i + 1) + " is not a directory");
            openFailed(errno, path, joinShown(parts, i + 1));
        }
        dir = std::move(next);
    }
    const std::string& leaf = parts.back();
    struct stat st;
    const bool exists = ::fstatat(dir.get(), leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
    if (exists && S_ISDIR(st.st_mode))
        throw ApiError("invalid_params", "path " + target.sandbox + " is a directory");

    // Written and fsynced before it has its name: readers see the old or the new file, never
    // half of one (§5.1). The inode is made unnamed (O_TMPFILE) where the file system can: it is
    // then allocated without the directory's lock, which concurrent writes into one directory
    // would otherwise take turns at; elsewhere under a temporary name. A new name is linked in
    // place, an existing one replaced by a rename from the temporary name.
    std::string tmp; // named when needed: a new file linked in place has no temporary name
    auto tmpName = [&]() -> const std::string& {
        if (tmp.empty())
            tmp = "." + leaf.substr(0, 200) + ".sockt-" + randomHex(8) + ".tmp";
        return tmp;
    };
    // The sandbox may remove the directory, or the temp file, or make the leaf a directory,
    // while we write: those are its files' answers, not the server's failures.
    auto changed = [&](const char* what) {
        if (errno == ENOENT)
            throw ApiError("file_not_found", "the directory of " + target.sandbox +
                                                 " was removed while it was being written");
        if (errno == EISDIR)
            throw ApiError("invalid_params", "path " + target.sandbox + " is a directory");
        hostError(what + target.sandbox);
    };
    Fd file(::openat(dir.get(), ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644));
    const bool unnamed = file.ok();
    if (!unnamed) {
        file = Fd(::openat(dir.get(), tmpName().c_str(),
                           O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
        if (!file.ok())
            changed("cannot create ");
    }
    bool named_tmp = !unnamed; // the temporary name exists: removed if the write fails
    try {
        ::fchmod(file.get(), 0644);
        giveToHomeOwner(file.get(), owner);
        writeAll(file.get(), data);
        if (::fsync(file.get()) != 0)
            hostError("cannot write " + target.sandbox);
        // A link fails where a file appeared meanwhile (EEXIST): the rename replaces that one.
        if (!(unnamed && !exists && linkUnnamed(file.get(), dir.get(), leaf) == 0)) {
            if (unnamed && linkUnnamed(file.get(), dir.get(), tmpName()) != 0)
                changed("cannot create ");
            named_tmp = true;
            if (::renameat(dir.get(), tmpName().c_str(), dir.get(), leaf.c_str()) != 0)
                changed("cannot replace ");
            named_tmp = false;
        }
    } catch (...) {
        if (named_tmp)
            ::unlinkat(dir.get(), tmp.c_str(), 0);
        throw;
    }
    // The name is on disk before the answer (§5.1): concurrent writes into this directory share
    // one fsync of it (files/dir_sync.hpp). EINVAL: a file system that cannot sync directories.
    if (const int error = syncDirectory(dir.get()); error != 0 && error != EINVAL) {
        errno = error;
        hostError("cannot write " + target.sandbox);
    }
    OJson out;
    out["path"] = target.sandbox;
    out["bytes_written"] = static_cast<std::int64_t>(data.size());
    out["created_dirs"] = created;
    return out;
}

namespace {

/// A §2.11 read that passed every check, its file open, before any byte is read.
struct OpenRead {
    OJson fields; // path, size_bytes, size, encoding, truncated: the answer's keys before content
    Fd file;
    std::size_t limit; // bytes to read at most
    Encoding encoding;
    bool truncated;
    std::string shown; // the sandbox path, for errors
};

OpenRead openRead(const fs::path& home, const OJson& body) {
    std::string path = requireString(body, "path");
    Encoding encoding = parseEncoding(body);
    std::int64_t max_bytes = 0;
    if (body.contains("max_bytes") && !body["max_bytes"].is_null()) {
        const auto& m = body["max_bytes"];
        if (m.is_number_unsigned())
            max_bytes = m.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)
                            ? INT64_MAX
                            : static_cast<std::int64_t>(m.get<std::uint64_t>());
        else if (m.is_number_integer())
            max_bytes = m.get<std::int64_t>();
        else if (m.is_number_float() && std::abs(m.get<double>()) < 9e18 &&
                 m.get<double>() == static_cast<double>(static_cast<std::int64_t>(m.get<double>())))
            max_bytes = static_cast<std::int64_t>(m.get<double>()); // §12 rule 3: 5000.0 is 5000
        else
            throw ApiError("invalid_params", "max_bytes must be an integer");
        if (max_bytes < 0)
            throw ApiError("invalid_params", "max_bytes must be ≥ 0 (0 = the whole file)");
        if (max_bytes > protocol::kMaxReadBytes)
            throw ApiError("payload_too_large", "max_bytes may be at most 48 MiB (50331648)");
    }
    Fd homefd = openHome(home);
    SandboxPath target = resolveSandboxPath(homefd.get(), path, PathUse::Read);
    Fd file(openBeneath(homefd.get(), target.relative(), O_RDONLY | O_NONBLOCK));
    if (!file.ok()) {
        if (errno == ENOENT || errno == ENOTDIR)
            throw ApiError("file_not_found", "file " + target.sandbox + " does not exist");
        openFailed(errno, path, target.sandbox);
    }
    struct stat st;
    if (::fstat(file.get(), &st) != 0)
        hostError("cannot stat " + target.sandbox);
    if (S_ISDIR(st.st_mode))
        throw ApiError("invalid_params", "path " + target.sandbox + " is a directory",
                       "list it with GET /v1/sandboxes/{id}/files");
    if (!S_ISREG(st.st_mode))
        throw ApiError("invalid_params", "path " + target.sandbox + " is not a regular file");
    std::int64_t size = st.st_size;
    if (max_bytes == 0 && size > protocol::kMaxReadBytes)
        throw ApiError("payload_too_large", "file " + target.sandbox + " is larger than 48 MiB",
                       "read it in parts with max_bytes, or compress it first");
    std::int64_t limit = max_bytes > 0 ? std::min(size, max_bytes) : size;
    const bool truncated = max_bytes > 0 && size > max_bytes;
    OpenRead read{OJson(),  std::move(file), static_cast<std::size_t>(limit),
                  encoding, truncated,       target.sandbox};
    read.fields["path"] = target.sandbox;
    read.fields["size_bytes"] = size;
    read.fields["size"] = size;
    read.fields["encoding"] = encoding == Encoding::Utf8 ? "utf8" : "base64";
    read.fields["truncated"] = truncated;
    return read;
}

/// Reads up to `len` bytes at `offset` (pread(2): the file offset is left alone); fewer only at
/// the end of the file. `shown` names the file in errors.
std::size_t readUpTo(int fd, const std::string& shown, char* buf, std::size_t len,
                     std::uint64_t offset) {
    std::size_t got = 0;
    while (got < len) {
        const ssize_t n = ::pread(fd, buf + got, len - got, static_cast<off_t>(offset + got));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            hostError("cannot read " + shown);
        if (n == 0)
            break;
        got += static_cast<std::size_t>(n);
    }
    return got;
}

std::string readAll(const OpenRead& read) {
    std::string data(read.limit, '\0');
    data.resize(readUpTo(read.file.get(), read.shown, data.data(), data.size(), 0));
    return data;
}

} // namespace

OJson readFile(const fs::path& home, const OJson& body, bool with_content_b64) {
    OpenRead read = openRead(home, body);
    const std::string data = readAll(read);
    OJson out = std::move(read.fields);
    if (read.encoding == Encoding::Utf8) {
        out["content"] = Utf8Decoder::decode(data, read.truncated);
    } else {
        out["content"] = sockt::base64Encode(data);
        if (with_content_b64)
            out["content_b64"] = out["content"];
    }
    return out;
}

struct ReadAnswer::Impl {
    std::string whole; // the entire answer (utf8), or its head up to the content's opening quote
    bool streamed = false;
    Fd file;
    std::size_t limit = 0;
    bool with_content_b64 = false;
    std::string shown;
    std::uint64_t size = 0;

    // Sends limit bytes of the file as base64, read afresh from offset 0 with pread(2).
    void streamText(const Sink& sink) const;
};

namespace {

constexpr std::string_view kContent = ",\"content\":\"";
constexpr std::string_view kContentB64 = ",\"content_b64\":\"";

} // namespace

void ReadAnswer::Impl::streamText(const Sink& sink) const {
    // A slice of a multiple of 3 bytes encodes to exactly its piece of the whole text (no quantum
    // straddles two slices); kTextSlice is a multiple of 4, so each slice is one sink call.
    constexpr std::size_t kSlice = kTextSlice / 4 * 3;
    std::string slice(std::min(kSlice, limit), '\0');
    std::string text(sockt::base64EncodedLength(slice.size()), '\0');
    for (std::size_t at = 0; at < limit;) {
        const std::size_t want = std::min(kSlice, limit - at);
        const std::size_t got = readUpTo(file.get(), shown, slice.data(), want, at);
        if (got < want) // the file shrank after fstat: the advertised length can no longer be met
            throw ApiError("host_error", "file " + shown + " shrank while it was being read");
        sockt::base64EncodeInto(std::string_view(slice.data(), got), text.data());
        sink(std::string_view(text.data(), sockt::base64EncodedLength(got)));
        at += got;
    }
}

ReadAnswer::ReadAnswer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ReadAnswer::ReadAnswer(ReadAnswer&&) noexcept = default;
ReadAnswer& ReadAnswer::operator=(ReadAnswer&&) noexcept = default;
ReadAnswer::~ReadAnswer() = default;

std::uint64_t ReadAnswer::size() const {
    return impl_->size;
}

void ReadAnswer::writeTo(const Sink& sink) {
    sink(impl_->whole);
    if (!impl_->streamed)
        return;
    impl_->streamText(sink);
    if (impl_->with_content_b64) {
        sink(std::string("\"").append(kContentB64));
        impl_->streamText(sink);
    }
    sink("\"}");
}

ReadAnswer prepareReadFile(const fs::path& home, const OJson& body, bool with_content_b64) {
    OpenRead read = openRead(home, body);
    auto impl = std::make_unique<ReadAnswer::Impl>();
    if (read.encoding == Encoding::Utf8) {
        read.fields["content"] = Utf8Decoder::decode(readAll(read), read.truncated);
        impl->whole = dumpJson(read.fields);
        impl->size = impl->whole.size();
        return ReadAnswer(std::move(impl));
    }
    // The same bytes as dumpJson() of readFile()'s DOM: the fields, then `"content":"…"` and
    // `"content_b64":"…"` in that order. Base64 text needs no JSON escape (A-Z a-z 0-9 + / =; the
    // dump never escapes '/'), so it goes in verbatim, and its length is base64EncodedLength().
    //
    // WHY the text is encoded while it is sent, and what happens when the file changes: the
    // Content-Length is fixed here, from the `limit` bytes decided at fstat, before the first
    // byte is read. The text (and for non-sockt clients its `content_b64` duplicate, encoded
    // again from a second pread pass rather than kept: no file-sized buffer at all) is then
    // streamed in 1 MiB slices of text. A file that grows meanwhile is still read to `limit` bytes
    // only. A file that shrinks (a sandbox process truncating it in place) can no longer fill
    // the promised length: writeTo() then throws and the connection is closed, so the client
    // sees a cut-off answer (a transport error it retries) and never a well-formed body with the
    // wrong bytes. That is exact without reading the whole file before the headers, which would
    // delay the first byte again. An in-place rewrite of the same length between the two passes
    // can make `content_b64` differ from `content`, as a single pass could already return a mix
    // of old and new bytes: files/write itself replaces files atomically (§5.1), and the old
    // inode we hold open stays intact.
    std::string head = dumpJson(read.fields);
    head.pop_back(); // the closing '}'
    head += kContent;
    const std::uint64_t text = sockt::base64EncodedLength(read.limit);
    impl->size =
        head.size() + text + 1 + (with_content_b64 ? kContentB64.size() + text + 1 : 0) + 1;
    impl->whole = std::move(head);
    impl->streamed = true;
    impl->file = std::move(read.file);
    impl->limit = read.limit;
    impl->with_content_b64 = with_content_b64;
    impl->shown = std::move(read.shown);
    return ReadAnswer(std::move(impl));
}

} // namespace sockt::server
