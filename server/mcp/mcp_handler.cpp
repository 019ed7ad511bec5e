#include "mcp/mcp_handler.hpp"

#include "api/api.hpp"
#include "api/envelope.hpp"
#include "api/params.hpp"
#include "common/ids.hpp"

#include <algorithm>
#include <chrono>

namespace sockt::server {
namespace {

constexpr const char* kDefaultProtocolVersion = "2025-06-18";

OJson rpcError(const OJson& id, int code, const std::string& message) {
    OJson j;
    j["jsonrpc"] = "2.0";
    j["id"] = id;
    j["error"] = OJson{{"code", code}, {"message", message}};
    return j;
}

OJson rpcResult(const OJson& id, OJson result) {
    OJson j;
    j["jsonrpc"] = "2.0";
    j["id"] = id;
    j["result"] = std::move(result);
    return j;
}

McpResult reply(int status, const OJson& body) {
    return McpResult{status, dumpJson(body), {}};
}

std::string requireArg(const OJson& args, const char* key) {
    auto v = optString(args, key);
    if (!v || v->empty())
        invalidParams(std::string("missing required argument: ") + key);
    return *v;
}

} // namespace

McpResult McpHandler::handle(const std::string& http_method, std::optional<ParsedBody> body,
                             const ApiCall& call, const std::string& request_id) {
    if (http_method == "DELETE")
        return McpResult{204, {}, {}};
    if (!body || body->outcome == ParsedBody::Outcome::Malformed)
        return reply(400, rpcError(nullptr, -32700, "Parse error"));
    if (!body->ok()) {
        // Valid JSON past a limit of §3.4 step 3: not a request we take. The REST envelope rides
        // along as the error's data, so the limit reads the same on both fronts.
        const ApiError e = body->error();
        OJson error = rpcError(nullptr, -32600, e.message());
        error["error"]["data"] = errorEnvelope(e, request_id);
        return reply(400, error);
    }
    OJson msg = std::move(body->value);
    if (msg.is_array())
        return reply(400, rpcError(nullptr, -32600, "batch requests are not supported"));
    if (!msg.is_object() || !msg.contains("method") || !msg["method"].is_string())
        return reply(400,
                     rpcError(msg.is_object() && msg.contains("id") ? msg["id"] : OJson(nullptr),
                              -32600, "Invalid Request"));
    const std::string method = msg["method"];
    if (!msg.contains("id"))
        return McpResult{202, {}, {}}; // a notification
    const OJson id = msg["id"];
    const OJson params =
        msg.contains("params") && msg["params"].is_object() ? msg["params"] : OJson::object();
    if (method == "initialize") {
        std::string version = kDefaultProtocolVersion;
        if (params.contains("protocolVersion") && params["protocolVersion"].is_string()) {
            const std::string asked = params["protocolVersion"];
            if (asked == "2025-03-26" || asked == "2024-11-05")
                version = asked;
        }
        OJson result;
        result["protocolVersion"] = version;
        result["capabilities"] = OJson{{"tools", OJson::object()}};
        result["serverInfo"] = OJson{{"name", "sockt"}, {"version", std::string(sockt::version())}};
        auto r = reply(200, rpcResult(id, result));
        r.headers.emplace_back("Mcp-Session-Id", uuid4());
        return r;
    }
    if (method == "ping")
        return reply(200, rpcResult(id, OJson::object()));
    if (method == "tools/list")
        return reply(200, rpcResult(id, OJson{{"tools", mcpToolList()}}));
    if (method == "tools/call") {
        const std::string name = params.contains("name") && params["name"].is_string()
                                     ? params["name"].get<std::string>()
                                     : std::string();
        if (!isMcpTool(name))
            return reply(200, rpcError(id, -32602, "Unknown tool: " + name));
        const OJson args = params.contains("arguments") && params["arguments"].is_object()
                               ? params["arguments"]
                               : OJson::object();
        bool is_error = false;
        OJson out = callTool(name, args, call, request_id, &is_error);
        OJson result;
        result["content"] = OJson::array({OJson{{"type", "text"}, {"text", dumpJson(out)}}});
        result["isError"] = is_error;
        return reply(200, rpcResult(id, result));
    }
    return reply(200, rpcError(id, -32601, "Method not found"));
}

OJson McpHandler::callTool(const std::string& name, const OJson& arguments, const ApiCall& base,
                           const std::string& request_id, bool* is_error) {
    try {
        return runTool(name, arguments, base);
    } catch (const ApiError& e) {
        *is_error = true;
        OJson env = errorEnvelope(e, request_id);
        env["http_status"] = e.httpStatus();
        return env;
    }
}

OJson McpHandler::runTool(const std::string& name, const OJson& args, const ApiCall& base) {
    // §9.1: the header credential applies as on REST; a `sandbox_token` argument is the body one.
    ApiCall call;
    call.header_credential = base.header_credential;
    call.host = base.host;
    call.secure = base.secure;
    const auto token = optString(args, "sandbox_token").value_or("");
    call.credentials =
        collectCredentials(base.header_credential, base.queryValue("sandbox_token"), token);
    call.body = args;
    if (name == "sandbox_list_tiers")
        return Api::tiers();
    if (name == "sandbox_create")
        return api_.createSandbox(call);
    if (name == "sandbox_exec_result" || name == "sandbox_exec_cancel") {
        const auto eid = requireArg(args, "execution_id");
        if (name == "sandbox_exec_cancel")
            return api_.cancelExecution(call, eid);
        if (auto wait = optInt(args, "wait_ms"))
            call.query["wait_ms"] = std::to_string(*wait);
        return api_.pollExecution(call, eid);
    }
    const auto id = requireArg(args, "sandbox_id");
    if (name == "sandbox_status")
        return api_.getSandbox(call, id);
    if (name == "sandbox_pause")
        return api_.pauseSandbox(call, id);
    if (name == "sandbox_resume")
        return api_.resumeSandbox(call, id);
    if (name == "sandbox_terminate")
        return api_.terminateSandbox(call, id);
    if (name == "sandbox_exec")
        return sandboxExec(args, call);
    if (name == "sandbox_extend_balance")
        return extendBalance(args, call);
    if (name == "sandbox_write_file")
        return api_.writeFile(call, id);
    if (name == "sandbox_read_file")
        return api_.readFile(call, id);
    if (name == "sandbox_list_files") {
        if (auto p = optString(args, "path"))
            call.query["path"] = *p;
        if (auto r = optBool(args, "recursive"))
            call.query["recursive"] = *r ? "true" : "false";
        if (auto d = optInt(args, "max_depth"))
            call.query["max_depth"] = std::to_string(*d);
        return api_.listFiles(call, id);
    }
    if (name == "sandbox_run")
        return sandboxRun(args, call);
    throw ApiError("invalid_params", "Unknown tool: " + name);
}

OJson McpHandler::sandboxRun(const OJson& args, const ApiCall& call) {
    const auto id = requireArg(args, "sandbox_id");
    const auto timeout = optInt(args, "timeout_ms").value_or(30000);
    if (timeout < 1 || timeout > 300000)
        invalidParams("timeout_ms must be between 1 and 300000");
    ApiCall exec_call = call;
    exec_call.body["timeout_ms"] = timeout;
    const OJson started = api_.exec(exec_call, id);
    return awaitExecution(call, started["execution_id"], timeout + 5000);
}

OJson McpHandler::sandboxExec(const OJson& args, const ApiCall& call) {
    const auto id = requireArg(args, "sandbox_id");
    // §3.4: who may call comes before what the arguments say; the exec repeats the check.
    api_.authorizeSandbox(call, id);
    const auto wait = optInt(args, "wait_ms").value_or(kDefaultExecWaitMs);
    if (wait < 0 || wait > kMaxExecWaitMs)
        invalidParams("wait_ms must be between 0 and " + std::to_string(kMaxExecWaitMs));
    ApiCall exec_call = call;
    exec_call.body.erase("wait_ms");
    const OJson started = api_.exec(exec_call, id);
    if (wait == 0)
        return started; // §9.3: the bare asynchronous answer of §2.7
    return awaitExecution(call, started["execution_id"], wait);
}

OJson McpHandler::awaitExecution(const ApiCall& call, const std::string& eid,
                                 std::int64_t wait_ms) {
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
    std::string out, err;
    OJson last;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                              deadline - std::chrono::steady_clock::now())
                              .count();
        ApiCall poll = call;
        poll.body = OJson::object();
        poll.query["wait_ms"] = std::to_string(std::clamp<long long>(left, 0, 25000));
        last = api_.pollExecution(poll, eid);
        for (const auto& c : last["output"]) {
            (c.value("stream", "") == "stdout" ? out : err) += c.value("chunk", "");
        }
        if (last.value("status", "running") != "running" || left <= 0)
            break;
    }
    OJson r;
    r["execution_id"] = eid;
    r["status"] = last.value("status", "running");
    r["stdout"] = out;
    r["stderr"] = err;
    r["exit_code"] = last.contains("exit_code") ? last["exit_code"] : OJson(nullptr);
    r["error"] = last.contains("error") ? last["error"] : OJson(nullptr);
    return r;
}

OJson McpHandler::extendBalance(const OJson& args, const ApiCall& call) {
    const auto id = requireArg(args, "sandbox_id");
    const std::string acting = api_.authorizeSandbox(call, id);
    const auto cents = optInt(args, "cents");
    const auto sats = optInt(args, "sats");
    return api_.extendBalance(id, acting, cents, sats);
}

} // namespace sockt::server
