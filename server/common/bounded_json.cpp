// A recursive-descent parser over the body's bytes. Every byte is looked at a bounded number of
// times; the only step that is not linear, ordering an object's keys to find repeated ones, is
// O(k log k) on at most kMaxValues keys of at most kMaxKeyBytes each. Recursion is bounded by
// kMaxDepth, and the document holds at most kMaxValues values plus the body's own bytes.
#include "common/bounded_json.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <numeric>
#include <vector>

namespace sockt::server {
namespace {

using Members = OJson::object_t::Container; // the vector under nlohmann's ordered_map

const std::string kLimitsHint =
    "request bodies may nest arrays and objects " + std::to_string(JsonLimits::kMaxDepth) +
    " levels deep and hold " + std::to_string(JsonLimits::kMaxValues) +
    " members and elements in all, keys of up to " + std::to_string(JsonLimits::kMaxKeyBytes) +
    " bytes and numbers of up to " + std::to_string(JsonLimits::kMaxNumberChars) + " characters";

/// True for bytes a JSON string holds as they are: printable ASCII but '"' and '\\'.
bool plainByte(unsigned char c) {
    return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

/// The first byte at or after `p` (before `end`) that is not plainByte. Fixed blocks let the
/// compiler vectorize the test: a long base64 value is nothing but such bytes.
const char* skipPlain(const char* p, const char* end) {
    constexpr std::ptrdiff_t kBlock = 32;
    while (end - p >= kBlock) {
        unsigned bad = 0;
        for (std::ptrdiff_t k = 0; k < kBlock; ++k) {
            const auto c = static_cast<unsigned char>(p[k]);
            bad |= static_cast<unsigned>((c < 0x20) | (c >= 0x80) | (c == '"') | (c == '\\'));
        }
        if (bad)
            break;
        p += kBlock;
    }
    while (p < end && plainByte(static_cast<unsigned char>(*p)))
        ++p;
    return p;
}

/// Length of the well-formed UTF-8 sequence (RFC 3629: no overlong forms, no surrogates, nothing
/// above U+10FFFF) that starts at `p` with a byte ≥ 0x80, or 0.
std::size_t utf8Sequence(const unsigned char* p, const unsigned char* end) {
    auto cont = [&](std::size_t i, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
        return end - p > static_cast<std::ptrdiff_t>(i) && p[i] >= lo && p[i] <= hi;
    };
    const unsigned char c = p[0];
    if (c >= 0xC2 && c <= 0xDF)
        return cont(1) ? 2 : 0;
    if (c == 0xE0)
        return cont(1, 0xA0) && cont(2) ? 3 : 0;
    if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF)
        return cont(1) && cont(2) ? 3 : 0;
    if (c == 0xED)
        return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0;
    if (c == 0xF0)
        return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
    if (c >= 0xF1 && c <= 0xF3)
        return cont(1) && cont(2) && cont(3) ? 4 : 0;
    if (c == 0xF4)
        return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0;
    return 0;
}

void appendUtf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

/// nlohmann keeps a repeated key where it first appeared, with the value it was given last. The
/// keys are ordered (ties by position) rather than hashed, so no choice of keys can make this
/// slower than O(k log k) comparisons.
void mergeRepeatedKeys(Members& members) {
    const std::size_t n = members.size();
    if (n < 2)
        return;
    std::vector<std::uint32_t> order(n);
    std::iota(order.begin(), order.end(), 0u);
    std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
        const int c = members[a].first.compare(members[b].first);
        return c < 0 || (c == 0 && a < b);
    });
    std::vector<bool> dropped(n, false);
    bool any = false;
    for (std::size_t run = 0; run < n;) {
        std::size_t next = run + 1;
        while (next < n && members[order[next]].first == members[order[run]].first)
            ++next;
        if (next - run > 1) {
            any = true;
            members[order[run]].second = std::move(members[order[next - 1]].second);
            for (std::size_t k = run + 1; k < next; ++k)
                dropped[order[k]] = true;
        }
        run = next;
    }
    if (!any)
        return;
    Members kept;
    kept.reserve(n);
    for (std::size_t i = 0; i < n; ++i)
        if (!dropped[i])
            kept.emplace_back(members[i].first, std::move(members[i].second));
    members.swap(kept);
}

class Parser {
public:
    explicit Parser(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}

    ParsedBody run() {
        ParsedBody out;
        if (end_ - p_ >= 3 && std::memcmp(p_, "\xEF\xBB\xBF", 3) == 0)
            p_ += 3; // a byte order mark, which nlohmann skips too
        space();
        if (!value(out.value, 0)) {
            out.outcome = failure_.empty() ? ParsedBody::Outcome::Malformed
                                           : ParsedBody::Outcome::OverLimit;
            out.message = std::move(failure_);
            out.value = nullptr;
            return out;
        }
        space();
        // nlohmann's lexer takes a NUL byte for the end of the input (a C string's end), so it
        // ignores whatever follows one after the document; so do we.
        if (p_ != end_ && *p_ != '\0') {
            out.value = nullptr;
            return out; // trailing bytes: Malformed
        }
        out.outcome = ParsedBody::Outcome::Ok;
        return out;
    }

private:
    bool syntax() { return false; }
    bool limit(std::string message) {
        failure_ = std::move(message);
        return false;
    }
    bool countValue() {
        if (++values_ <= JsonLimits::kMaxValues)
            return true;
        return limit("the JSON body holds more than " + std::to_string(JsonLimits::kMaxValues) +
                     " object members and array elements; send fewer values, or split the "
                     "request into several");
    }

    void space() {
        while (p_ < end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r'))
            ++p_;
    }

    bool value(OJson& out, int depth) {
        if (p_ >= end_)
            return syntax();
        switch (*p_) {
        case '{':
        case '[':
            if (depth >= JsonLimits::kMaxDepth)
                return limit("the JSON body nests arrays and objects more than " +
                             std::to_string(JsonLimits::kMaxDepth) +
                             " levels deep; send a flatter body");
            return *p_ == '{' ? object(out, depth + 1) : array(out, depth + 1);
        case '"': {
            std::string text;
            if (!string(text, false))
                return false;
            out = std::move(text);
            return true;
        }
        case 't':
            return literal("true", out, OJson(true));
        case 'f':
            return literal("false", out, OJson(false));
        case 'n':
            return literal("null", out, OJson(nullptr));
        default:
            return number(out);
        }
    }

    bool literal(std::string_view word, OJson& out, OJson value) {
        if (static_cast<std::size_t>(end_ - p_) < word.size() ||
            std::memcmp(p_, word.data(), word.size()) != 0)
            return syntax();
        p_ += word.size();
        out = std::move(value);
        return true;
    }

    bool object(OJson& out, int depth) {
        ++p_;
        out = OJson(OJson::value_t::object);
        auto& members = static_cast<Members&>(out.get_ref<OJson::object_t&>());
        space();
        if (p_ < end_ && *p_ == '}') {
            ++p_;
            return true;
        }
        for (;;) {
            if (p_ >= end_ || *p_ != '"')
                return syntax();
            if (!countValue())
                return false;
            std::string key;
            if (!string(key, true))
                return false;
            space();
            if (p_ >= end_ || *p_ != ':')
                return syntax();
            ++p_;
            space();
            OJson item;
            if (!value(item, depth))
                return false;
            members.emplace_back(std::move(key), std::move(item));
            bool more = false;
            if (!separator('}', more))
                return false;
            if (!more)
                break;
        }
        mergeRepeatedKeys(members);
        return true;
    }

    bool array(OJson& out, int depth) {
        ++p_;
        out = OJson(OJson::value_t::array);
        auto& items = out.get_ref<OJson::array_t&>();
        space();
        if (p_ < end_ && *p_ == ']') {
            ++p_;
            return true;
        }
        for (;;) {
            if (!countValue())
                return false;
            items.emplace_back();
            bool more = false;
            if (!value(items.back(), depth) || !separator(']', more))
                return false;
            if (!more)
                return true;
        }
    }

    /// After a member or element: a ',' (`more`) or the closing bracket, each skipped.
    bool separator(char close, bool& more) {
        space();
        more = p_ < end_ && *p_ == ',';
        if (p_ >= end_ || (!more && *p_ != close))
            return syntax();
        ++p_;
        space();
        return true;
    }

    /// `p_` is at the opening quote. A key longer than kMaxKeyBytes (as sent) stops the parse as
    /// soon as that many bytes were seen.
    bool string(std::string& out, bool is_key) {
        const char* start = ++p_;
        const char* segment = start; // bytes since the last escape, copied as they are
        const char* scan_end = end_;
        if (is_key && static_cast<std::size_t>(end_ - start) > JsonLimits::kMaxKeyBytes)
            scan_end = start + JsonLimits::kMaxKeyBytes + 1;
        for (;;) {
            p_ = skipPlain(p_, scan_end);
            if (is_key && static_cast<std::size_t>(p_ - start) > JsonLimits::kMaxKeyBytes)
                return limit("the JSON body has an object key longer than " +
                             std::to_string(JsonLimits::kMaxKeyBytes) +
                             " bytes; use shorter keys");
            if (p_ >= end_)
                return syntax();
            const auto c = static_cast<unsigned char>(*p_);
            if (c == '"') {
                out.append(segment, p_);
                ++p_;
                return true;
            }
            if (c == '\\') {
                out.append(segment, p_);
                if (!escape(out))
                    return false;
                segment = p_;
                continue;
            }
            if (c < 0x20)
                return syntax(); // a control character must be escaped
            const auto n = utf8Sequence(reinterpret_cast<const unsigned char*>(p_),
                                        reinterpret_cast<const unsigned char*>(end_));
            if (n == 0)
                return syntax();
            p_ += n;
        }
    }

    bool hex4(unsigned& out) {
        if (end_ - p_ < 4)
            return syntax();
        out = 0;
        for (int i = 0; i < 4; ++i) {
            const char c = *p_++;
            unsigned digit;
            if (c >= '0' && c <= '9')
                digit = static_cast<unsigned>(c - '0');
            else if (c >= 'a' && c <= 'f')
                digit = static_cast<unsigned>(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F')
                digit = static_cast<unsigned>(c - 'A' + 10);
            else
                return syntax();
            out = out * 16 + digit;
        }
        return true;
    }

    /// `p_` is at a backslash.
    bool escape(std::string& out) {
        if (end_ - p_ < 2)
            return syntax();
        const char e = p_[1];
        p_ += 2;
        switch (e) {
        case '"':
        case '\\':
        case '/':
            out += e;
            return true;
        case 'b':
            out += '\b';
            return true;
        case 'f':
            out += '\f';
            return true;
        case 'n':
            out += '\n';
            return true;
        case 'r':
            out += '\r';
            return true;
        case 't':
            out += '\t';
            return true;
        case 'u':
            break;
        default:
            return syntax();
        }
        unsigned cp = 0;
        if (!hex4(cp))
            return false;
        if (cp >= 0xDC00 && cp <= 0xDFFF)
            return syntax(); // a low surrogate alone
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            unsigned low = 0;
            if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u')
                return syntax();
            p_ += 2;
            if (!hex4(low))
                return false;
            if (low < 0xDC00 || low > 0xDFFF)
                return syntax();
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        }
        appendUtf8(out, cp);
        return true;
    }

    bool digits() {
        if (p_ >= end_ || *p_ < '0' || *p_ > '9')
            return syntax();
        while (p_ < end_ && *p_ >= '0' && *p_ <= '9')
            ++p_;
        return true;
    }

    /// RFC 8259 §6 numbers, typed as nlohmann types them: integers without fraction or exponent
    /// are unsigned (or signed with a minus) while they fit 64 bits, everything else a double.
    bool number(OJson& out) {
        const char* start = p_;
        const bool negative = *p_ == '-';
        if (negative)
            ++p_;
        if (p_ < end_ && *p_ == '0')
            ++p_;
        else if (!digits())
            return false;
        bool integral = true;
        if (p_ < end_ && *p_ == '.') {
            integral = false;
            ++p_;
            if (!digits())
                return false;
        }
        if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
            integral = false;
            ++p_;
            if (p_ < end_ && (*p_ == '+' || *p_ == '-'))
                ++p_;
            if (!digits())
                return false;
        }
        const auto length = static_cast<std::size_t>(p_ - start);
        if (length > JsonLimits::kMaxNumberChars)
            return limit("the JSON body has a number longer than " +
                         std::to_string(JsonLimits::kMaxNumberChars) +
                         " characters; send a shorter number");
        char text[JsonLimits::kMaxNumberChars + 1];
        std::memcpy(text, start, length);
        text[length] = '\0';
        char* stop = nullptr;
        if (integral) {
            errno = 0;
            if (negative) {
                const long long v = std::strtoll(text, &stop, 10);
                if (errno == 0 && stop == text + length) {
                    out = static_cast<std::int64_t>(v);
                    return true;
                }
            } else {
                const unsigned long long v = std::strtoull(text, &stop, 10);
                if (errno == 0 && stop == text + length) {
                    out = static_cast<std::uint64_t>(v);
                    return true;
                }
            }
        }
        const double v = std::strtod(text, &stop);
        if (stop != text + length || !std::isfinite(v))
            return syntax(); // nlohmann refuses a number that overflows a double
        out = v;
        return true;
    }

    const char* p_;
    const char* end_;
    std::size_t values_ = 0;
    std::string failure_; // the passed limit's message; empty for a syntax error
};

} // namespace

ApiError ParsedBody::error() const {
    if (outcome == Outcome::OverLimit)
        return ApiError("invalid_params", message, kLimitsHint);
    return ApiError("invalid_params", "malformed JSON body");
}

ParsedBody parseBoundedJson(std::string_view text) {
    return Parser(text).run();
}

} // namespace sockt::server
