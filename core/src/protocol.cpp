// Lookups over the protocol tables and credential redaction (docs/protocol.md §8, §3.2, §12).
#include "sockt/protocol.hpp"

#include <cctype>

namespace sockt::protocol {

const TierSpec* findTier(std::string_view name) {
    for (const auto& tier : kTiers) {
        if (tier.name == name)
            return &tier;
    }
    return nullptr;
}

// §12 rule 5: unknown statuses are not an error; waiting loops keep waiting on them.
StatusClass classifyStatus(std::string_view status) {
    if (status == "running")
        return StatusClass::Runnable;
    if (status == "pending" || status == "creating" || status == "starting" ||
        status == "provisioning")
        return StatusClass::Booting;
    if (status == "paused" || status == "awaiting_payment")
        return StatusClass::NeedsAction;
    if (status == "terminated" || status == "failed" || status == "error")
        return StatusClass::Final;
    return StatusClass::Unknown;
}

bool isTerminalExecutionStatus(std::string_view status) {
    return status != "running";
}

const SlugSpec* findSlug(std::string_view code) {
    for (const auto& slug : kSlugs) {
        if (slug.code == code)
            return &slug;
    }
    return nullptr;
}

std::string redact(std::string_view secret) {
    static constexpr std::string_view kEllipsis = "\xE2\x80\xA6"; // …
    if (secret.size() < 8)
        return std::string(kEllipsis);
    std::string out;
    for (auto prefix : {kApiKeyPrefix, kSandboxTokenPrefix}) {
        if (secret.substr(0, prefix.size()) == prefix) {
            out = std::string(prefix);
            break;
        }
    }
    out += kEllipsis;
    out += secret.substr(secret.size() - 4);
    return out;
}

std::string redactUrl(std::string_view text) {
    static constexpr std::string_view kKey = "sandbox_token=";
    std::string out;
    out.reserve(text.size());
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t hit = text.find(kKey, pos);
        if (hit == std::string_view::npos) {
            out.append(text.substr(pos));
            break;
        }
        // Only a parameter name: at the start or after '?', '&' or a non-identifier character.
        bool boundary = hit == 0 || !(std::isalnum(static_cast<unsigned char>(text[hit - 1])) ||
                                      text[hit - 1] == '_');
        std::size_t value_start = hit + kKey.size();
        out.append(text.substr(pos, value_start - pos));
        if (!boundary) {
            pos = value_start;
            continue;
        }
        std::size_t value_end = value_start;
        while (value_end < text.size()) {
            char c = text[value_end];
            if (c == '&' || c == '#' || c == ' ' || c == '"' || c == '\'' || c == '\n' ||
                c == '\r' || c == '\t' || c == ')' || c == ']' || c == '>')
                break;
            ++value_end;
        }
        out += redact(text.substr(value_start, value_end - value_start));
        pos = value_end;
    }
    return out;
}

} // namespace sockt::protocol
