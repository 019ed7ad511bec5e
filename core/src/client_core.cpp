// ClientCore: configuration, credentials and the request pipeline (pool → exchange → retries).
#include "client_core.hpp"

#include "http_errors.hpp"
#include "sockt/protocol.hpp"
#include "transport/connection_pool.hpp"
#include "transport/http_exchange.hpp"
#include "transport/transport_errors.hpp"
#include "json/fast_parse.hpp"

#include <Poco/Exception.h>
#include <cstdlib>
#include <stdexcept>

namespace sockt::detail {
namespace {

std::optional<std::string> nonEmpty(const std::optional<std::string>& v) {
    if (v && !v->empty())
        return v;
    return std::nullopt;
}

std::optional<std::string> envVar(const char* name, bool ignore) {
    if (ignore)
        return std::nullopt;
    const char* v = std::getenv(name);
    if (!v || !*v)
        return std::nullopt;
    return std::string(v);
}

// docs/protocol.md §12 rule 6: parameter > env > default, empty = unset.
std::optional<std::string> pick(const std::optional<std::string>& param, const char* env,
                                bool ignore_env) {
    if (auto p = nonEmpty(param))
        return p;
    return envVar(env, ignore_env);
}

bool startsWith(const std::string& s, std::string_view prefix) {
    return s.compare(0, prefix.size(), prefix) == 0;
}

std::string encodeQuery(const std::vector<std::pair<std::string, std::string>>& query) {
    std::string out;
    for (const auto& [k, v] : query) {
        out += out.empty() ? '?' : '&';
        Poco::URI::encode(k, "!#$&'()*+,/:;=?@[]", out);
        out += '=';
        Poco::URI::encode(v, "!#$&'()*+,/:;=?@[]", out);
    }
    return out;
}

bool hasExtension(const std::string& header, std::string_view name) {
    std::size_t pos = 0;
    while (pos <= header.size()) {
        std::size_t comma = header.find(',', pos);
        if (comma == std::string::npos)
            comma = header.size();
        std::size_t b = pos;
        std::size_t e = comma;
        while (b < e && std::isspace(static_cast<unsigned char>(header[b])))
            ++b;
        while (e > b && std::isspace(static_cast<unsigned char>(header[e - 1])))
            --e;
        if (header.compare(b, e - b, name) == 0)
            return true;
        pos = comma + 1;
    }
    return false;
}

} // namespace

ResolvedConfig resolveConfig(const ClientOptions& options) {
    ResolvedConfig c;
    c.api_key = pick(options.api_key, "SOCKT_API_KEY", options.ignore_env);
    c.sandbox_token = pick(options.sandbox_token, "SOCKT_SANDBOX_TOKEN", options.ignore_env);
    c.base_url = pick(options.base_url, "SOCKT_API_URL", options.ignore_env)
                     .value_or(std::string(protocol::kDefaultBaseUrl));
    while (!c.base_url.empty() && c.base_url.back() == '/')
        c.base_url.pop_back();
    c.ca_file = pick(options.ca_file, "SOCKT_CA_FILE", options.ignore_env);
    if (options.timeout.count() <= 0)
        throw InvalidArgumentError(
            {"timeout must be positive (got " + std::to_string(options.timeout.count()) + " ms)",
             "", 0});
    c.timeout = options.timeout;
    c.user_agent =
        options.user_agent.empty() ? "sockt-cpp/" + std::string(version()) : options.user_agent;
    if (!options.user_agent_suffix.empty())
        c.user_agent += " " + options.user_agent_suffix;
    c.max_idle_connections = std::max(0, options.max_idle_connections);
    if (options.pod_starting_retries < 0)
        throw InvalidArgumentError({"pod_starting_retries must be >= 0", "", 0});
    c.pod_starting_retries = options.pod_starting_retries;
    c.pod_starting_backoff = std::max(Duration(0), options.pod_starting_backoff);
    return c;
}

namespace {

// http(s)://host[:port][/prefix], nothing else: the transport takes it as given.
Poco::URI parseBaseUrl(const std::string& url) {
    Poco::URI uri;
    try {
        uri = Poco::URI(url);
    } catch (const Poco::Exception& e) {
        throw InvalidArgumentError(
            {"invalid base URL '" + protocol::redactUrl(url) + "': " + e.displayText(), "", 0});
    }
    const std::string& scheme = uri.getScheme();
    if ((scheme != "http" && scheme != "https") || uri.getHost().empty())
        throw InvalidArgumentError({"invalid base URL '" + protocol::redactUrl(url) +
                                        "': expected http(s)://host[:port][/prefix]",
                                    "", 0});
    if (!uri.getQuery().empty() || !uri.getFragment().empty())
        throw InvalidArgumentError(
            {"invalid base URL: it must not carry a query or fragment", "", 0});
    return uri;
}

} // namespace

ClientCore::ClientCore(const ClientOptions& options)
    : config_(resolveConfig(options)),
      transport_(parseBaseUrl(config_.base_url), config_.ca_file, config_.timeout) {
    pool_ = std::make_unique<ConnectionPool>(
        transport_, static_cast<std::size_t>(config_.max_idle_connections));
}

ClientCore::~ClientCore() {
    pool_->clear();
}

std::optional<std::string> ClientCore::credential() const {
    if (config_.sandbox_token)
        return config_.sandbox_token;
    return config_.api_key;
}

std::optional<Credential> ClientCore::defaultCredential() const {
    if (config_.sandbox_token)
        return Credential{*config_.sandbox_token, true};
    if (config_.api_key)
        return Credential{*config_.api_key, false};
    return std::nullopt;
}

std::string ClientCore::targetPath(const std::string& path, bool absolute) const {
    std::string prefix = baseUri().getPath();
    while (!prefix.empty() && prefix.back() == '/')
        prefix.pop_back();
    std::string p = path;
    if (p.empty() || p.front() != '/')
        p.insert(p.begin(), '/');
    return absolute ? prefix + p : prefix + std::string(protocol::kApiPrefix) + p;
}

void ClientCore::noteResponseHeaders(const HttpResponse& response) {
    auto it = response.headers.find("sockt-extensions");
    if (it == response.headers.end())
        return;
    if (hasExtension(it->second, protocol::kLongPollExtension))
        long_poll_.store(true);
    if (hasExtension(it->second, protocol::kReplayExtension))
        replay_.store(true);
}

void ClientCore::ensureOpen() const {
    if (closed_.load())
        throw ConnectionError(
            {"the client is closed; create a new ComputeClient", "connection_error", 0});
}

void ClientCore::close() {
    closed_.store(true);
    pool_->clear();
}

std::string ClientCore::describe() const {
    std::string out = "ComputeClient(base_url=" + protocol::redactUrl(config_.base_url);
    if (auto c = credential())
        out += ", credential=" + protocol::redact(*c);
    out += ")";
    return out;
}

HttpResponse ClientCore::send(const HttpRequest& request, const CancelToken& cancel) {
    if (!request.credential)
        return sendAs(request, defaultCredential(), cancel);
    if (request.credential->empty())
        return sendAs(request, std::nullopt, cancel);
    // An explicit credential is a sandbox token when it is the configured one or has the
    // documented sbx_ format (docs/protocol.md §1.3).
    bool token = (config_.sandbox_token && *config_.sandbox_token == *request.credential) ||
                 startsWith(*request.credential, protocol::kSandboxTokenPrefix);
    return sendAs(request, Credential{*request.credential, token}, cancel);
}

HttpResponse ClientCore::sendAs(const HttpRequest& request,
                                const std::optional<Credential>& credential,
                                const CancelToken& cancel) {
    return sendWith(request, credential, cancel, nullptr);
}

HttpResponse ClientCore::sendAs(const HttpRequest& request,
                                const std::optional<Credential>& credential,
                                const CancelToken& cancel, const BodySource& body) {
    if (request.body)
        throw std::logic_error("ClientCore::sendAs: a request carries either a body string or a "
                               "body source, not both");
    if (!body.fill)
        throw std::logic_error("ClientCore::sendAs: the body source has no fill function");
    return sendWith(request, credential, cancel, &body);
}

HttpResponse ClientCore::sendAs(const HttpRequest& request,
                                const std::optional<Credential>& credential,
                                const CancelToken& cancel, const BodyProgress& on_body) {
    return sendWith(request, credential, cancel, nullptr, &on_body);
}

HttpResponse ClientCore::sendWith(const HttpRequest& request,
                                  const std::optional<Credential>& credential,
                                  const CancelToken& cancel, const BodySource* source,
                                  const BodyProgress* on_body) {
    ensureOpen();
    if (request.method != "GET" && request.method != "POST" && request.method != "DELETE" &&
        request.method != "PUT" && request.method != "PATCH" && request.method != "HEAD")
        throw InvalidArgumentError({"unsupported HTTP method '" + request.method + "'", "", 0});

    auto query = request.query;
    bool bodiless_method = request.method == "GET" || request.method == "DELETE";
    if (credential && credential->sandbox_token && bodiless_method) {
        // docs/protocol.md §12 rule 6: sandbox tokens also travel as a query parameter on
        // GET/DELETE.
        bool present = false;
        for (const auto& [k, v] : query)
            present = present || k == "sandbox_token";
        if (!present)
            query.emplace_back("sandbox_token", credential->value);
    }

    WireRequest wire;
    wire.method = request.method;
    wire.target = targetPath(request.path, request.absolute_path) + encodeQuery(query);
    wire.headers.emplace_back("User-Agent", config_.user_agent);
    wire.headers.emplace_back("Accept", "application/json");
    if (credential)
        wire.headers.emplace_back("Authorization", "Bearer " + credential->value);
    wire.body = request.body ? &*request.body : nullptr;
    wire.source = source;
    wire.on_body = on_body && *on_body ? on_body : nullptr;
    // redactUrl keeps the token out of every message built from this string.
    wire.describe =
        request.method + " " +
        protocol::redactUrl(baseUri().getScheme() + "://" + baseUri().getAuthority() + wire.target);

    const bool idempotent = request.method == "GET" || request.method == "DELETE" ||
                            request.method == "HEAD" || request.method == "PUT";
    int pod_retries = 0;
    while (true) {
        Deadline deadline = Clock::now() + config_.timeout;
        ExchangeResult result;
        auto connection = pool_->acquire(deadline, cancel, idempotent);
        try {
            result = exchange(*connection, wire, deadline, cancel, config_.timeout);
        } catch (const StaleConnection& stale) {
            // The server closed an idle keep-alive connection. Resending is safe only for an
            // idempotent request; a POST may have reached the server.
            connection.reset();
            if (!idempotent)
                throwConnection(wire.describe,
                                "the connection was closed by the server (" + stale.reason +
                                    "); the request may have reached the server, so it was "
                                    "not resent");
            ensureOpen();
            connection = pool_->fresh(deadline, cancel);
            try {
                result = exchange(*connection, wire, deadline, cancel, config_.timeout);
            } catch (const StaleConnection& again) {
                throwConnection(wire.describe, again.reason);
            }
        }
        if (result.keep_alive) {
            pool_->release(std::move(connection));
        }
        noteResponseHeaders(result.response);

        if (request.retry_pod_starting && isPodStarting(result.response) &&
            pod_retries < config_.pod_starting_retries) {
            // docs/protocol.md §3.5: the server guarantees the request had no effect; resend as is.
            ++pod_retries;
            if (!cancel.sleepFor(config_.pod_starting_backoff))
                throwCancelled(wire.describe);
            ensureOpen();
            continue;
        }
        return std::move(result.response);
    }
}

Json ClientCore::callJson(const HttpRequest& request, const std::optional<Credential>& credential,
                          const CancelToken& cancel) {
    return parseJsonAnswer(request, sendAs(request, credential, cancel));
}

Json ClientCore::callJson(const HttpRequest& request, const std::optional<Credential>& credential,
                          const CancelToken& cancel, const BodySource& body) {
    return parseJsonAnswer(request, sendAs(request, credential, cancel, body));
}

Json ClientCore::parseJsonAnswer(const HttpRequest& request, const HttpResponse& response) {
    if (isErrorStatus(response.status))
        throwForResponse(response);
    if (response.body.empty())
        return Json::object();
    Json j = json::parseAnswer(response.body);
    if (j.is_discarded())
        throwNotJson(request, response, response.body);
    return j;
}

} // namespace sockt::detail
