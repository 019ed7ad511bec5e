#include "billing/key_spec.hpp"

#include "billing/money.hpp"
#include "sockt/protocol.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace sockt::server {
namespace {

std::int64_t parseCents(const std::string& text) {
    const std::string bad = "invalid CENTS in --api-key KEY:CENTS (expected e.g. 500 or 0.05)";
    auto dot = text.find('.');
    std::string whole = text.substr(0, dot);
    std::string frac = dot == std::string::npos ? "" : text.substr(dot + 1);
    if ((whole.empty() && frac.empty()) || frac.size() > 5)
        throw std::invalid_argument(bad);
    if (dot != std::string::npos && frac.empty())
        throw std::invalid_argument(bad);
    for (char c : whole + frac)
        if (!std::isdigit(static_cast<unsigned char>(c)))
            throw std::invalid_argument(bad);
    while (frac.size() < 5)
        frac.push_back('0');
    // Leading zeros aside, more than 13 digits is over kMaxCents (and could overflow stoll).
    whole.erase(0, std::min(whole.find_first_not_of('0'), whole.size()));
    const auto subcents = whole.size() > 13 ? std::nullopt
                                            : subcentsOf(whole.empty() ? 0 : std::stoll(whole));
    const auto total = subcents ? checkedAdd(*subcents, std::stoll(frac)) : std::nullopt;
    if (!total || *total > *subcentsOf(kMaxCents))
        throw std::invalid_argument("CENTS in --api-key KEY:CENTS may be at most " +
                                    std::to_string(kMaxCents));
    return *total;
}

} // namespace

KeySpec parseKeySpec(const std::string& text) {
    KeySpec spec;
    auto colon = text.find(':');
    spec.key = text.substr(0, colon);
    if (spec.key.empty())
        throw std::invalid_argument("empty API key in --api-key");
    for (char c : spec.key)
        if (std::isspace(static_cast<unsigned char>(c)))
            throw std::invalid_argument("API keys must not contain whitespace");
    if (spec.key.rfind(protocol::kSandboxTokenPrefix, 0) == 0)
        throw std::invalid_argument("API keys must not start with sbx_ (that is a sandbox token)");
    if (colon != std::string::npos)
        spec.balance_subcents = parseCents(text.substr(colon + 1));
    return spec;
}

std::vector<KeySpec> parseKeySpecList(const std::string& text) {
    std::vector<KeySpec> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        auto comma = text.find(',', start);
        std::string item =
            text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        // Surrounding whitespace in an env list is a formatting slip, not part of a key.
        auto b = item.find_first_not_of(" \t");
        auto e = item.find_last_not_of(" \t");
        if (b != std::string::npos)
            out.push_back(parseKeySpec(item.substr(b, e - b + 1)));
        if (comma == std::string::npos)
            break;
        start = comma + 1;
    }
    return out;
}

} // namespace sockt::server
