// `sockt serve`'s reading of a request as server/http/request_handler.cpp does it: the target
// split into path and query (Poco::URI), the route matched, query integers read
// (server/api/params.*), the Authorization header's credential taken (server/auth/), the JSON
// body parsed and its fields read with the typed accessors of docs/protocol.md §1.5. Every refusal
// must be an ApiError (a 4xx envelope), never another exception or a sanitizer report.
#include "common/api_error.hpp"
#include "api/api_call.hpp"
#include "api/params.hpp"
#include "http/router.hpp"

#include <Poco/Exception.h>
#include <Poco/URI.h>
#include <cstdint>
#include <cstdlib>
#include <fuzzer/FuzzedDataProvider.h>
#include <string>

namespace server = sockt::server;

namespace {

void readQuery(const std::string& target) {
    Poco::URI uri;
    try {
        uri = Poco::URI(target);
    } catch (const Poco::Exception&) {
        return; // the request handler answers 500 for an unparsable target before any route
    }
    const server::RouteMatch match = server::matchRoute(uri.getPath());
    if (match.route != server::Route::None && match.methods.empty())
        std::abort();
    (void)match.allowHeader();
    Poco::URI::QueryParameters query;
    try {
        query = uri.getQueryParameters();
    } catch (const Poco::Exception&) {
        return;
    }
    for (const auto& [name, value] : query) {
        try {
            const auto n = server::queryInt(value, name.c_str());
            if (n && value.empty())
                std::abort();
        } catch (const server::ApiError& e) {
            if (e.httpStatus() != 400)
                std::abort();
        }
    }
}

// The fields the API reads, each with the accessor the API reads it with.
void readBody(const std::string& text) {
    const server::OJson body = server::OJson::parse(text, nullptr, false);
    if (body.is_discarded() || !body.is_object())
        return; // 400 invalid_params in the request handler
    const char* strings[] = {"command",           "working_dir", "path",           "content",
                             "encoding",          "tier",        "billing_method", "label",
                             "lightning_address", "api_key",     "sandbox_token"};
    const char* integers[] = {"timeout_ms", "max_bytes", "cents", "prepaid_sats",
                              "initial_credits_cents"};
    const char* booleans[] = {"create_dirs", "recursive"};
    auto refused = [](const server::ApiError& e) {
        if (e.code() != "invalid_params" || e.httpStatus() != 400)
            std::abort();
    };
    for (const char* key : strings) {
        try {
            if (auto s = server::optString(body, key))
                (void)server::codePoints(*s);
            (void)server::requireString(body, key);
        } catch (const server::ApiError& e) {
            refused(e);
        }
    }
    for (const char* key : integers) {
        try {
            (void)server::optInt(body, key);
        } catch (const server::ApiError& e) {
            refused(e);
        }
    }
    for (const char* key : booleans) {
        try {
            (void)server::optBool(body, key);
        } catch (const server::ApiError& e) {
            refused(e);
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider in(data, size);
    const std::string target = in.ConsumeRandomLengthString(512);
    const std::string authorization = in.ConsumeRandomLengthString(128);
    const std::string body = in.ConsumeRemainingBytesAsString();

    readQuery(target);
    const std::string credential = server::bearerCredential(authorization);
    if (!credential.empty() && credential.size() + 7 > authorization.size())
        std::abort();
    (void)server::collectCredentials(credential, target, body);
    readBody(body);
    return 0;
}
