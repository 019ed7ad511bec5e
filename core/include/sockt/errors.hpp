// Exceptions thrown by libsockt (docs/protocol.md §12 rule 8).
//
// Every error is a SocktError carrying an ErrorKind, so each binding translates with one switch.
// A non-zero exit code of a command is a result, never an exception. Messages never contain a
// credential (docs/protocol.md §12 rule 7).
#pragma once

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace sockt {

enum class ErrorKind {
    Generic,            // SocktError itself
    Authentication,     // 401 / 403
    TopUpFailed,        // 402
    RateLimited,        // 429
    NoCapacity,         // 503 no_capacity
    HostUnreachable,    // 502, other 503
    SandboxNotRunning,  // client-side: wait timed out, sandbox failed/terminated
    SandboxStopped,     // 409 sandbox_paused, 410: both an APIError and a SandboxNotRunningError
    Api,                // any other status >= 400
    Connection,         // transport: refused, reset, DNS, TLS handshake
    Timeout,            // transport: whole-request deadline or a wait deadline
    Cancelled,          // a CancelToken fired
    InvalidArgument,    // bad input detected before anything was sent
};

/// Base of every libsockt exception. Thread-safe to copy and read.
class SocktError : public std::runtime_error {
public:
    struct Details {
        std::string message;
        std::string slug;
        int status_code = 0;
        std::string request_id;
        std::string hint;
        std::string body;  // raw response body, trimmed (the CLI prints it verbatim)
        std::optional<double> retry_after;  // seconds, from Retry-After
    };

    SocktError(ErrorKind kind, Details details);

    ErrorKind kind() const noexcept { return kind_; }
    /// The server's (or our) sentence, without status or request id decoration.
    const std::string& message() const noexcept { return details_.message; }
    const std::string& slug() const noexcept { return details_.slug; }
    /// HTTP status, 0 when no response was received.
    int statusCode() const noexcept { return details_.status_code; }
    const std::string& requestId() const noexcept { return details_.request_id; }
    const std::string& hint() const noexcept { return details_.hint; }
    const std::string& body() const noexcept { return details_.body; }
    std::optional<double> retryAfter() const noexcept { return details_.retry_after; }
    const Details& details() const noexcept { return details_; }

    /// Throws the exception class that matches `kind` (used to rethrow across threads).
    [[noreturn]] static void raise(ErrorKind kind, Details details);

private:
    ErrorKind kind_;
    Details details_;
};

// Virtual inheritance so SandboxStoppedError can be both an APIError and a SandboxNotRunningError
// (docs/protocol.md §12 rule 8) while staying a single SocktError.
class AuthenticationError : public virtual SocktError {
public:
    explicit AuthenticationError(Details d) : SocktError(ErrorKind::Authentication, std::move(d)) {}
};
class TopUpFailedError : public virtual SocktError {
public:
    explicit TopUpFailedError(Details d) : SocktError(ErrorKind::TopUpFailed, std::move(d)) {}
};
class RateLimitedError : public virtual SocktError {
public:
    explicit RateLimitedError(Details d) : SocktError(ErrorKind::RateLimited, std::move(d)) {}
};
class NoCapacityError : public virtual SocktError {
public:
    explicit NoCapacityError(Details d) : SocktError(ErrorKind::NoCapacity, std::move(d)) {}
};
class HostUnreachableError : public virtual SocktError {
public:
    explicit HostUnreachableError(Details d)
        : SocktError(ErrorKind::HostUnreachable, std::move(d)) {}
};
class SandboxNotRunningError : public virtual SocktError {
public:
    explicit SandboxNotRunningError(Details d)
        : SocktError(ErrorKind::SandboxNotRunning, std::move(d)) {}

protected:
    SandboxNotRunningError() : SocktError(ErrorKind::SandboxNotRunning, {}) {}
};
class APIError : public virtual SocktError {
public:
    explicit APIError(Details d) : SocktError(ErrorKind::Api, std::move(d)) {}

protected:
    APIError() : SocktError(ErrorKind::Api, {}) {}
};
/// 409 sandbox_paused or 410 sandbox_terminated: catchable as APIError and SandboxNotRunningError.
class SandboxStoppedError : public APIError, public SandboxNotRunningError {
public:
    explicit SandboxStoppedError(Details d)
        : SocktError(ErrorKind::SandboxStopped, std::move(d)), APIError(), SandboxNotRunningError() {}
};
class ConnectionError : public virtual SocktError {
public:
    explicit ConnectionError(Details d) : SocktError(ErrorKind::Connection, std::move(d)) {}
};
class TimeoutError : public virtual SocktError {
public:
    explicit TimeoutError(Details d) : SocktError(ErrorKind::Timeout, std::move(d)) {}
};
class CancelledError : public virtual SocktError {
public:
    explicit CancelledError(Details d) : SocktError(ErrorKind::Cancelled, std::move(d)) {}
};
class InvalidArgumentError : public virtual SocktError {
public:
    explicit InvalidArgumentError(Details d)
        : SocktError(ErrorKind::InvalidArgument, std::move(d)) {}
};

/// Every kind, in declaration order (bindings build their kind → class tables from it).
inline constexpr ErrorKind kErrorKinds[] = {
    ErrorKind::Generic,         ErrorKind::Authentication,    ErrorKind::TopUpFailed,
    ErrorKind::RateLimited,     ErrorKind::NoCapacity,        ErrorKind::HostUnreachable,
    ErrorKind::SandboxNotRunning, ErrorKind::SandboxStopped,  ErrorKind::Api,
    ErrorKind::Connection,      ErrorKind::Timeout,           ErrorKind::Cancelled,
    ErrorKind::InvalidArgument,
};

/// The one name of a kind (`generic`, `authentication`, `top_up_failed`, …): the key under which
/// every binding maps kinds to its error classes, and what the Node addon reports as `kind`.
std::string_view errorKindName(ErrorKind kind);
/// The kind called `name`, or nullopt.
std::optional<ErrorKind> errorKindNamed(std::string_view name);

/// The kind a response with this HTTP status and slug maps to (docs/protocol.md §12 rule 8).
ErrorKind errorKindFor(int status_code, const std::string& slug);

}  // namespace sockt
