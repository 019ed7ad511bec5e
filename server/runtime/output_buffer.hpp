// Undelivered exec output (PROTOCOL.md §4.3): ordered chunks with their stream, ≤ 64 KiB each,
// adjacent same-stream chunks merged, at most 16 MiB kept — beyond that the oldest bytes are
// dropped and a stderr marker chunk stands where they were. Not thread-safe (Execution guards it).
#pragma once

#include "common/api_error.hpp"

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace sockt::server {

struct OutputChunk {
    bool is_stderr = false;
    std::string text; // valid UTF-8
    bool marker = false;
};

class OutputBuffer {
public:
    explicit OutputBuffer(std::size_t cap_bytes);
    void append(bool is_stderr, const std::string& text);
    /// Removes and returns everything (a destructive poll).
    std::vector<OutputChunk> take();
    bool empty() const { return chunks_.empty(); }
    std::size_t bytes() const { return bytes_; }

    /// [{"stream","chunk"}…] of `chunks`.
    static OJson toJson(const std::vector<OutputChunk>& chunks);
    /// The undelivered chunks (for persistence) and back.
    OJson snapshot() const;
    void restore(const OJson& chunks);

    static std::string markerText(std::int64_t dropped);

private:
    void enforceCap();

    std::size_t cap_;
    std::deque<OutputChunk> chunks_;
    std::size_t bytes_ = 0; // text bytes of non-marker chunks
    std::int64_t dropped_ = 0;
};

} // namespace sockt::server
