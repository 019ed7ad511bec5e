// What a shell client's data message asks for (docs/protocol.md §6.2), decoded apart from the PTY
// so the decoding of untrusted frames can be tested and fuzzed on its own.
#pragma once

#include <string>

namespace sockt::server {

struct ClientMessage {
    enum class Kind { Ignore, Input, Resize };
    Kind kind = Kind::Ignore;
    std::string input; // Input: the bytes for the PTY
    int cols = 0;      // Resize: 1..10000 each
    int rows = 0;
};

/// A binary message is raw input; a text message is `{"type":"input","data":…}` or
/// `{"type":"resize","cols":…,"rows":…}`; anything else (not JSON, not an object, an unknown type,
/// a field of the wrong type, a size out of range) is ignored.
ClientMessage decodeClientMessage(bool binary, std::string payload);

} // namespace sockt::server
