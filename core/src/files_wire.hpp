// INTERNAL: the files/write and files/read exchanges (docs/protocol.md §2.10-2.11, §5) shared by the
// Sandbox file calls and the transfers (upload/download of local paths).
#pragma once

#include "client_core.hpp"

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace sockt::detail {

/// The content bytes [begin, end) to send; the view must stay valid until the next call.
using ByteView = std::function<std::string_view(std::size_t begin, std::size_t end)>;

/// POSTs files/write with `size` bytes of content base64-encoded slice by slice while the body
/// is sent, taking the bytes from `bytes` as they are needed. `sent(n)` (optional) hears how many
/// content bytes have been encoded so far.
WriteResult writeBase64(ClientCore& core, SandboxState& state, const std::string& path,
                        bool create_dirs, std::size_t size, const ByteView& bytes,
                        const std::function<void(std::size_t)>& sent, const CancelToken& cancel);

/// A files/read answer: every key but the content in `rest` (content keys null, as readFileResult
/// always documented for `raw`), the content as `storage[offset, offset + length)`.
struct ReadAnswer {
    Json rest;
    std::string storage;
    std::size_t offset = 0;
    std::size_t length = 0;

    std::string_view content() const { return std::string_view(storage).substr(offset, length); }
    /// The content as a string of its own, moved to the front of the buffer it already lives in
    /// (no second allocation of a large file).
    std::string takeContent() {
        std::string out = std::move(storage);
        out.erase(0, offset);
        out.resize(length);
        return out;
    }
};

/// Decodes base64 `text` `slice` chars (a multiple of 4) at a time: `room(n)` returns memory for
/// n decoded bytes, `sink(bytes, n, consumed)` takes each slice's bytes with the chars consumed so
/// far. A slice stands alone only if it decoded to exactly 3 bytes per 4 chars, i.e. held nothing
/// but data symbols, so the next one starts on a quantum boundary as in one pass; anything else
/// (whitespace, padding) decodes the whole rest in one piece. Returns the bytes decoded; throws
/// as base64DecodeInto() does.
std::size_t decodeSlices(std::string_view text, std::size_t slice,
                         const std::function<char*(std::size_t)>& room,
                         const std::function<void(const char*, std::size_t, std::size_t)>& sink);

/// Sends a files/read request and splits the answer into the content and the rest (statuses
/// >= 400 throw as for callJson). `on_body` (optional) hears the answer arrive.
ReadAnswer readAnswer(ClientCore& core, SandboxState& state, const std::string& path,
                      const ReadFileOptions& options, const CancelToken& cancel,
                      const BodyProgress* on_body = nullptr);

} // namespace sockt::detail
