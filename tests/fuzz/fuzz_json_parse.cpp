// The client's answer parser (core/src/json/fast_parse.*), differential against nlohmann: for
// every input it must give what `Json::parse(text, nullptr, false)` gives, with the same number
// types and a discarded value for the same inputs.
#include "json/fast_parse.hpp"
#include "same_json.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const sockt::Json expected = sockt::Json::parse(text.begin(), text.end(), nullptr, false);
    if (!sameJson(sockt::json::parseAnswer(text), expected))
        std::abort();
    return 0;
}
