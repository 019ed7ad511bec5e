// Undelivered exec output (docs/protocol.md §4.3, §4.5): ordered chunks with their stream and a
// sequence number, ≤ 64 KiB each, adjacent same-stream chunks merged until one is sent, at most
// 16 MiB kept — beyond that the oldest bytes are dropped and a stderr marker chunk stands where
// they were. Not thread-safe (Execution guards it).
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
    std::int64_t seq = 0; // 1, 2, … in buffer order (§4.5)
    bool sent = false;    // handed out by a replay poll: its text is fixed from then on
};

class OutputBuffer {
public:
    explicit OutputBuffer(std::size_t cap_bytes);
    void append(bool is_stderr, const std::string& text);
    /// Removes and returns everything (a destructive poll, §4.3).
    std::vector<OutputChunk> take();
    /// A replay poll (§4.5): frees the chunks up to `acked` and returns copies of the rest, which
    /// stay until a later poll acknowledges them. `*freed` (if given) tells whether any went.
    std::vector<OutputChunk> since(std::int64_t acked, bool* freed = nullptr);
    /// Whether a chunk after `acked` is buffered.
    bool hasAfter(std::int64_t acked) const {
        return !chunks_.empty() && chunks_.back().seq > acked;
    }
    bool empty() const { return chunks_.empty(); }
    std::size_t bytes() const { return bytes_; }

    /// [{"stream","chunk","seq"}…] of `chunks`.
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
    std::int64_t next_seq_ = 1;
};

} // namespace sockt::server
