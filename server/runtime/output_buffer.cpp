#include "runtime/output_buffer.hpp"

#include "runtime/utf8_decoder.hpp"
#include "sockt/protocol.hpp"

namespace sockt::server {

OutputBuffer::OutputBuffer(std::size_t cap_bytes) : cap_(cap_bytes) {}

std::string OutputBuffer::markerText(std::int64_t dropped) {
    return "[sockt: output truncated, " + std::to_string(dropped) + " bytes dropped]\n";
}

void OutputBuffer::append(bool is_stderr, const std::string& text) {
    constexpr std::size_t kMax = protocol::kMaxChunkBytes;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::string_view rest(text.data() + pos, text.size() - pos);
        OutputChunk* back = chunks_.empty() ? nullptr : &chunks_.back();
        if (back && !back->marker && back->is_stderr == is_stderr && back->text.size() < kMax) {
            std::size_t n = utf8Boundary(rest, kMax - back->text.size());
            if (n > 0) {
                back->text.append(rest.data(), n);
                bytes_ += n;
                pos += n;
                continue;
            }
        }
        std::size_t n = utf8Boundary(rest, kMax);
        if (n == 0)
            n = std::min(rest.size(), kMax); // only reachable with invalid input; never loop
        chunks_.push_back({is_stderr, std::string(rest.substr(0, n)), false});
        bytes_ += n;
        pos += n;
    }
    enforceCap();
}

void OutputBuffer::enforceCap() {
    if (bytes_ <= cap_)
        return;
    std::size_t excess = bytes_ - cap_;
    std::size_t first = (!chunks_.empty() && chunks_.front().marker) ? 1 : 0;
    while (excess > 0 && first < chunks_.size()) {
        OutputChunk& c = chunks_[first];
        if (c.text.size() <= excess) {
            excess -= c.text.size();
            bytes_ -= c.text.size();
            dropped_ += static_cast<std::int64_t>(c.text.size());
            chunks_.erase(chunks_.begin() + static_cast<std::ptrdiff_t>(first));
            continue;
        }
        // Cut at the next character boundary at or after `excess` bytes.
        std::size_t cut = excess;
        while (cut < c.text.size() && (static_cast<unsigned char>(c.text[cut]) & 0xC0) == 0x80)
            ++cut;
        c.text.erase(0, cut);
        bytes_ -= cut;
        dropped_ += static_cast<std::int64_t>(cut);
        excess = 0;
    }
    // One marker at the front says how much is gone in total since the last delivery.
    if (first == 1)
        chunks_.front().text = markerText(dropped_);
    else
        chunks_.push_front({true, markerText(dropped_), true});
}

std::vector<OutputChunk> OutputBuffer::take() {
    std::vector<OutputChunk> out(std::make_move_iterator(chunks_.begin()),
                                 std::make_move_iterator(chunks_.end()));
    chunks_.clear();
    bytes_ = 0;
    dropped_ = 0;
    return out;
}

OJson OutputBuffer::toJson(const std::vector<OutputChunk>& chunks) {
    OJson arr = OJson::array();
    for (const auto& c : chunks) {
        OJson item;
        item["stream"] = c.is_stderr ? "stderr" : "stdout";
        item["chunk"] = c.text;
        arr.push_back(std::move(item));
    }
    return arr;
}

OJson OutputBuffer::snapshot() const {
    OJson arr = OJson::array();
    for (const auto& c : chunks_) {
        OJson item;
        item["stream"] = c.is_stderr ? "stderr" : "stdout";
        item["chunk"] = c.text;
        if (c.marker)
            item["marker"] = true;
        arr.push_back(std::move(item));
    }
    return arr;
}

void OutputBuffer::restore(const OJson& chunks) {
    chunks_.clear();
    bytes_ = 0;
    if (!chunks.is_array())
        return;
    for (const auto& item : chunks) {
        if (!item.is_object() || !item.contains("chunk") || !item["chunk"].is_string())
            continue;
        OutputChunk c{item.value("stream", "stdout") == "stderr", item["chunk"].get<std::string>(),
                      item.value("marker", false)};
        if (!c.marker)
            bytes_ += c.text.size();
        chunks_.push_back(std::move(c));
    }
}

} // namespace sockt::server
