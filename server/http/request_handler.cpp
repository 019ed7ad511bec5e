#include "http/request_handler.hpp"

#include "http/api.hpp"
#include "http/envelope.hpp"
#include "http/rate_limiter.hpp"
#include "http/router.hpp"
#include "json/plain_members.hpp"
#include "manager/sandbox_manager.hpp"
#include "manager/shell_bridge.hpp"
#include "mcp/mcp_handler.hpp"

#include <Poco/Ascii.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/String.h>
#include <Poco/URI.h>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <istream>
#include <optional>
#include <string_view>

namespace sockt::server {
namespace {

using Poco::Net::HTTPResponse;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

struct Body {
    std::string data;
    bool too_large = false;
};

// §1.2: 72 MiB per body. Content-Length is checked before reading; a chunked body is counted
// while it arrives and reading stops at the limit (the connection is then closed).
Body readBody(HTTPServerRequest& request) {
    Body body;
    if (request.hasContentLength() &&
        request.getContentLength64() > protocol::kMaxRequestBodyBytes) {
        body.too_large = true;
        return body;
    }
    if (!request.hasContentLength() && !request.getChunkedTransferEncoding())
        return body;
    // A known length is reserved whole (≤ 72 MiB, checked above) and the bytes are read straight
    // into it, so a large body is never copied while the string grows (bench finding S1). Only
    // the address space is taken up front: pages are touched as bytes arrive.
    const auto limit = static_cast<std::size_t>(protocol::kMaxRequestBodyBytes);
    const std::size_t wanted =
        request.hasContentLength()
            ? static_cast<std::size_t>(request.getContentLength64())
            : limit + 1; // one byte over the limit proves a chunked body too large
    if (request.hasContentLength())
        body.data.reserve(wanted);
    constexpr std::size_t kSlice = 1024 * 1024;
    auto& in = request.stream();
    while (in && body.data.size() < wanted) {
        const std::size_t had = body.data.size();
        body.data.resize(had + std::min(kSlice, wanted - had));
        in.read(body.data.data() + had, static_cast<std::streamsize>(body.data.size() - had));
        const auto n = in.gcount();
        body.data.resize(had + static_cast<std::size_t>(n > 0 ? n : 0));
        if (n <= 0)
            break;
    }
    if (body.data.size() > limit) {
        body.too_large = true;
        std::string().swap(body.data);
        // Drain a little more so the 413 is not lost to a reset from unread bytes at close.
        char buf[64 * 1024];
        std::int64_t drained = 0;
        while (in && drained < 4 * 1024 * 1024) {
            in.read(buf, sizeof buf);
            if (in.gcount() <= 0)
                break;
            drained += in.gcount();
        }
    }
    return body;
}

/// A files/write body with its `content` value taken out (bench finding S2).
struct WriteBodySplit {
    OJson rest; // the body object without its `content` key
    std::string content;
};

/// Takes the top-level `content` string of a files/write body without running the generic JSON
/// lexer over it (it grows a 43 MB value one push_back at a time). On success `raw` is consumed.
/// json::findPlainMembers finds the value and explains why parsing the rest with `""` in its place
/// judges the whole body; anything it does not vouch for (and a non-string `content`, a missing
/// one, trailing bytes) returns nullopt, leaving the body to the general parser and its errors.
std::optional<WriteBodySplit> splitWriteBody(std::string& raw) {
    const std::string_view s(raw);
    sockt::json::PlainMember members[] = {{"content"}};
    const auto end = sockt::json::findPlainMembers(s, members);
    if (!end || !members[0].found() || s.find_first_not_of(" \t\n\r", *end) != s.npos)
        return std::nullopt;
    const std::size_t open = members[0].begin - 1; // the quotes around the value
    const std::size_t close = members[0].end;
    std::string rest;
    rest.reserve(s.size() - (close - open - 1));
    rest.append(s.substr(0, open + 1));
    rest.append(s.substr(close));
    auto parsed = OJson::parse(rest, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object())
        return std::nullopt;
    parsed.erase("content");
    WriteBodySplit split{std::move(parsed), std::move(raw)};
    // In place: no second 43 MB buffer to allocate and fault in.
    split.content.erase(close);
    split.content.erase(0, open + 1);
    raw.clear();
    return split;
}

void send(HTTPServerResponse& response, int status, const std::string& content_type,
          const std::string& body) {
    response.setStatusAndReason(static_cast<HTTPResponse::HTTPStatus>(status));
    if (!content_type.empty())
        response.setContentType(content_type);
    response.setContentLength64(static_cast<std::int64_t>(body.size()));
    auto& out = response.send();
    out.write(body.data(), static_cast<std::streamsize>(body.size()));
    out.flush();
}

void sendJson(HTTPServerResponse& response, int status, const OJson& body) {
    send(response, status, "application/json", dumpJson(body));
}

/// files/read's answer: the headers go out with its exact length, then the body as it is encoded.
void sendReadAnswer(HTTPServerResponse& response, ReadAnswer& answer) {
    response.setStatusAndReason(HTTPResponse::HTTP_OK);
    response.setContentType("application/json");
    response.setContentLength64(static_cast<std::int64_t>(answer.size()));
    auto& out = response.send();
    try {
        answer.writeTo(out);
    } catch (...) {
        // Fewer bytes than the Content-Length went out: the connection must not carry another
        // answer. Poco reads the keep-alive decision from the response after the handler.
        response.setKeepAlive(false);
        throw;
    }
}

bool routeTakesJsonBody(Route r) {
    switch (r) {
    case Route::Sandboxes:
    case Route::Sandbox:
    case Route::Pause:
    case Route::Resume:
    case Route::Exec:
    case Route::FilesWrite:
    case Route::FilesRead:
    case Route::Credits:
        return true;
    default:
        return false;
    }
}

/// §1.3's body credential: a string `sandbox_token` of a JSON object body.
std::string bodyToken(const OJson& j) {
    if (j.is_object()) {
        auto it = j.find("sandbox_token");
        if (it != j.end() && it->is_string())
            return it->get<std::string>();
    }
    return {};
}

bool allSpace(const std::string& data) { // what `Poco::trim(data).empty()` says, without a copy
    return std::all_of(data.begin(), data.end(), [](char c) { return Poco::Ascii::isSpace(c); });
}

} // namespace

void RequestHandler::handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) {
    const auto started = std::chrono::steady_clock::now();
    const auto request_id = requestIdFor(request.get("X-Request-Id", ""));
    response.set("X-Request-Id", request_id);
    response.set(std::string(protocol::kExtensionsHeader),
                 std::string(protocol::kServerExtensions));
    const std::string method = request.getMethod();
    std::string path = request.getURI();
    int status = 500;

    auto fail = [&](const ApiError& e) {
        status = e.httpStatus();
        if (!response.sent())
            sendJson(response, status, errorEnvelope(e, request_id));
    };

    try {
        Poco::URI uri(request.getURI());
        path = uri.getPath();
        std::optional<ReadAnswer> read_answer; // files/read's answer, sent as it is encoded
        ApiCall call;
        call.read_answer = &read_answer;
        for (const auto& [k, v] : uri.getQueryParameters())
            if (!v.empty() && !call.query.count(k))
                call.query[k] = v;
        call.header_credential = bearerCredential(request.get("Authorization", ""));
        call.host = request.getHost().empty() ? ctx_.fallback_host : request.getHost();
        call.secure = Poco::icompare(request.get("X-Forwarded-Proto", ""), "https") == 0;
        call.user_agent = request.get("User-Agent", "");

        Body body = readBody(request);
        if (body.too_large)
            response.setKeepAlive(false);
        const bool is_v1 = path.rfind("/v1/", 0) == 0;
        const auto match = matchRoute(path);
        // The body is parsed once, for the body credential (step 1) and step 3; a files/write
        // body with a plain `content` string is parsed without it (S2).
        std::optional<WriteBodySplit> split;
        if (!body.too_large && match.route == Route::FilesWrite && method == "POST")
            split = splitWriteBody(body.data);
        std::optional<OJson> parsed;
        std::string body_token;
        if (split) {
            body_token = bodyToken(split->rest);
        } else if (!body.too_large && !body.data.empty()) {
            try {
                parsed = OJson::parse(body.data, nullptr, false);
                body_token = bodyToken(*parsed);
            } catch (...) {
                parsed.reset(); // step 3 parses again and answers for itself
            }
        }
        const auto query_token = call.queryValue("sandbox_token");

        // Step 1 of §3.4: rate limit, per first presented credential or the client's address.
        if (is_v1 && ctx_.limiter->enabled()) {
            std::string principal = !call.header_credential.empty() ? call.header_credential
                                    : !query_token.empty()          ? query_token
                                    : !body_token.empty()
                                        ? body_token
                                        : request.clientAddress().host().toString();
            int retry = 1;
            if (!ctx_.limiter->allow(principal, &retry)) {
                status = 429;
                response.set("Retry-After", std::to_string(retry));
                send(response, 429, "text/plain; charset=utf-8", "rate limited");
                throw 0; // logged below
            }
        }
        // Step 2: route and method.
        if (match.route == Route::None)
            throw ApiError("not_found", "no route for " + method + " " + path);
        if (!match.allows(method)) {
            response.set("Allow", match.allowHeader());
            throw ApiError("method_not_allowed", method + " is not allowed on " + path,
                           "allowed: " + match.allowHeader());
        }
        if (body.too_large)
            throw ApiError("payload_too_large", "request body exceeds 72 MiB");
        if (path.rfind("/local/v1/", 0) == 0 && !request.clientAddress().host().isLoopback())
            throw ApiError("forbidden", "local admin routes answer loopback clients only");

        // Step 3: JSON syntax.
        if (split) {
            call.body = std::move(split->rest);
            call.content = std::make_shared<std::string>(std::move(split->content));
        } else if (routeTakesJsonBody(match.route) && !allSpace(body.data)) {
            if (!parsed)
                parsed = OJson::parse(body.data, nullptr, false);
            if (parsed->is_discarded())
                throw ApiError("invalid_params", "malformed JSON body");
            if (!parsed->is_object())
                throw ApiError("invalid_params", "the JSON body must be an object");
            call.body = std::move(*parsed);
        }
        call.credentials = collectCredentials(call.header_credential, query_token, body_token);

        Api& api = *ctx_.api;
        const auto& id = match.param;
        switch (match.route) {
        case Route::Tiers:
            status = 200;
            sendJson(response, 200, Api::tiers());
            break;
        case Route::Sandboxes: {
            auto out = api.createSandbox(call);
            status = 201;
            sendJson(response, 201, out);
            break;
        }
        case Route::Shell: {
            // §6.1 step 3: a ticket for this sandbox, else the ordinary credentials.
            const auto ticket = call.queryValue("ticket");
            if (ticket.empty() || !ctx_.manager->consumeTicket(ticket, id))
                ctx_.manager->authorizeSandbox(call.credentials, id);
            std::shared_ptr<SandboxRuntime> runtime;
            {
                auto lease = ctx_.manager->acquire(id);
                runtime = lease.runtime;
            }
#if SOCKT_SERVER_HAVE_SHELL
            if (!ctx_.shells)
                throw ApiError("host_error", "shells are not available on this server");
            if (ctx_.shells->count(id) >= protocol::kMaxShellsPerSandbox)
                throw ApiError("too_many_executions", "at most 5 concurrent shells per sandbox");
            ctx_.shells->run(request, response, id, runtime, ctx_.manager->connectBillingFrame(id));
            status = response.getStatus();
#else
            throw ApiError("host_error", "shells are not available on this server");
#endif
            break;
        }
        case Route::Mcp: {
            auto result = ctx_.mcp->handle(method, body.data, call, request_id);
            status = result.status;
            for (const auto& [k, v] : result.headers)
                response.set(k, v);
            send(response, status, result.body.empty() ? "" : "application/json", result.body);
            break;
        }
        case Route::Health: {
            OJson out;
            out["ok"] = true;
            out["version"] = std::string(sockt::version());
            out["isolation"] = ctx_.isolation;
            out["limits"] = ctx_.limits;
            out["network"] = ctx_.network;
            out["data_dir"] = ctx_.data_dir;
            status = 200;
            sendJson(response, 200, out);
            break;
        }
        default: {
            OJson out;
            switch (match.route) {
            case Route::Sandbox:
                out = method == "GET" ? api.getSandbox(call, id) : api.terminateSandbox(call, id);
                break;
            case Route::Pause:
                out = api.pauseSandbox(call, id);
                break;
            case Route::Resume:
                out = api.resumeSandbox(call, id);
                break;
            case Route::Exec:
                out = api.exec(call, id);
                break;
            case Route::FilesWrite:
                out = api.writeFile(call, id);
                break;
            case Route::FilesRead:
                out = api.readFile(call, id);
                break;
            case Route::Files:
                out = api.listFiles(call, id);
                break;
            case Route::ShellUrl:
                out = api.shellUrl(call, id);
                break;
            case Route::Execution:
                out = method == "GET" ? api.pollExecution(call, id) : api.cancelExecution(call, id);
                break;
            case Route::PayInvoice:
                out = api.payInvoice(id);
                break;
            case Route::Credits:
                out = api.addCredits(call);
                break;
            default:
                throw ApiError("not_found", "no route for " + path);
            }
            status = 200;
            if (read_answer)
                sendReadAnswer(response, *read_answer);
            else
                sendJson(response, 200, out);
        }
        }
    } catch (int) {
        // rate limited: already answered
    } catch (const ApiError& e) {
        fail(e);
    } catch (const Poco::Exception& e) {
        // Mostly a client that vanished or stalled mid-body; answer if we still can.
        fail(ApiError("invalid_params", "request could not be read: " + e.displayText()));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "sockt serve: internal error on %s %s: %s\n", method.c_str(),
                     path.c_str(), e.what());
        fail(ApiError("internal_error", "internal server error"));
    }
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - started)
                        .count();
    // §11.1: never tokens, bodies or query strings in the log.
    const auto log_path = path.substr(0, path.find('?'));
    std::fprintf(stderr, "%s %s %d %lldms %s\n", method.c_str(), log_path.c_str(), status,
                 static_cast<long long>(ms), request_id.c_str());
}

} // namespace sockt::server
