// How the CLI talks to the API (docs/protocol.md §10.1, §10.12): credential and base URL from flags
// and env, raw exchanges through ComputeClient::request so errors print `API error (<status>):
// <body>` exactly, the CLI's own pod-starting and data-plane retries.
#pragma once

#include "command.hpp"
#include "sockt/client.hpp"
#include "sockt/models.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sockt::cli {

/// An error response, printed as `API error (<status>): <raw body>`.
class ApiFailure : public CliError {
public:
    ApiFailure(int status, std::string body, std::string slug, std::optional<double> retry_after);
    int status() const noexcept { return status_; }
    const std::string& body() const noexcept { return body_; }
    const std::string& slug() const noexcept { return slug_; }
    std::optional<double> retryAfter() const noexcept { return retry_after_; }

private:
    int status_;
    std::string body_;
    std::string slug_;
    std::optional<double> retry_after_;
};

/// Credential rule of §10.1: --token, else SOCKT_SANDBOX_TOKEN, else SOCKT_API_KEY (empty = unset).
std::optional<std::string> resolveCredential(const std::string& token_flag);
/// SOCKT_API_URL without trailing '/', else the default.
std::string resolveBaseUrl();

class Api {
public:
    explicit Api(const Invocation& inv);
    /// A client without any credential (`sockt local pay`).
    static Api anonymous();

    struct Call {
        std::string method;
        std::string path; // below /v1 unless absolute
        std::vector<std::pair<std::string, std::string>> query;
        std::optional<std::string> body;
        bool absolute = false;
    };

    /// One request with §10.12's pod-starting retry (503 whose body says pod_starting/starting:
    /// 2 s, at most 3 attempts). Transport failure → CliError `request failed: …`.
    HttpResponse send(const Call& call);
    /// send + ApiFailure for any status but 2xx (a redirect is not followed, so `307 {}` is an
    /// error too) + JSON parse (`<parse_prefix>: <reason>`).
    Json json(const Call& call, const std::string& parse_prefix = "parse response");
    /// §10.12 data-plane retry around `fn`: up to 3 attempts, 2 s apart, when it failed with
    /// 502/503 or a host_error/pod_starting/pod_unreachable slug; when `fn` may take effect
    /// (exec start, files write), only on §3.5's "no effect" answers (503 pod_starting,
    /// 400 pod_unreachable).
    Json dataPlane(const std::function<Json()>& fn, bool may_take_effect = false);

    /// GET status; the pre-check of §10.8 (CliError with the exact message unless running).
    Json precheck(const std::string& sandbox_id);

    ComputeClient& client() { return *client_; }
    const std::optional<std::string>& credential() const { return credential_; }
    std::string url(const Call& call) const;

private:
    Api(std::optional<std::string> credential, std::string base_url);
    std::optional<std::string> credential_;
    std::string base_url_;
    std::shared_ptr<ComputeClient> client_;
};

/// Sleeps `ms` milliseconds.
void sleepMs(long long ms);

} // namespace sockt::cli

namespace sockt::cli {
/// Percent-encodes an id for a URL path segment (ids are opaque: §12 rule 2).
std::string pathSegment(const std::string& id);
/// Body text with trailing CR/LF removed (§10.1).
std::string trimBody(std::string body);
} // namespace sockt::cli
