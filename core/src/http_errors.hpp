// INTERNAL: reading the error envelope of a response (docs/protocol.md §3.1, §12 rule 8).
#pragma once

#include "sockt/client.hpp"
#include "sockt/errors.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace sockt::detail {

/// Whether `status` is an error answer. Only 2xx is success: the API never redirects and our
/// clients follow no redirect, so a 3xx (even with a `{}` body) is an error too (docs/faults.md).
inline bool isErrorStatus(int status) {
    return status < 200 || status >= 300;
}
/// Slug: `code`, else `error` (empty when the body is not a JSON object).
std::string slugOf(const HttpResponse& response);
/// Retry-After as seconds: delta-seconds or an HTTP date; nullopt when absent or unreadable.
std::optional<double> parseRetryAfter(const std::string& value);
SocktError::Details detailsFromResponse(const HttpResponse& response);
[[noreturn]] void throwForResponse(const HttpResponse& response);
/// APIError for a success answer whose body (`body`: the response's, or what is left of it) is
/// not JSON.
[[noreturn]] void throwNotJson(const HttpRequest& request, const HttpResponse& response,
                               std::string_view body);
/// docs/protocol.md §3.5: 503 whose body mentions pod_starting/starting, or 400 pod_unreachable.
bool isPodStarting(const HttpResponse& response);

} // namespace sockt::detail
