// Sandbox file calls (docs/protocol.md §2.10-2.12, §5). Large contents never go through a json
// object: text write bodies are built as text with the content spliced straight into them, binary
// ones are base64-encoded slice by slice while they are sent (detail::BodySource), and read answers
// have their content cut out of the raw body (readAnswer below), so a 32 MiB file costs one body
// plus one decoded copy instead of five buffers.
#include "files_wire.hpp"
#include "http_errors.hpp"
#include "sandbox_internal.hpp"
#include "sockt/sandbox.hpp"
#include "wire/plain_members.hpp"
#include "json/fast_parse.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <new>
#include <string_view>

#ifdef __linux__
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace sockt {

using detail::sandboxCredential;
using detail::sandboxPath;

namespace {

std::string quoted(const std::string& s, const char* what) {
    try {
        return Json(s).dump();
    } catch (const Json::type_error&) {
        throw InvalidArgumentError({std::string(what) +
                                        " is not valid UTF-8; send binary data with "
                                        "writeFileBytes or encoding \"base64\"",
                                    "", 0});
    }
}

/// `{"path":…,"encoding":…,"create_dirs":…,"content":` with room reserved for `content_chars`
/// more chars plus the closing brace: the one place the files/write body (§2.10) is laid out.
std::string writeBodyPrefix(const std::string& path, const std::string& encoding, bool create_dirs,
                            std::size_t content_chars) {
    std::string quoted_path = quoted(path, "path");
    std::string body;
    body.reserve(quoted_path.size() + encoding.size() + content_chars + 64);
    body += "{\"path\":";
    body += quoted_path;
    body += ",\"encoding\":\"";
    body += encoding;
    body += "\",\"create_dirs\":";
    body += create_dirs ? "true" : "false";
    body += ",\"content\":";
    return body;
}

/// POSTs files/write with `body`, or, when `source` is set, with the body it produces while sent.
WriteResult sendWrite(detail::ClientCore& core, detail::SandboxState& state, std::string body,
                      const detail::BodySource* source, const CancelToken& cancel) {
    detail::ensureDataPlaneReady(core, state, cancel);
    HttpRequest request{"POST", sandboxPath(state, "/files/write")};
    const auto credential = sandboxCredential(core, state);
    if (!source)
        request.body = std::move(body);
    HttpResponse response = source ? core.sendAs(request, credential, cancel, *source)
                                   : core.sendAs(request, credential, cancel);
    WriteResult result =
        WriteResult::fromJson(detail::ClientCore::parseJsonAnswer(request, response));
    result.raw_text = std::move(response.body);
    return result;
}

/// Writes chars [pos, pos + n) of base64Encode(bytes) to `out` (pos + n <= its length). Whole
/// 4-char groups are encoded from whole 3-byte groups straight into `out`, so the pieces of any
/// split concatenate to the whole encoding (only the last group carries padding); a range that
/// starts or ends inside a group takes that group from a 4-char scratch encoding.
void encodeRange(std::string_view bytes, std::size_t pos, char* out, std::size_t n) {
    while (n > 0) {
        const std::size_t group = pos / 4;
        const std::size_t within = pos % 4;
        if (within != 0 || n < 4) {
            char quad[4];
            base64EncodeInto(bytes.substr(group * 3, 3), quad);
            const std::size_t take = std::min<std::size_t>(4 - within, n);
            std::memcpy(out, quad + within, take);
            pos += take;
            out += take;
            n -= take;
            continue;
        }
        const std::size_t groups = n / 4;
        base64EncodeInto(bytes.substr(group * 3, groups * 3), out);
        pos += groups * 4;
        out += groups * 4;
        n -= groups * 4;
    }
}

// --- Read answers -------------------------------------------------------------------------------

/// Hands the whole pages inside [begin, end) back to the system: their bytes are never read again
/// (a later write would get a fresh zero page). Keeps a large answer from being resident twice,
/// once as base64 and once decoded.
void releasePages(const char* begin, const char* end) {
#ifdef __linux__
    static const std::uintptr_t page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
    const std::uintptr_t first = (reinterpret_cast<std::uintptr_t>(begin) + page - 1) / page * page;
    const std::uintptr_t last = reinterpret_cast<std::uintptr_t>(end) / page * page;
    if (last > first)
        ::madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED);
#else
    (void)begin;
    (void)end;
#endif
}

// Below this much base64, a read answer is decoded in one go and its pages are left alone.
constexpr std::size_t kReleaseAbove = 1 << 20;
// Base64 chars decoded between two releases (a multiple of 4).
constexpr std::size_t kReleaseSlice = 4 << 20;

/// Decodes the answer's content into `out` (room for base64DecodedMaxLength(content())) and
/// releases the pages of the base64 text behind the decoder as it goes, so the text and the
/// bytes never both exist whole.
std::size_t decodeReleasing(detail::ReadAnswer& answer, char* out) {
    const std::string_view text = answer.content();
    if (text.size() <= kReleaseAbove)
        return base64DecodeInto(text, out);
    std::size_t written = 0;
    return detail::decodeSlices(
        text, kReleaseSlice, [&](std::size_t) { return out + written; },
        [&](const char*, std::size_t n, std::size_t consumed) {
            written += n;
            releasePages(answer.storage.data(), text.data() + consumed);
        });
}

/// The normal path: the whole body through the JSON parser, then the content moved out of the
/// DOM. `content` first, then `content_b64` (docs/protocol-notes.md row 1): the first string wins,
/// both are left null.
detail::ReadAnswer parseWholeAnswer(const HttpRequest& request, const HttpResponse& response,
                            std::string body) {
    detail::ReadAnswer answer;
    if (body.empty()) {
        answer.rest = Json::object();
        return answer;
    }
    answer.rest = json::parseAnswer(body);
    if (answer.rest.is_discarded())
        detail::throwNotJson(request, response, body);
    body = std::string(); // the DOM holds it all now; free the text before anything else
    if (answer.rest.is_object()) {
        bool taken = false;
        for (const char* key : {"content", "content_b64"}) {
            auto it = answer.rest.find(key);
            if (it == answer.rest.end() || !it->is_string())
                continue;
            if (!taken)
                answer.storage = std::move(it->get_ref<std::string&>());
            taken = true;
            *it = nullptr;
        }
    }
    answer.length = answer.storage.size();
    return answer;
}

} // namespace

namespace detail {

std::size_t decodeSlices(std::string_view text, std::size_t slice,
                         const std::function<char*(std::size_t)>& room,
                         const std::function<void(const char*, std::size_t, std::size_t)>& sink) {
    std::size_t at = 0;
    std::size_t total = 0;
    while (text.size() - at > slice) {
        char* out = room(slice / 4 * 3);
        const std::size_t n = base64DecodeInto(text.substr(at, slice), out);
        if (n != slice / 4 * 3)
            break; // not plain data: this slice is decoded again with the rest, in one piece
        at += slice;
        total += n;
        sink(out, n, at);
    }
    const std::string_view rest = text.substr(at);
    char* out = room(base64DecodedMaxLength(rest));
    const std::size_t n = base64DecodeInto(rest, out);
    sink(out, n, text.size());
    return total + n;
}

// Fast path: cut the content values out of the raw body (json::findPlainMembers) and parse only
// the small rest; the content stays in the body. Otherwise the same body goes the normal path.
ReadAnswer readAnswer(ClientCore& core, SandboxState& state, const std::string& path,
                      const ReadFileOptions& options, const CancelToken& cancel,
                      const BodyProgress* on_body) {
    detail::requireNonEmpty(path, "path");
    std::string encoding = detail::normalizeEncoding(options.encoding);
    if (options.max_bytes && *options.max_bytes < 0)
        throw InvalidArgumentError({"max_bytes must be >= 0 (0 = whole file)", "", 0});
    Json body = {{"path", path}, {"encoding", encoding}};
    if (options.max_bytes && *options.max_bytes > 0)
        body["max_bytes"] = *options.max_bytes;
    detail::ensureDataPlaneReady(core, state, cancel);
    HttpRequest request{"POST", sandboxPath(state, "/files/read")};
    try {
        request.body = body.dump();
    } catch (const Json::type_error&) {
        throw InvalidArgumentError({"path is not valid UTF-8", "", 0});
    }
    HttpResponse response = on_body ? core.sendAs(request, sandboxCredential(core, state), cancel,
                                                  *on_body)
                                    : core.sendAs(request, sandboxCredential(core, state), cancel);
    if (detail::isErrorStatus(response.status))
        detail::throwForResponse(response);
    std::string text = std::move(response.body);

    // `content` first, then `content_b64` (docs/protocol-notes.md row 1): the first string wins.
    json::PlainMember members[] = {{"content"}, {"content_b64"}};
    if (!json::findPlainMembers(text, members) || (!members[0].found() && !members[1].found()))
        return parseWholeAnswer(request, response, std::move(text));
    // The remainder: the body with each found value (quotes included) replaced by `null`.
    const json::PlainMember* first = &members[0];
    const json::PlainMember* second = &members[1];
    if (!first->found() || (second->found() && second->begin < first->begin))
        std::swap(first, second);
    std::string rest;
    std::size_t copied = 0;
    for (const json::PlainMember* member : {first, second}) {
        if (!member->found())
            continue;
        rest.append(text, copied, member->begin - 1 - copied);
        rest += "null";
        copied = member->end + 1;
    }
    rest.append(text, copied, std::string::npos);
    ReadAnswer answer;
    answer.rest = json::parseAnswer(rest);
    if (answer.rest.is_discarded() || !answer.rest.is_object())
        return parseWholeAnswer(request, response, std::move(text));
    const json::PlainMember& taken = members[0].found() ? members[0] : members[1];
    answer.storage = std::move(text);
    answer.offset = taken.begin;
    answer.length = taken.end - taken.begin;
    return answer;
}

WriteResult writeBase64(ClientCore& core, SandboxState& state, const std::string& path,
                        bool create_dirs, std::size_t size, const ByteView& bytes,
                        const std::function<void(std::size_t)>& sent,
                        const CancelToken& cancel) {
    // The body is `head` + base64 of the content + `"}`, produced slice by slice while it is sent
    // (our own encoder's output needs neither validation nor escaping), so a 32 MiB file is never
    // encoded whole before its first byte leaves — nor, from a file, read whole.
    std::string head = writeBodyPrefix(path, "base64", create_dirs, 1);
    head += '"';
    static constexpr char kTail[] = "\"}";
    const std::size_t encoded = base64EncodedLength(size);
    BodySource source;
    source.length = head.size() + encoded + (sizeof kTail - 1);
    source.fill = [&](std::size_t offset, char* out, std::size_t n) {
        if (offset < head.size()) {
            const std::size_t take = std::min(n, head.size() - offset);
            std::memcpy(out, head.data() + offset, take);
            offset += take;
            out += take;
            n -= take;
        }
        if (n > 0 && offset < head.size() + encoded) {
            const std::size_t take = std::min(n, head.size() + encoded - offset);
            // The whole 3-byte groups behind chars [pos, pos + take) of the encoding.
            const std::size_t pos = offset - head.size();
            const std::size_t first = pos / 4 * 3;
            const std::size_t last = std::min(size, (pos + take + 3) / 4 * 3);
            encodeRange(bytes(first, last), pos - first / 3 * 4, out, take);
            if (sent)
                sent(last);
            offset += take;
            out += take;
            n -= take;
        }
        if (n > 0)
            std::memcpy(out, kTail + (offset - head.size() - encoded), n);
    };
    return sendWrite(core, state, std::string(), &source, cancel);
}

} // namespace detail

WriteResult Sandbox::writeFile(const std::string& path, const std::string& content,
                               const WriteFileOptions& options, const CancelToken& cancel) {
    detail::requireNonEmpty(path, "path");
    std::string encoding = detail::normalizeEncoding(options.encoding);
    std::string body;
    if (encoding == "base64") {
        body = writeBodyPrefix(path, encoding, options.create_dirs, content.size() + 2);
        // Validated here so a typo fails before a large upload; the alphabet needs no escaping
        // once whitespace (allowed, §5.1) is dropped.
        base64Decode(content);
        body += '"';
        std::size_t pos = 0;
        while (pos < content.size()) {
            const std::size_t space = content.find_first_of(" \t\r\n", pos);
            body.append(content, pos, space == std::string::npos ? space : space - pos);
            pos = space == std::string::npos ? content.size() : space + 1;
        }
        body += '"';
    } else {
        body = writeBodyPrefix(path, encoding, options.create_dirs, content.size() + 2);
        body += quoted(content, "content");
    }
    body += '}';
    return sendWrite(*core_, *state_, std::move(body), nullptr, cancel);
}

WriteResult Sandbox::writeFileBytes(const std::string& path, std::string_view bytes,
                                    bool create_dirs, const CancelToken& cancel) {
    detail::requireNonEmpty(path, "path");
    return detail::writeBase64(
        *core_, *state_, path, create_dirs, bytes.size(),
        [bytes](std::size_t begin, std::size_t end) { return bytes.substr(begin, end - begin); },
        {}, cancel);
}

ReadResult Sandbox::readFileResult(const std::string& path, const ReadFileOptions& options,
                                   const CancelToken& cancel) {
    detail::ReadAnswer answer = detail::readAnswer(*core_, *state_, path, options, cancel);
    // A read can carry 64 MiB of base64: `raw` keeps every other key, its content keys null.
    ReadResult result = ReadResult::fromJson(answer.rest);
    result.content = answer.takeContent();
    result.raw = std::move(answer.rest);
    return result;
}

std::string Sandbox::readFile(const std::string& path, const ReadFileOptions& options,
                              const CancelToken& cancel) {
    return readFileResult(path, options, cancel).content;
}

namespace {

detail::ReadAnswer readBase64Answer(detail::ClientCore& core, detail::SandboxState& state,
                                    const std::string& path,
                                    std::optional<std::int64_t> max_bytes,
                                    const CancelToken& cancel) {
    ReadFileOptions options;
    options.encoding = "base64";
    options.max_bytes = max_bytes;
    return detail::readAnswer(core, state, path, options, cancel);
}

} // namespace

std::string Sandbox::readFileBytes(const std::string& path, std::optional<std::int64_t> max_bytes,
                                   const CancelToken& cancel) {
    detail::ReadAnswer answer = readBase64Answer(*core_, *state_, path, max_bytes, cancel);
    // Decoded in place, to the front of the answer's own buffer: the decoder never writes past
    // what it has read (3 bytes out per 4 chars in, base64DecodeInto's contract), so one
    // file-sized buffer serves both. The pages past the bytes go back to the system.
    std::string out = std::move(answer.storage);
    const std::string_view text = std::string_view(out).substr(answer.offset, answer.length);
    const std::size_t n = base64DecodeInto(text, out.data());
    releasePages(out.data() + n + 1, out.data() + out.size());
    out.resize(n);
    return out;
}

std::size_t Sandbox::readFileBytesInto(const std::string& path,
                                       std::optional<std::int64_t> max_bytes,
                                       const std::function<char*(std::size_t)>& allocate,
                                       const CancelToken& cancel) {
    // Decoded straight out of the answer's body, which is released as it is decoded.
    detail::ReadAnswer answer = readBase64Answer(*core_, *state_, path, max_bytes, cancel);
    const std::size_t most = base64DecodedMaxLength(answer.content());
    char* out = allocate(most);
    if (out == nullptr && most > 0)
        throw std::bad_alloc();
    return decodeReleasing(answer, out);
}

FileListing Sandbox::listFilesResult(const ListFilesOptions& options, const CancelToken& cancel) {
    if (options.max_depth && *options.max_depth < 0)
        throw InvalidArgumentError({"max_depth must be >= 0 (0 = unlimited)", "", 0});
    HttpRequest request{"GET", sandboxPath(*state_, "/files")};
    request.query.emplace_back("path", options.path.empty() ? "." : options.path);
    if (options.recursive)
        request.query.emplace_back("recursive", "true");
    if (options.max_depth)
        request.query.emplace_back("max_depth", std::to_string(*options.max_depth));
    detail::ensureDataPlaneReady(*core_, *state_, cancel);
    return FileListing::fromJson(
        core_->callJson(request, sandboxCredential(*core_, *state_), cancel));
}

std::vector<FileEntry> Sandbox::listFiles(const ListFilesOptions& options,
                                          const CancelToken& cancel) {
    return listFilesResult(options, cancel).entries;
}

} // namespace sockt
