// `sockt exec` and `sockt exec-cancel` (docs/protocol.md §10.9, §10.10).
#include "api.hpp"
#include "app.hpp"

#include "sockt/errors.hpp"

#include <algorithm>
#include <iostream>

namespace sockt::cli {

namespace {

using OrderedJson = nlohmann::ordered_json;

std::string joinArgs(const std::vector<std::string>& args, std::size_t from) {
    std::string out;
    for (std::size_t i = from; i < args.size(); ++i) {
        if (i > from)
            out += ' ';
        out += args[i];
    }
    return out;
}

std::optional<long long> intMember(const Json& j, const char* key) {
    if (!j.is_object())
        return std::nullopt;
    auto it = j.find(key);
    if (it == j.end() || !it->is_number())
        return std::nullopt;
    return static_cast<long long>(it->get<double>());
}

struct ExecOutcome {
    std::string status;
    std::optional<long long> exit_code;
    std::string error;
    Json pending_invoice;
    std::string out_text;
    std::string err_text;
};

int runExec(Invocation& inv) {
    Api api(inv);
    const std::string& id = inv.args[0];
    const std::string command = joinArgs(inv.args, 1);
    const bool json = jsonMode(inv);
    api.precheck(id);

    OrderedJson body;
    body["command"] = command;
    if (!inv.stringFlag("workdir").empty())
        body["working_dir"] = inv.stringFlag("workdir");
    if (inv.intFlag("timeout") != 0)
        body["timeout_ms"] = inv.intFlag("timeout");
    const std::string body_text = body.dump();
    Json started = api.dataPlane(
        [&] {
            return api.json({"POST", "/sandboxes/" + pathSegment(id) + "/exec", {}, body_text});
        },
        true);
    const std::string eid = str(started, "execution_id");
    if (eid.empty())
        throw CliError("exec returned no execution_id");

    const long long poll_ms = inv.intFlag("poll");
    ExecOutcome o;
    bool printed = false;
    int extra_polls = 0;
    int rate_limited = 0;
    int transport_failures = 0;
    // §4.5: with the replay extension every poll says which chunks it has (`since`), so a poll
    // whose answer was lost in transit (a reset) is answered again by the retry below.
    long long last_seq = 0;
    for (;;) {
        const bool long_poll = api.client().supportsLongPoll();
        Api::Call call{"GET", "/executions/" + pathSegment(eid), {}, std::nullopt};
        if (api.client().supportsReplay())
            call.query.emplace_back("since", std::to_string(last_seq));
        if (long_poll)
            call.query.emplace_back("wait_ms", std::to_string(protocol::kLongPollWaitMs));
        else if (poll_ms > 0)
            sleepMs(poll_ms);
        Json r;
        try {
            r = api.json(call, "parse result");
            rate_limited = 0;
            transport_failures = 0;
        } catch (const ApiFailure& e) {
            // §3.5: sleep Retry-After on a rate-limit 429, give up after 5 in a row.
            if (e.status() == 429 && e.slug() != "too_many_executions" && ++rate_limited < protocol::kMaxConsecutiveRateLimited) {
                sleepMs(static_cast<long long>(e.retryAfter().value_or(std::chrono::duration<double>(protocol::kDefaultRetryAfter).count()) * 1000));
                continue;
            }
            throw;
        } catch (const CliError&) {
            // Transport failures of a polling GET: up to 3 in a row, one interval apart.
            if (++transport_failures < 3) {
                sleepMs(poll_ms > 0 ? poll_ms : 500);
                continue;
            }
            throw;
        }
        try {
            ExecResult::checkPollAnswer(r, eid);
        } catch (const SocktError& e) {
            throw CliError("parse result: " + e.message());
        }
        bool had_output = false;
        if (r.contains("output") && r["output"].is_array()) {
            for (const Json& c : r["output"]) {
                const long long seq = intMember(c, "seq").value_or(0);
                if (seq > 0 && seq <= last_seq)
                    continue; // received before (a replayed answer)
                last_seq = std::max(last_seq, seq);
                std::string chunk = str(c, "chunk");
                if (chunk.empty())
                    continue;
                had_output = true;
                if (str(c, "stream") == "stdout") {
                    if (json)
                        o.out_text += chunk;
                    else
                        *inv.out << chunk << std::flush;
                } else {
                    if (json)
                        o.err_text += chunk;
                    else
                        *inv.err << chunk << std::flush;
                }
            }
        }
        printed = printed || had_output;
        o.status = str(r, "status");
        if (o.status == "running")
            continue;
        o.exit_code = intMember(r, "exit_code");
        o.error = str(r, "error");
        o.pending_invoice = r.contains("pending_invoice") ? r["pending_invoice"] : Json();
        // Official behaviour: a terminal poll that looks empty may have raced the last output;
        // poll again, at most 5 extra times.
        if (!had_output && o.error.empty() && o.exit_code.value_or(0) == 0 && !printed &&
            extra_polls < 5) {
            ++extra_polls;
            continue;
        }
        break;
    }

    long long code = o.exit_code.value_or(0);
    if ((o.status == "failed" || o.status == "cancelled") && code == 0)
        code = 1;
    std::string bolt11;
    if (o.pending_invoice.is_object())
        bolt11 = str(o.pending_invoice, "bolt11");
    if (json) {
        OrderedJson result;
        result["execution_id"] = eid;
        result["status"] = o.status;
        result["exit_code"] = o.exit_code ? OrderedJson(*o.exit_code) : OrderedJson(nullptr);
        result["error"] = o.error.empty() ? OrderedJson(nullptr) : OrderedJson(o.error);
        result["stdout"] = o.out_text;
        result["stderr"] = o.err_text;
        result["pending_invoice"] = OrderedJson::parse(o.pending_invoice.dump());
        *inv.out << result.dump(-1, ' ', false, OrderedJson::error_handler_t::replace) << "\n";
        inv.out->flush();
        return static_cast<int>(code & 0xff);
    }
    if (!o.error.empty())
        *inv.err << "Error: " << o.error << "\n";
    if (!o.pending_invoice.is_null())
        *inv.err << "\nPayment required. Invoice:\n" << bolt11 << "\n";
    inv.err->flush();
    return static_cast<int>(code & 0xff);
}

int runExecCancel(Invocation& inv) {
    Api api(inv);
    const std::string& eid = inv.args[0];
    Json r = api.json({"DELETE", "/executions/" + pathSegment(eid), {}, std::nullopt});
    if (jsonMode(inv)) {
        printJson(inv, r);
        return 0;
    }
    *inv.out << "Execution " << eid << " cancelled\n";
    return 0;
}

} // namespace

std::unique_ptr<Command> makeExecCommand() {
    auto c = std::make_unique<Command>("exec [sandbox-id] [command...]",
                                       "Execute a command in a sandbox",
                                       "Run a command in the sandbox and wait for the result.");
    c->args = ArgsRule::minimum(2);
    c->interspersed = false;
    c->addFlag("poll", 0, FlagType::Int, "Poll interval in milliseconds", "500");
    c->addFlag("timeout", 0, FlagType::Int, "Execution timeout in milliseconds");
    c->addFlag("workdir", 'd', FlagType::String, "Working directory inside sandbox");
    c->example = "  # Flags go before the sandbox id; everything after it is the command\n"
                 "  sockt exec $ID echo \"hello world\"\n"
                 "  sockt exec --timeout 60000 --workdir /home/sandbox/app $ID npm install\n"
                 "\n"
                 "  # The exit code is the remote command's\n"
                 "  sockt exec $ID \"sh -c 'exit 3'\"; echo $?\n"
                 "\n"
                 "  # One JSON object with stdout, stderr and exit_code\n"
                 "  sockt exec --json $ID uname -a";
    c->run = runExec;
    return c;
}

std::unique_ptr<Command> makeExecCancelCommand() {
    auto c = std::make_unique<Command>("exec-cancel [execution-id]", "Cancel a running execution");
    c->args = ArgsRule::exact(1);
    c->example = "  sockt exec-cancel exec_209310eacf5c98338f65ab1d";
    c->run = runExecCancel;
    return c;
}

} // namespace sockt::cli
