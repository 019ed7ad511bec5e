// Core exceptions → JavaScript errors. The native error is a plain Error carrying `kind`, `slug`,
// `statusCode`, `requestId`, `hint`, `body`, `retryAfter`; node/src/errors.ts turns it into the
// public class for its kind (docs/protocol.md §12 rule 8).
#pragma once

#include <napi.h>
#include <sockt/errors.hpp>
#include <optional>
#include <string>

namespace sockt::node {

/// A copy of an exception that can cross threads (captured on a pool thread, raised on the JS
/// thread).
struct ErrorInfo {
    std::string kind{errorKindName(ErrorKind::Generic)};
    std::string message;     // what(): the sentence plus the request id decoration
    std::string raw_message; // the server's (or our) sentence alone
    std::string slug;
    int status_code = 0;
    std::string request_id;
    std::string hint;
    std::string body;
    std::optional<double> retry_after;

    /// From the exception being handled (call inside a catch block).
    static ErrorInfo fromCurrentException();
    Napi::Error toJs(Napi::Env env) const;
};

/// For synchronous methods: runs `f`, rethrowing core exceptions as JavaScript errors.
template <typename F> auto translateErrors(Napi::Env env, F&& f) -> decltype(f()) {
    try {
        return f();
    } catch (const Napi::Error&) {
        throw;
    } catch (...) {
        throw ErrorInfo::fromCurrentException().toJs(env);
    }
}

} // namespace sockt::node
