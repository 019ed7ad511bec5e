// Incremental UTF-8 → valid UTF-8 text (docs/protocol.md §4.3, §5.2, §6.3): invalid sequences
// become U+FFFD (one per maximal invalid subpart, as WHATWG/Unicode recommend), and a multi-byte
// character cut by a read boundary is held back until the rest arrives, so text is never split
// inside a character.
#pragma once

#include <string>
#include <string_view>

namespace sockt::server {

class Utf8Decoder {
public:
    /// Decodes `bytes` appended to what was held back; returns the complete text so far.
    std::string feed(std::string_view bytes);
    /// End of input: a held-back incomplete sequence becomes U+FFFD.
    std::string finish();
    /// Bytes currently held back (0…3).
    std::size_t pending() const { return pending_.size(); }

    /// One-shot decode. `drop_incomplete_tail`: a truncated final sequence is dropped instead of
    /// replaced (file reads cut by max_bytes, §5.2).
    static std::string decode(std::string_view bytes, bool drop_incomplete_tail);

private:
    std::string pending_;
};

/// The largest n ≤ max such that text[0, n) does not end inside a UTF-8 character (text valid).
std::size_t utf8Boundary(std::string_view text, std::size_t max);

} // namespace sockt::server
