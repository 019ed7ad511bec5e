// Error envelope → SocktError (docs/protocol.md §3.1, §12 rule 8).
#include "http_errors.hpp"

#include "sockt/protocol.hpp"

#include "json/lenient.hpp"
#include "json/fast_parse.hpp"
#include <Poco/DateTime.h>
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeParser.h>
#include <Poco/Exception.h>
#include <Poco/Timestamp.h>
#include <cctype>
#include <cmath>
#include <cstdlib>

namespace sockt::detail {
namespace {

constexpr std::size_t kMaxMessageChars = 2000;

std::string trim(const std::string& s) {
    std::size_t b = 0;
    std::size_t e = s.size();
    while (b < e && std::isspace(static_cast<unsigned char>(s[b])))
        ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1])))
        --e;
    return s.substr(b, e - b);
}

Json parseObject(const std::string& body) {
    Json j = json::parseAnswer(body);
    return j.is_object() ? j : Json();
}

std::string textField(const Json& j, const char* key) {
    if (!j.is_object())
        return {};
    auto it = j.find(key);
    if (it == j.end() || !it->is_string())
        return {};
    return it->get<std::string>();
}

} // namespace

std::string slugOf(const HttpResponse& response) {
    Json j = parseObject(response.body);
    std::string slug = textField(j, "code");
    return slug.empty() ? textField(j, "error") : slug;
}

std::optional<double> parseRetryAfter(const std::string& raw) {
    std::string value = trim(raw);
    if (value.empty())
        return std::nullopt;
    char* end = nullptr;
    double seconds = std::strtod(value.c_str(), &end);
    if (end && *end == '\0') {
        if (!std::isfinite(seconds) || seconds < 0)
            return std::nullopt;
        return seconds;
    }
    try {
        int tzd = 0;
        Poco::DateTime when =
            Poco::DateTimeParser::parse(Poco::DateTimeFormat::HTTP_FORMAT, value, tzd);
        double delta = static_cast<double>(when.timestamp().epochMicroseconds() -
                                           Poco::Timestamp().epochMicroseconds()) /
                           1e6 -
                       tzd;
        return std::max(0.0, std::ceil(delta));
    } catch (const Poco::Exception&) {
        return std::nullopt;
    }
}

SocktError::Details detailsFromResponse(const HttpResponse& response) {
    SocktError::Details d;
    d.status_code = response.status;
    d.body = trim(response.body);
    Json j = parseObject(response.body);
    d.slug = textField(j, "code");
    if (d.slug.empty())
        d.slug = textField(j, "error");
    d.message = textField(j, "message");
    if (d.message.empty())
        d.message = textField(j, "error");
    if (d.message.empty() && response.status >= 300 && response.status < 400) {
        const std::string& location = response.header("location");
        d.message = "the server answered HTTP " + std::to_string(response.status) +
                    " (a redirect" + (location.empty() ? "" : " to " + location) +
                    "); redirects are not followed";
    }
    if (d.message.empty()) {
        d.message =
            d.body.size() > kMaxMessageChars ? d.body.substr(0, kMaxMessageChars) + "…" : d.body;
    }
    if (d.message.empty())
        d.message = "HTTP " + std::to_string(response.status) + " error";
    d.hint = textField(j, "hint");
    d.request_id = response.header("x-request-id");
    if (d.request_id.empty())
        d.request_id = textField(j, "request_id");
    if (response.status == 429)
        d.retry_after = parseRetryAfter(response.header("retry-after"));
    return d;
}

void throwForResponse(const HttpResponse& response) {
    SocktError::Details d = detailsFromResponse(response);
    ErrorKind kind = errorKindFor(response.status, d.slug);
    SocktError::raise(kind == ErrorKind::Generic ? ErrorKind::Api : kind, std::move(d));
}

bool isPodStarting(const HttpResponse& response) {
    return protocol::isPodStarting(response.status, response.body,
                                   response.status == 400 ? slugOf(response) : std::string(),
                                   true);
}

void throwNotJson(const HttpRequest& request, const HttpResponse& response, std::string_view body) {
    SocktError::Details d;
    d.message = "the server answered " + request.method + " " + request.path +
                " with a body that is not JSON";
    d.status_code = response.status;
    d.request_id = response.header("x-request-id");
    d.body = std::string(body.substr(0, 2000));
    throw APIError(std::move(d));
}

} // namespace sockt::detail
