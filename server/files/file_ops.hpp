// File read/write/list inside a sandbox home (PROTOCOL.md §1.6, §2.10-§2.12, §5). Every function
// throws ApiError for client mistakes and returns the exact response body.
#pragma once

#include "common/api_error.hpp"

#include <filesystem>
#include <string>

namespace sockt::server {

/// §2.10: {"path","bytes_written","created_dirs"}; atomic (temp file + rename), mode 0644.
OJson writeFile(const std::filesystem::path& home, const OJson& request_body);
/// The same with the `content` value handed over apart from `request_body` (whose own `content`
/// key is ignored): the HTTP layer cuts a large value out of the raw body and moves it here, so
/// the file's text is never copied on its way to the disk (bench findings S2, S3).
OJson writeFile(const std::filesystem::path& home, const OJson& request_body, std::string content);
/// §2.11: {"path","size_bytes","size","encoding","truncated","content"}, plus `content_b64`
/// (the same text) on base64 reads when `with_content_b64`: the official Python SDK reads only
/// that key (docs/protocol-notes.md row 1).
OJson readFile(const std::filesystem::path& home, const OJson& request_body,
               bool with_content_b64 = true);
/// readFile() already serialized: byte for byte what dumpJson() makes of its result, but a base64
/// text is encoded once straight into the returned body instead of into a DOM that dump() would
/// copy and scan again (up to 64 MiB of text, twice with `content_b64`).
std::string readFileBody(const std::filesystem::path& home, const OJson& request_body,
                         bool with_content_b64);
/// §2.12 from the raw query values ("" = omitted): {"entries","total_entries","truncated"}.
OJson listFiles(const std::filesystem::path& home, const std::string& path,
                const std::string& recursive, const std::string& max_depth);

/// The lexical part of §1.6 alone (step 7 of §3.4): 400 invalid_params on NUL (and on an empty
/// path unless `is_list`), 400 bad_request when the cleaned path leaves /home/sandbox.
void checkPathLexically(const std::string& path, bool is_list);

} // namespace sockt::server
