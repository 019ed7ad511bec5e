#include "api.hpp"

#include "sockt/errors.hpp"
#include "sockt/protocol.hpp"

#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <thread>

namespace sockt::cli {

namespace {

std::string envOr(const char* name) {
    const char* v = std::getenv(name);
    return v ? std::string(v) : std::string();
}

std::string goMethod(const std::string& m) {
    if (m.empty())
        return m;
    std::string out = m.substr(0, 1);
    for (std::size_t i = 1; i < m.size(); ++i)
        out += static_cast<char>(std::tolower(static_cast<unsigned char>(m[i])));
    return out;
}

} // namespace

std::string trimBody(std::string body) {
    while (!body.empty() && (body.back() == '\n' || body.back() == '\r'))
        body.pop_back();
    return body;
}

std::string pathSegment(const std::string& id) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : id) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

ApiFailure::ApiFailure(int status, std::string body, std::string slug,
                       std::optional<double> retry_after)
    : CliError("API error (" + std::to_string(status) + "): " + trimBody(body)), status_(status),
      body_(trimBody(std::move(body))), slug_(std::move(slug)), retry_after_(retry_after) {}

std::optional<std::string> resolveCredential(const std::string& token_flag) {
    if (!token_flag.empty())
        return token_flag;
    std::string token = envOr("SOCKT_SANDBOX_TOKEN");
    if (!token.empty())
        return token;
    std::string key = envOr("SOCKT_API_KEY");
    if (!key.empty())
        return key;
    return std::nullopt;
}

std::string resolveBaseUrl() {
    std::string url = envOr("SOCKT_API_URL");
    if (url.empty())
        url = std::string(protocol::kDefaultBaseUrl);
    while (!url.empty() && url.back() == '/')
        url.pop_back();
    return url;
}

Api::Api(std::optional<std::string> credential, std::string base_url)
    : credential_(std::move(credential)), base_url_(std::move(base_url)) {
    ClientOptions options;
    options.ignore_env = true;
    options.base_url = base_url_;
    // Only sbx_ credentials may travel as ?sandbox_token= (§10.1): the core adds the query for a
    // configured sandbox token, never for an API key.
    if (credential_) {
        if (credential_->rfind(protocol::kSandboxTokenPrefix, 0) == 0)
            options.sandbox_token = credential_;
        else
            options.api_key = credential_;
    }
    options.user_agent = "sockt-cli/" + std::string(sockt::version());
    // Test-only: the fault suite (tests/faults) runs its stall cases with a short timeout
    // instead of §10.1's 120 s.
    if (const std::string ms = envOr("SOCKT_TEST_TIMEOUT_MS"); !ms.empty()) {
        std::size_t used = 0;
        long long value = 0;
        try {
            value = std::stoll(ms, &used);
        } catch (const std::exception&) {
        }
        if (used != ms.size() || value <= 0)
            throw CliError("SOCKT_TEST_TIMEOUT_MS must be a positive number of milliseconds");
        options.timeout = std::chrono::milliseconds(value);
    }
    // The CLI applies its own retry rules (§10.12).
    options.pod_starting_retries = 0;
    client_ = std::make_shared<ComputeClient>(options);
}

Api::Api(const Invocation& inv)
    : Api(resolveCredential(inv.command->lookupFlag("token") ? inv.stringFlag("token")
                                                             : std::string()),
          resolveBaseUrl()) {}

Api Api::anonymous() {
    return Api(std::nullopt, resolveBaseUrl());
}

std::string Api::url(const Call& call) const {
    std::string u =
        base_url_ + (call.absolute ? "" : std::string(protocol::kApiPrefix)) + call.path;
    char sep = '?';
    for (const auto& [k, v] : call.query) {
        u += sep + k + "=" + v;
        sep = '&';
    }
    return protocol::redactUrl(u);
}

HttpResponse Api::send(const Call& call) {
    HttpRequest req;
    req.method = call.method;
    req.path = call.path;
    req.query = call.query;
    req.body = call.body;
    req.absolute_path = call.absolute;
    req.retry_pod_starting = false;
    for (int attempt = 1;; ++attempt) {
        HttpResponse resp;
        try {
            resp = client_->request(req);
        } catch (const SocktError& e) {
            throw CliError("request failed: " + goMethod(call.method) + " \"" + url(call) +
                           "\": " + e.message());
        }
        // §10.12: the core's classification without §3.5's 400 pod_unreachable.
        if (protocol::isPodStarting(resp.status, resp.body, {}, false) &&
            attempt < protocol::kCliMaxAttempts) {
            sleepMs(protocol::kCliRetryBackoff.count());
            continue;
        }
        return resp;
    }
}

Json Api::json(const Call& call, const std::string& parse_prefix) {
    HttpResponse resp = send(call);
    if (resp.status < 200 || resp.status >= 300) {
        std::optional<double> retry_after;
        const std::string& ra = resp.header("retry-after");
        if (!ra.empty()) {
            try {
                retry_after = std::stod(ra);
            } catch (...) {
            }
        }
        throw ApiFailure(resp.status, resp.body, protocol::errorSlug(resp.body), retry_after);
    }
    try {
        return Json::parse(resp.body);
    } catch (const Json::parse_error& e) {
        std::string what = e.what();
        auto pos = what.find("] ");
        throw CliError(parse_prefix + ": " +
                       (pos == std::string::npos ? what : what.substr(pos + 2)));
    }
}

Json Api::dataPlane(const std::function<Json()>& fn, bool may_take_effect) {
    for (int attempt = 1;; ++attempt) {
        try {
            return fn();
        } catch (const ApiFailure& e) {
            // §10.12: a 502, an HTML error page, a reset or a timeout after sending may come
            // after the upstream started the request, so exec start and files write are resent
            // only on the answers §3.5 guarantees had no effect.
            const bool retryable = may_take_effect
                                       ? protocol::isNoEffectRetry(e.status(), e.slug())
                                       : protocol::isHostError(e.status(), e.slug());
            if (!retryable || attempt >= protocol::kCliMaxAttempts)
                throw;
            sleepMs(protocol::kCliRetryBackoff.count());
        }
    }
}

Json Api::precheck(const std::string& id) {
    Json st = json({"GET", "/sandboxes/" + pathSegment(id), {}, std::nullopt}, "parse status");
    std::string status = st.is_object() && st.contains("status") && st["status"].is_string()
                             ? st["status"].get<std::string>()
                             : std::string();
    if (status == "running")
        return st;
    if (status == "paused")
        throw CliError("sandbox " + id + " is paused; run: sockt sandbox resume " + id);
    if (status == "terminated")
        throw CliError("sandbox " + id + " is terminated");
    if (status == "awaiting_payment")
        throw CliError(
            "sandbox " + id +
            " is awaiting payment; pay the invoice from create output, then poll status");
    if (status == "failed")
        throw CliError("sandbox " + id + " failed");
    throw CliError("sandbox " + id + " is not runnable (status: " + status + ")");
}

void sleepMs(long long ms) {
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

} // namespace sockt::cli
