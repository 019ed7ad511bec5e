// Sandbox file calls (PROTOCOL.md §2.10-2.12, §5). Large contents are spliced into the JSON body
// directly instead of going through a json object (one copy instead of three).
#include "sandbox_internal.hpp"
#include "sockt/sandbox.hpp"

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

} // namespace

WriteResult Sandbox::writeFile(const std::string& path, const std::string& content,
                               const WriteFileOptions& options, const CancelToken& cancel) {
    detail::requireNonEmpty(path, "path");
    std::string encoding = detail::normalizeEncoding(options.encoding);
    std::string body;
    body.reserve(content.size() + path.size() + 96);
    body += "{\"path\":" + quoted(path, "path") + ",\"encoding\":\"" + encoding +
            "\",\"create_dirs\":" + (options.create_dirs ? "true" : "false") + ",\"content\":";
    if (encoding == "base64") {
        // Validated here so a typo fails before a large upload; the alphabet needs no escaping
        // once whitespace (allowed, §5.1) is dropped.
        base64Decode(content);
        body += '"';
        for (char c : content)
            if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
                body += c;
        body += '"';
    } else {
        body += quoted(content, "content");
    }
    body += '}';
    detail::ensureDataPlaneReady(*core_, *state_, cancel);
    HttpRequest request{"POST", sandboxPath(*state_, "/files/write")};
    request.body = std::move(body);
    return WriteResult::fromJson(
        core_->callJson(request, sandboxCredential(*core_, *state_), cancel));
}

WriteResult Sandbox::writeFileBytes(const std::string& path, std::string_view bytes,
                                    bool create_dirs, const CancelToken& cancel) {
    WriteFileOptions options;
    options.encoding = "base64";
    options.create_dirs = create_dirs;
    return writeFile(path, base64Encode(bytes), options, cancel);
}

ReadResult Sandbox::readFileResult(const std::string& path, const ReadFileOptions& options,
                                   const CancelToken& cancel) {
    detail::requireNonEmpty(path, "path");
    std::string encoding = detail::normalizeEncoding(options.encoding);
    if (options.max_bytes && *options.max_bytes < 0)
        throw InvalidArgumentError({"max_bytes must be >= 0 (0 = whole file)", "", 0});
    Json body = {{"path", path}, {"encoding", encoding}};
    if (options.max_bytes && *options.max_bytes > 0)
        body["max_bytes"] = *options.max_bytes;
    detail::ensureDataPlaneReady(*core_, *state_, cancel);
    HttpRequest request{"POST", sandboxPath(*state_, "/files/read")};
    try {
        request.body = body.dump();
    } catch (const Json::type_error&) {
        throw InvalidArgumentError({"path is not valid UTF-8", "", 0});
    }
    Json answer = core_->callJson(request, sandboxCredential(*core_, *state_), cancel);
    // A read can carry 64 MiB of base64: move the content out instead of copying it into both
    // `content` and `raw` (raw keeps every other key; its content keys are left null). Base64
    // answers may carry it as `content_b64` too (docs/protocol-notes.md row 1): first one wins.
    std::string content;
    if (answer.is_object()) {
        bool taken = false;
        for (const char* key : {"content", "content_b64"}) {
            auto it = answer.find(key);
            if (it == answer.end() || !it->is_string())
                continue;
            if (!taken)
                content = std::move(it->get_ref<std::string&>());
            taken = true;
            *it = nullptr;
        }
    }
    ReadResult result = ReadResult::fromJson(answer);
    result.content = std::move(content);
    result.raw = std::move(answer);
    return result;
}

std::string Sandbox::readFile(const std::string& path, const ReadFileOptions& options,
                              const CancelToken& cancel) {
    return readFileResult(path, options, cancel).content;
}

std::string Sandbox::readFileBytes(const std::string& path, std::optional<std::int64_t> max_bytes,
                                   const CancelToken& cancel) {
    ReadFileOptions options;
    options.encoding = "base64";
    options.max_bytes = max_bytes;
    return base64Decode(readFileResult(path, options, cancel).content);
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
