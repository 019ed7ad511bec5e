#include "runtime/output_buffer.hpp"

#include "common/utf8.hpp"
#include "sockt/protocol.hpp"

#include <algorithm>

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
        if (back && !back->marker && !back->sent && back->is_stderr == is_stderr &&
            back->text.size() < kMax) {
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
        chunks_.push_back({is_stderr, std::string(rest.substr(0, n)), false, next_seq_++});
        bytes_ += n;
        pos += n;
    }
    enforceCap();
}

void OutputBuffer::enforceCap() {
    if (bytes_ <= cap_)
        return;
    std::size_t excess = bytes_ - cap_;
    // An unsent marker at the front is updated in place; a sent one is dropped like the text.
    std::size_t first = (!chunks_.empty() && chunks_.front().marker && !chunks_.front().sent);
    std::int64_t last_dropped_seq = first ? chunks_.front().seq : 0;
    while (excess > 0 && first < chunks_.size()) {
        OutputChunk& c = chunks_[first];
        if (c.marker || c.sent || c.text.size() <= excess) {
            if (!c.marker) {
                std::size_t n = std::min(c.text.size(), excess);
                excess -= n;
                bytes_ -= c.text.size();
                dropped_ += static_cast<std::int64_t>(c.text.size());
            }
            last_dropped_seq = c.seq;
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
    // One marker at the front says how much is gone in total since the last delivery; it takes
    // the number of the last chunk it replaces, so numbers stay in buffer order.
    if (first == 1) {
        chunks_.front().text = markerText(dropped_);
        chunks_.front().seq = last_dropped_seq;
    } else {
        std::int64_t seq = last_dropped_seq > 0 ? last_dropped_seq
                           : chunks_.empty()    ? next_seq_++
                                                : chunks_.front().seq;
        chunks_.push_front({true, markerText(dropped_), true, seq});
    }
}

std::vector<OutputChunk> OutputBuffer::take() {
    std::vector<OutputChunk> out(std::make_move_iterator(chunks_.begin()),
                                 std::make_move_iterator(chunks_.end()));
    chunks_.clear();
    bytes_ = 0;
    dropped_ = 0;
    return out;
}

std::vector<OutputChunk> OutputBuffer::since(std::int64_t acked, bool* freed) {
    bool any = false;
    while (!chunks_.empty() && chunks_.front().seq <= acked) {
        if (chunks_.front().marker)
            dropped_ = 0; // the client has seen how much was lost
        else
            bytes_ -= chunks_.front().text.size();
        chunks_.pop_front();
        any = true;
    }
    if (freed)
        *freed = any;
    for (auto& c : chunks_)
        c.sent = true;
    return {chunks_.begin(), chunks_.end()};
}

namespace {

// One chunk as the poll answer of docs/protocol.md §4.3 carries it.
OJson chunkJson(const OutputChunk& c) {
    OJson item;
    item["stream"] = c.is_stderr ? "stderr" : "stdout";
    item["chunk"] = c.text;
    item["seq"] = c.seq;
    return item;
}

} // namespace

OJson OutputBuffer::toJson(const std::vector<OutputChunk>& chunks) {
    OJson arr = OJson::array();
    for (const auto& c : chunks)
        arr.push_back(chunkJson(c));
    return arr;
}

OJson OutputBuffer::snapshot() const {
    OJson arr = OJson::array();
    for (const auto& c : chunks_) {
        OJson item = chunkJson(c);
        if (c.marker)
            item["marker"] = true;
        if (c.sent)
            item["sent"] = true;
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
        // Records written before §4.5 carry no numbers: number them in order.
        std::int64_t seq = item.value("seq", std::int64_t{0});
        OutputChunk c{item.value("stream", "stdout") == "stderr", item["chunk"].get<std::string>(),
                      item.value("marker", false), seq > 0 ? seq : next_seq_,
                      item.value("sent", false)};
        next_seq_ = std::max(next_seq_, c.seq + 1);
        if (!c.marker)
            bytes_ += c.text.size();
        chunks_.push_back(std::move(c));
    }
}

} // namespace sockt::server
