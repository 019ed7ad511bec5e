// SocktError construction, the status → kind table (docs/protocol.md §12 rule 8) and rethrow by
// kind.
#include "sockt/errors.hpp"

#include "sockt/protocol.hpp"

#include <cmath>
#include <iterator>
#include <sstream>

namespace sockt {
namespace {

std::string formatSeconds(double seconds) {
    std::ostringstream out;
    // Whole seconds print without a fraction; a server's absurd Retry-After (1.8e20) must not be
    // cast to an integer that cannot hold it.
    if (std::floor(seconds) == seconds && std::fabs(seconds) < 9e18) {
        out << static_cast<long long>(seconds);
    } else {
        out << seconds;
    }
    return out.str();
}

// `<message> (slug: x, HTTP 404) [request_id: req_…] hint: …`. Everything passes through
// redactUrl so a URL with a sandbox token can never leak through a message (§12 rule 7).
std::string composeWhat(const SocktError::Details& d) {
    std::string what = d.message.empty() ? std::string("sockt error") : d.message;
    std::string meta;
    if (!d.slug.empty())
        meta += "slug: " + d.slug;
    if (d.status_code > 0) {
        if (!meta.empty())
            meta += ", ";
        meta += "HTTP " + std::to_string(d.status_code);
    }
    if (d.retry_after) {
        if (!meta.empty())
            meta += ", ";
        meta += "retry after " + formatSeconds(*d.retry_after) + " s";
    }
    if (!meta.empty())
        what += " (" + meta + ")";
    if (!d.request_id.empty())
        what += " [request_id: " + d.request_id + "]";
    if (!d.hint.empty())
        what += " hint: " + d.hint;
    return protocol::redactUrl(what);
}

} // namespace

SocktError::SocktError(ErrorKind kind, Details details)
    : std::runtime_error(composeWhat(details)), kind_(kind), details_(std::move(details)) {}

void SocktError::raise(ErrorKind kind, Details d) {
    switch (kind) {
    case ErrorKind::Authentication:
        throw AuthenticationError(std::move(d));
    case ErrorKind::TopUpFailed:
        throw TopUpFailedError(std::move(d));
    case ErrorKind::RateLimited:
        throw RateLimitedError(std::move(d));
    case ErrorKind::NoCapacity:
        throw NoCapacityError(std::move(d));
    case ErrorKind::HostUnreachable:
        throw HostUnreachableError(std::move(d));
    case ErrorKind::SandboxNotRunning:
        throw SandboxNotRunningError(std::move(d));
    case ErrorKind::SandboxStopped:
        throw SandboxStoppedError(std::move(d));
    case ErrorKind::Api:
        throw APIError(std::move(d));
    case ErrorKind::Connection:
        throw ConnectionError(std::move(d));
    case ErrorKind::Timeout:
        throw TimeoutError(std::move(d));
    case ErrorKind::Cancelled:
        throw CancelledError(std::move(d));
    case ErrorKind::InvalidArgument:
        throw InvalidArgumentError(std::move(d));
    case ErrorKind::Generic:
        break;
    }
    throw SocktError(ErrorKind::Generic, std::move(d));
}

// The one name of each kind, in the order of ErrorKind (bindings index their class tables by the
// enum's value, so kErrorKinds lists it in that order too).
constexpr std::string_view kKindNames[] = {
    "generic",     "authentication",      "top_up_failed",   "rate_limited", "no_capacity",
    "host_unreachable", "sandbox_not_running", "sandbox_stopped", "api",    "connection",
    "timeout",     "cancelled",           "invalid_argument",
};
static_assert(std::size(kKindNames) == std::size(kErrorKinds));
static_assert([] {
    for (std::size_t i = 0; i < std::size(kErrorKinds); ++i)
        if (static_cast<std::size_t>(kErrorKinds[i]) != i)
            return false;
    return true;
}());

std::string_view errorKindName(ErrorKind kind) {
    const auto i = static_cast<std::size_t>(kind);
    return i < std::size(kKindNames) ? kKindNames[i] : kKindNames[0];
}

std::optional<ErrorKind> errorKindNamed(std::string_view name) {
    for (ErrorKind kind : kErrorKinds)
        if (errorKindName(kind) == name)
            return kind;
    return std::nullopt;
}

ErrorKind errorKindFor(int status_code, const std::string& slug) {
    if (status_code == 401 || status_code == 403)
        return ErrorKind::Authentication;
    if (status_code == 402)
        return ErrorKind::TopUpFailed;
    if (status_code == 429)
        return ErrorKind::RateLimited;
    if (status_code == 502)
        return ErrorKind::HostUnreachable;
    if (status_code == 503)
        return slug == "no_capacity" ? ErrorKind::NoCapacity : ErrorKind::HostUnreachable;
    if (status_code == 410 || (status_code == 409 && slug == "sandbox_paused"))
        return ErrorKind::SandboxStopped;
    if (status_code >= 400)
        return ErrorKind::Api;
    return ErrorKind::Generic;
}

} // namespace sockt
