// The JSON member walker (core/wire/src/plain_members.*), differential against nlohmann: when the
// walk vouches for its answer, the text up to the index it returns parses exactly when the text
// with the found values cut out parses, to the same object but those values, and each found span
// holds what the parser reads for that key (plain_members.cpp explains why this must hold).
#include "wire/plain_members.hpp"
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

using sockt::json::PlainMember;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    // The keys the client (files/read) and the server (files/write) look for.
    PlainMember wanted[] = {{"content"}, {"content_b64"}};
    const auto end = sockt::json::findPlainMembers(text, wanted);
    if (!end)
        return 0;
    if (*end == 0 || *end > size || text[*end - 1] != '}')
        std::abort();
    const PlainMember* first = nullptr; // the spans in text order, to cut them out
    const PlainMember* second = nullptr;
    for (const auto& m : wanted) {
        if (!m.found())
            continue;
        if (m.begin == 0 || m.begin > m.end || m.end >= *end || text[m.begin - 1] != '"' ||
            text[m.end] != '"')
            std::abort();
        (first == nullptr ? first : second) = &m;
    }
    if (first && second && second->begin < first->begin)
        std::swap(first, second);

    const std::string_view object = text.substr(0, *end);
    std::string cut;
    std::size_t at = 0;
    for (const PlainMember* m : {first, second}) {
        if (m == nullptr)
            continue;
        cut.append(object.substr(at, m->begin - at));
        at = m->end;
    }
    cut.append(object.substr(at));

    nlohmann::json whole = nlohmann::json::parse(object, nullptr, false);
    nlohmann::json rest = nlohmann::json::parse(cut, nullptr, false);
    if (whole.is_discarded() != rest.is_discarded())
        std::abort();
    if (whole.is_discarded())
        return 0;
    if (!whole.is_object() || !rest.is_object())
        std::abort();
    for (const auto& m : wanted) {
        const std::string key(m.key);
        auto w = whole.find(key);
        if (m.found()) {
            auto r = rest.find(key);
            if (w == whole.end() || !w->is_string() || r == rest.end() || *r != "" ||
                w->get<std::string>() != text.substr(m.begin, m.end - m.begin))
                std::abort();
        } else if (w != whole.end() && w->is_string()) {
            std::abort(); // a string value the walk vouched was not there
        }
        whole.erase(key);
        rest.erase(key);
    }
    if (whole != rest)
        std::abort();
    return 0;
}
