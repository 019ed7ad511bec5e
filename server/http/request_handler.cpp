#include "http/request_handler.hpp"

#include "api/api.hpp"
#include "api/envelope.hpp"
#include "http/rate_limiter.hpp"
#include "http/request_body.hpp"
#include "http/router.hpp"
#include "shell/shell_service.hpp"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/HTTPServerSession.h>
#include <Poco/String.h>
#include <Poco/URI.h>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string_view>
#include <sys/socket.h>
#include <sys/uio.h>

namespace sockt::server {
namespace {

using Poco::Net::HTTPResponse;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

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

/// Puts an answer's bytes straight on the request's socket: Poco's response stream sends 4 KiB
/// per sendto(2), 10,900 calls for a 32 MiB file's base64 (bench finding B6). Pieces smaller
/// than a text slice are held and go out with the next slice in one sendmsg(2). The socket keeps
/// the session's per-operation timeout (a client that stops reading frees the thread) and
/// MSG_NOSIGNAL turns a client that went away into an error instead of a SIGPIPE.
class SocketSink {
public:
    SocketSink(Poco::Net::StreamSocket& socket, Poco::Timespan timeout) : socket_(socket) {
        if (socket_.getSendTimeout() != timeout)
            socket_.setSendTimeout(timeout);
    }

    void put(std::string_view bytes) {
        if (held_.size() + bytes.size() < ReadAnswer::kTextSlice) {
            held_.append(bytes);
            return;
        }
        sendAll(bytes);
    }

    void finish() { sendAll({}); }

private:
    void sendAll(std::string_view bytes) {
        iovec parts[2] = {{held_.data(), held_.size()},
                          {const_cast<char*>(bytes.data()), bytes.size()}};
        msghdr msg{};
        msg.msg_iov = parts;
        msg.msg_iovlen = 2;
        while (parts[0].iov_len + parts[1].iov_len > 0) {
            const ssize_t n = ::sendmsg(socket_.impl()->sockfd(), &msg, MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) // EAGAIN: the send timeout passed; EPIPE, ECONNRESET: the client is gone
                throw ApiError("host_error", "the client stopped receiving the answer");
            auto left = static_cast<std::size_t>(n);
            for (auto& part : parts) {
                const std::size_t take = std::min(left, part.iov_len);
                part.iov_base = static_cast<char*>(part.iov_base) + take;
                part.iov_len -= take;
                left -= take;
            }
            if (parts[0].iov_len == 0) { // skip a spent first part
                msg.msg_iov = parts + 1;
                msg.msg_iovlen = 1;
            }
        }
        held_.clear();
    }

    Poco::Net::StreamSocket& socket_;
    std::string held_;
};

/// files/read's answer: the headers go out with its exact length, then the body as it is encoded,
/// straight to the socket when the request has one (Poco's own request type), else through the
/// response stream.
void sendReadAnswer(HTTPServerRequest& request, HTTPServerResponse& response,
                    ReadAnswer& answer) {
    response.setStatusAndReason(HTTPResponse::HTTP_OK);
    response.setContentType("application/json");
    response.setContentLength64(static_cast<std::int64_t>(answer.size()));
    auto& out = response.send();
    try {
        if (auto* direct = dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&request)) {
            out.flush(); // the head, before any byte of the body
            if (!out)
                throw ApiError("host_error", "the client stopped receiving the answer");
            SocketSink sink(direct->socket(), direct->session().getTimeout());
            answer.writeTo([&sink](std::string_view bytes) { sink.put(bytes); });
            sink.finish();
            return;
        }
        answer.writeTo([&out](std::string_view bytes) {
            out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
            if (!out)
                throw ApiError("host_error", "the client stopped receiving the answer");
        });
        out.flush();
        if (!out)
            throw ApiError("host_error", "the client stopped receiving the answer");
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

// The ApiCall of a REST request: query, credentials from the header, host and scheme, agent.
ApiCall callFor(const HTTPServerRequest& request, const Poco::URI& uri,
                const std::string& fallback_host) {
    ApiCall call;
    for (const auto& [k, v] : uri.getQueryParameters())
        if (!v.empty() && !call.query.count(k))
            call.query[k] = v;
    call.header_credential = bearerCredential(request.get("Authorization", ""));
    call.host = request.getHost().empty() ? fallback_host : request.getHost();
    call.secure = Poco::icompare(request.get("X-Forwarded-Proto", ""), "https") == 0;
    call.user_agent = request.get("User-Agent", "");
    return call;
}

// Step 2 of §3.4 and the transport's own refusals: route and method, body size and length, the
// loopback-only admin routes.
void checkRequest(const HTTPServerRequest& request, HTTPServerResponse& response,
                  const RouteMatch& match, const std::string& method, const std::string& path,
                  const RequestBody& body) {
    if (match.route == Route::None)
        throw ApiError("not_found", "no route for " + method + " " + path);
    if (!match.allows(method)) {
        response.set("Allow", match.allowHeader());
        throw ApiError("method_not_allowed", method + " is not allowed on " + path,
                       "allowed: " + match.allowHeader());
    }
    if (body.too_large)
        throw ApiError("payload_too_large", "request body exceeds 72 MiB");
    if (body.bad_length)
        throw badContentLength();
    if (path.rfind("/local/v1/", 0) == 0 && !request.clientAddress().host().isLoopback())
        throw ApiError("forbidden", "local admin routes answer loopback clients only");
}

// The JSON routes that answer 200 with the Api's result.
OJson callApi(Api& api, Route route, const std::string& method, const ApiCall& call,
              const std::string& id, const std::string& path) {
    switch (route) {
    case Route::Sandbox:
        return method == "GET" ? api.getSandbox(call, id) : api.terminateSandbox(call, id);
    case Route::Pause:
        return api.pauseSandbox(call, id);
    case Route::Resume:
        return api.resumeSandbox(call, id);
    case Route::Exec:
        return api.exec(call, id);
    case Route::FilesWrite:
        return api.writeFile(call, id);
    case Route::FilesRead:
        return api.readFile(call, id);
    case Route::Files:
        return api.listFiles(call, id);
    case Route::ShellUrl:
        return api.shellUrl(call, id);
    case Route::Execution:
        return method == "GET" ? api.pollExecution(call, id) : api.cancelExecution(call, id);
    case Route::PayInvoice:
        return api.payInvoice(id);
    case Route::Credits:
        return api.addCredits(call);
    default:
        throw ApiError("not_found", "no route for " + path);
    }
}

} // namespace

bool RequestHandler::rateLimited(const HTTPServerRequest& request, HTTPServerResponse& response,
                                 const ApiCall& call, const std::string& query_token,
                                 const std::string& body_token) {
    // Step 1 of §3.4: rate limit, per first presented credential or the client's address.
    if (!ctx_.limiter->enabled())
        return false;
    std::string principal = !call.header_credential.empty() ? call.header_credential
                            : !query_token.empty()          ? query_token
                            : !body_token.empty()           ? body_token
                                                  : request.clientAddress().host().toString();
    int retry = 1;
    if (ctx_.limiter->allow(principal, &retry))
        return false;
    response.set("Retry-After", std::to_string(retry));
    send(response, 429, "text/plain; charset=utf-8", "rate limited");
    return true;
}

int RequestHandler::dispatch(HTTPServerRequest& request, HTTPServerResponse& response,
                             const RouteMatch& match, const std::string& method,
                             const std::string& path, RequestBody& body, ApiCall& call,
                             const std::string& request_id) {
    Api& api = *ctx_.api;
    const auto& id = match.param;
    switch (match.route) {
    case Route::Tiers:
        sendJson(response, 200, Api::tiers());
        return 200;
    case Route::Sandboxes:
        sendJson(response, 201, api.createSandbox(call));
        return 201;
    case Route::Shell: {
        // §6.1 step 3: a ticket for this sandbox, else the ordinary credentials.
        ShellGrant grant = api.openShell(call, id);
        if (!ctx_.shells)
            throw ApiError("host_error", "shells are not available on this server");
        // §6.1: the place is taken before the upgrade, atomically, and given back by the
        // slot on every way out of run().
        auto slot = ctx_.shells->reserve(id, protocol::kMaxShellsPerSandbox);
        ctx_.shells->run(request, response, std::move(slot), std::move(grant.runtime),
                         std::move(grant.billing_frame));
        return response.getStatus();
    }
    case Route::Mcp: {
        auto result = ctx_.mcp(method, std::move(body.json), call, request_id);
        for (const auto& [k, v] : result.headers)
            response.set(k, v);
        send(response, result.status, result.body.empty() ? "" : "application/json",
             result.body);
        return result.status;
    }
    case Route::Health: {
        OJson out;
        out["ok"] = true;
        out["version"] = std::string(sockt::version());
        out["isolation"] = ctx_.isolation;
        out["limits"] = ctx_.limits;
        out["network"] = ctx_.network;
        out["data_dir"] = ctx_.data_dir;
        sendJson(response, 200, out);
        return 200;
    }
    default: {
        OJson out = callApi(api, match.route, method, call, id, path);
        if (*call.read_answer)
            sendReadAnswer(request, response, **call.read_answer);
        else
            sendJson(response, 200, out);
        return 200;
    }
    }
}

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
        ApiCall call = callFor(request, uri, ctx_.fallback_host);
        call.read_answer = &read_answer;

        const auto match = matchRoute(path);
        // The body is parsed once, bounded (§3.4 step 3), for the body credential (step 1) and
        // everything after; a files/write body with a plain `content` string is parsed without it.
        RequestBody body =
            readRequestBody(request, match.route == Route::FilesWrite && method == "POST");
        if (body.too_large || body.bad_length)
            response.setKeepAlive(false);
        const bool is_v1 = path.rfind("/v1/", 0) == 0;
        const std::string body_token = body.token();
        const auto query_token = call.queryValue("sandbox_token");

        if (is_v1 && rateLimited(request, response, call, query_token, body_token)) {
            status = 429;
        } else {
            checkRequest(request, response, match, method, path, body);
            // Step 3: JSON syntax and the parser's limits (MCP answers its own in JSON-RPC, §9.1).
            if (routeTakesJsonBody(match.route) && body.json) {
                if (!body.json->ok())
                    throw body.json->error();
                if (!body.json->value.is_object())
                    throw ApiError("invalid_params", "the JSON body must be an object");
                call.body = std::move(body.json->value);
                call.content = std::move(body.content);
            }
            call.credentials = collectCredentials(call.header_credential, query_token, body_token);
            status = dispatch(request, response, match, method, path, body, call, request_id);
        }
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
