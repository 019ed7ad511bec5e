// The client's answer parser (core/src/json/fast_parse.*), differential against nlohmann: for
// every input it must give what `Json::parse(text, nullptr, false)` gives, with the same number
// types and a discarded value for the same inputs.
#include "json/fast_parse.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {

bool same(const sockt::Json& a, const sockt::Json& b) {
    if (a.type() != b.type())
        return false;
    if (a.is_object()) {
        if (a.size() != b.size())
            return false;
        for (auto it = a.begin(); it != a.end(); ++it) {
            auto other = b.find(it.key());
            if (other == b.end() || !same(*it, *other))
                return false;
        }
        return true;
    }
    if (a.is_array()) {
        if (a.size() != b.size())
            return false;
        for (std::size_t i = 0; i < a.size(); ++i)
            if (!same(a[i], b[i]))
                return false;
        return true;
    }
    return a.is_discarded() || a == b;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const sockt::Json expected = sockt::Json::parse(text.begin(), text.end(), nullptr, false);
    if (!same(sockt::json::parseAnswer(text), expected))
        std::abort();
    return 0;
}
