#include "json/fast_parse.hpp"

#include "wire/utf8.hpp"

#include <charconv>
#include <cstdint>
#include <cstring>
#include <string>

namespace sockt::json {

namespace {

/// Reads one value of the fast subset; false means "not in the subset or not JSON": the caller
/// then lets nlohmann judge the whole text (which also yields nlohmann's error behaviour).
class FastReader {
public:
    FastReader(const char* begin, const char* end) : p_(begin), end_(end) {}

    bool value(Json& out, int depth) {
        skipSpace();
        if (p_ == end_)
            return false;
        switch (*p_) {
        case '{':
            return object(out, depth + 1);
        case '[':
            return array(out, depth + 1);
        case '"': {
            std::string s;
            if (!string(s))
                return false;
            out = std::move(s);
            return true;
        }
        case 't':
            return literal("true", out, Json(true));
        case 'f':
            return literal("false", out, Json(false));
        case 'n':
            return literal("null", out, Json(nullptr));
        default:
            return number(out);
        }
    }

    /// True when only whitespace is left.
    bool atEnd() {
        skipSpace();
        return p_ == end_;
    }

private:
    void skipSpace() {
        while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t'))
            ++p_;
    }

    bool take(char c) {
        skipSpace();
        if (p_ == end_ || *p_ != c)
            return false;
        ++p_;
        return true;
    }

    /// A string; p_ is on its opening quote. Plain runs (printable ASCII) are copied whole;
    /// escapes are decoded and other bytes must form valid UTF-8, as nlohmann requires.
    bool string(std::string& out) {
        const char* run = ++p_;
        out.clear();
        while (p_ != end_) {
            const auto c = static_cast<unsigned char>(*p_);
            if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
                ++p_;
                continue;
            }
            out.append(run, static_cast<std::size_t>(p_ - run));
            if (c == '"') {
                ++p_;
                return true;
            }
            if (c == '\\') {
                if (!escape(out))
                    return false;
            } else if (c < 0x20 || !utf8(out)) {
                return false; // a raw control character, or bytes that are not UTF-8
            }
            run = p_;
        }
        return false;
    }

    /// One escape sequence; p_ is on the backslash.
    bool escape(std::string& out) {
        if (++p_ == end_)
            return false;
        const char c = *p_++;
        switch (c) {
        case '"':
        case '\\':
        case '/':
            out.push_back(c);
            return true;
        case 'b':
            out.push_back('\b');
            return true;
        case 'f':
            out.push_back('\f');
            return true;
        case 'n':
            out.push_back('\n');
            return true;
        case 'r':
            out.push_back('\r');
            return true;
        case 't':
            out.push_back('\t');
            return true;
        case 'u':
            break;
        default:
            return false;
        }
        std::uint32_t cp = 0;
        if (!hex4(cp))
            return false;
        if (cp >= 0xDC00 && cp <= 0xDFFF)
            return false; // a low surrogate without its high one
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            std::uint32_t low = 0;
            if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u')
                return false;
            p_ += 2;
            if (!hex4(low) || low < 0xDC00 || low > 0xDFFF)
                return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        }
        appendUtf8(out, cp);
        return true;
    }

    bool hex4(std::uint32_t& cp) {
        if (end_ - p_ < 4)
            return false;
        for (int i = 0; i < 4; ++i) {
            const char h = *p_++;
            cp <<= 4;
            if (h >= '0' && h <= '9')
                cp |= static_cast<std::uint32_t>(h - '0');
            else if (h >= 'a' && h <= 'f')
                cp |= static_cast<std::uint32_t>(h - 'a' + 10);
            else if (h >= 'A' && h <= 'F')
                cp |= static_cast<std::uint32_t>(h - 'A' + 10);
            else
                return false;
        }
        return true;
    }

    static void appendUtf8(std::string& out, std::uint32_t cp) {
        if (cp < 0x80) {
            out.push_back(static_cast<char>(cp));
        } else if (cp < 0x800) {
            out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        } else if (cp < 0x10000) {
            out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        } else {
            out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        }
    }

    /// One UTF-8 sequence (wire/utf8.hpp's rules); p_ is on its lead byte, which is not ASCII.
    bool utf8(std::string& out) {
        const std::size_t length = utf8::validSequenceAt(reinterpret_cast<const unsigned char*>(p_),
                                                          static_cast<std::size_t>(end_ - p_));
        if (length == 0)
            return false;
        out.append(p_, length);
        p_ += length;
        return true;
    }

    bool literal(const char* word, Json& out, Json value) {
        const std::size_t n = std::strlen(word);
        if (static_cast<std::size_t>(end_ - p_) < n || std::memcmp(p_, word, n) != 0)
            return false;
        p_ += n;
        out = std::move(value);
        return true;
    }

    bool digits() {
        const char* start = p_;
        while (p_ != end_ && *p_ >= '0' && *p_ <= '9')
            ++p_;
        return p_ != start;
    }

    /// RFC 8259 number syntax; values nlohmann would widen (an integer beyond 64 bits) or
    /// saturate (a float out of range) leave the subset.
    bool number(Json& out) {
        const char* start = p_;
        const bool negative = *p_ == '-';
        if (negative)
            ++p_;
        if (p_ == end_ || *p_ < '0' || *p_ > '9')
            return false;
        if (*p_ == '0')
            ++p_; // no leading zeros: "01" stops after the 0 and fails at its caller
        else
            digits();
        bool integral = true;
        if (p_ != end_ && *p_ == '.') {
            ++p_;
            integral = false;
            if (!digits())
                return false;
        }
        if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
            ++p_;
            integral = false;
            if (p_ != end_ && (*p_ == '+' || *p_ == '-'))
                ++p_;
            if (!digits())
                return false;
        }
        if (integral && negative)
            return convert<std::int64_t>(start, out);
        if (integral)
            return convert<std::uint64_t>(start, out);
        return convert<double>(start, out);
    }

    template <class T> bool convert(const char* start, Json& out) {
        T v{};
        const auto r = std::from_chars(start, p_, v);
        if (r.ec != std::errc() || r.ptr != p_)
            return false;
        out = v;
        return true;
    }

    bool object(Json& out, int depth) {
        if (depth > kMaxFastDepth)
            return false;
        ++p_;
        out = Json::object();
        auto& members = out.get_ref<Json::object_t&>();
        if (take('}'))
            return true;
        while (true) {
            std::string key;
            skipSpace();
            if (p_ == end_ || *p_ != '"' || !string(key) || !take(':'))
                return false;
            Json v;
            if (!value(v, depth))
                return false;
            // The last of duplicate keys wins, as in nlohmann's parser.
            members.insert_or_assign(std::move(key), std::move(v));
            if (take(','))
                continue;
            return take('}');
        }
    }

    bool array(Json& out, int depth) {
        if (depth > kMaxFastDepth)
            return false;
        ++p_;
        out = Json::array();
        auto& items = out.get_ref<Json::array_t&>();
        if (take(']'))
            return true;
        while (true) {
            Json v;
            if (!value(v, depth))
                return false;
            items.push_back(std::move(v));
            if (take(','))
                continue;
            return take(']');
        }
    }

    const char* p_;
    const char* end_;
};

} // namespace

Json parseAnswer(std::string_view text) {
    FastReader reader(text.data(), text.data() + text.size());
    Json value;
    if (reader.value(value, 0) && reader.atEnd())
        return value;
    return Json::parse(text.begin(), text.end(), nullptr, false);
}

} // namespace sockt::json
