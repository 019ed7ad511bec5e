// File read/write/list inside a sandbox home (docs/protocol.md §1.6, §2.10-§2.12, §5). Every
// function throws ApiError for client mistakes and returns the exact response body.
#pragma once

#include "common/api_error.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

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
/// A §2.11 answer whose checks all passed, ready to be sent by the HTTP layer: its exact length
/// is known before a byte of it is written, so a base64 read can go out with a Content-Length and
/// be encoded a slice at a time while the client is already receiving (bench finding S6) instead
/// of being built whole first (up to 2 × 64 MiB of text). A utf8 answer is held whole.
class ReadAnswer {
public:
    ReadAnswer(ReadAnswer&&) noexcept;
    ReadAnswer& operator=(ReadAnswer&&) noexcept;
    ~ReadAnswer();

    /// The exact number of bytes writeTo() writes: byte for byte what dumpJson() makes of
    /// readFile()'s result.
    std::uint64_t size() const;
    /// Where writeTo() puts the answer, in order: a few small pieces and the base64 text in
    /// slices of up to kTextSlice bytes. It throws when the bytes cannot go out (the client went
    /// away or stopped reading).
    using Sink = std::function<void(std::string_view bytes)>;
    /// The largest piece of base64 text handed to the sink at once: 1 MiB, so the HTTP layer can
    /// send it to the socket in one call (bench finding B6).
    static constexpr std::size_t kTextSlice = 1024 * 1024;
    /// Writes the answer. Throws ApiError when the file no longer holds the bytes decided when it
    /// was opened, and whatever `sink` throws; fewer than size() bytes were then written, so the
    /// caller must close the connection.
    void writeTo(const Sink& sink);

    struct Impl;

private:
    explicit ReadAnswer(std::unique_ptr<Impl> impl);
    friend ReadAnswer prepareReadFile(const std::filesystem::path&, const OJson&, bool);
    std::unique_ptr<Impl> impl_;
};

/// readFile() as a ReadAnswer: every check (and every error) happens here, before any header is
/// sent; the file stays open in the answer.
ReadAnswer prepareReadFile(const std::filesystem::path& home, const OJson& request_body,
                           bool with_content_b64);
/// §2.12 from the raw query values ("" = omitted): {"entries","total_entries","truncated"}.
OJson listFiles(const std::filesystem::path& home, const std::string& path,
                const std::string& recursive, const std::string& max_depth);

/// The lexical part of §1.6 alone (step 7 of §3.4): 400 invalid_params on NUL (and on an empty
/// path unless `is_list`), 400 bad_request when the cleaned path leaves /home/sandbox.
void checkPathLexically(const std::string& path, bool is_list);

} // namespace sockt::server
