#include "common/utf8.hpp"

#include "wire/utf8.hpp"

namespace sockt::server {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

using utf8::sequenceLength;
using utf8::validSecond;

/// Decodes `in`; stops before an incomplete-but-valid trailing sequence and returns its offset.
std::size_t decodeInto(std::string_view in, std::string& out) {
    std::size_t i = 0;
    while (i < in.size()) {
        auto lead = static_cast<unsigned char>(in[i]);
        if (lead < 0x80) {
            // Fast path for ASCII runs.
            std::size_t j = i;
            while (j < in.size() && static_cast<unsigned char>(in[j]) < 0x80)
                ++j;
            out.append(in.data() + i, j - i);
            i = j;
            continue;
        }
        int len = sequenceLength(lead);
        if (len == 0) {
            out += kReplacement;
            ++i;
            continue;
        }
        int have = 1;
        bool bad = false;
        while (have < len) {
            if (i + have >= in.size())
                return i; // incomplete: wait for more bytes
            auto b = static_cast<unsigned char>(in[i + have]);
            bool ok = have == 1 ? validSecond(lead, b) : (b >= 0x80 && b <= 0xBF);
            if (!ok) {
                bad = true;
                break;
            }
            ++have;
        }
        if (bad) {
            out += kReplacement; // the maximal invalid subpart; the offending byte is re-read
            i += static_cast<std::size_t>(have);
            continue;
        }
        out.append(in.data() + i, static_cast<std::size_t>(len));
        i += static_cast<std::size_t>(len);
    }
    return i;
}

} // namespace

std::string Utf8Decoder::feed(std::string_view bytes) {
    std::string input;
    std::string_view view = bytes;
    if (!pending_.empty()) {
        input = pending_;
        input.append(bytes.data(), bytes.size());
        view = input;
    }
    std::string out;
    out.reserve(view.size());
    std::size_t used = decodeInto(view, out);
    pending_.assign(view.data() + used, view.size() - used);
    return out;
}

std::string Utf8Decoder::finish() {
    if (pending_.empty())
        return {};
    pending_.clear();
    return std::string(kReplacement);
}

std::string Utf8Decoder::decode(std::string_view bytes, bool drop_incomplete_tail) {
    std::string out;
    out.reserve(bytes.size());
    std::size_t used = decodeInto(bytes, out);
    if (used < bytes.size() && !drop_incomplete_tail)
        out += kReplacement;
    return out;
}

std::size_t utf8Boundary(std::string_view text, std::size_t max) {
    if (max >= text.size())
        return text.size();
    std::size_t n = max;
    while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80)
        --n;
    return n;
}

} // namespace sockt::server
