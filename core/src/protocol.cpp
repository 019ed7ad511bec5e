// Lookups over the protocol tables and credential redaction (docs/protocol.md §8, §3.2, §12).
#include "sockt/protocol.hpp"

#include "sockt/errors.hpp"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

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

namespace {

[[noreturn]] void badDuration(std::string_view name, const char* expected, double got) {
    char number[32];
    std::snprintf(number, sizeof number, "%.17g", got);
    throw InvalidArgumentError(
        {std::string(name) + " must be " + expected + ", got " + number, "invalid_argument", 0});
}

} // namespace

std::string errorSlug(std::string_view body) {
    nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
    if (!j.is_object())
        return {};
    for (const char* key : {"code", "error"}) {
        auto it = j.find(key);
        if (it != j.end() && it->is_string() && !it->get_ref<const std::string&>().empty())
            return it->get<std::string>();
    }
    return {};
}

bool isPodStarting(int status, std::string_view body, std::string_view slug,
                   bool pod_unreachable_too) {
    if (status == 503)
        return body.find("starting") != std::string_view::npos;
    return pod_unreachable_too && status == 400 && slug == "pod_unreachable";
}

bool isHostError(int status, std::string_view slug) {
    return status == 502 || status == 503 || slug == "host_error" || slug == "pod_starting" ||
           slug == "pod_unreachable";
}

bool isNoEffectRetry(int status, std::string_view slug) {
    return (status == 503 && slug == "pod_starting") || (status == 400 && slug == "pod_unreachable");
}

milliseconds secondsArg(double seconds, std::string_view name) {
    if (!std::isfinite(seconds) || seconds < 0)
        badDuration(name, "a finite number of seconds >= 0", seconds);
    return milliseconds(static_cast<std::int64_t>(std::llround(seconds * 1000.0)));
}

milliseconds millisArg(double millis, std::string_view name) {
    if (!std::isfinite(millis) || millis < 0 || millis != std::floor(millis) ||
        millis > 9007199254740991.0)
        badDuration(name, "a positive integer (milliseconds) or 0", millis);
    return milliseconds(static_cast<std::int64_t>(millis));
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
