// The request each method sends (method, path, query, headers, JSON body) and the parsing of each
// response, against a scripted fixture server.
#include "core_test_helpers.hpp"
#include "transport/http_exchange.hpp" // kBodySlice: where the streamed body is cut

#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <gtest/gtest.h>
#include <mutex>
#include <random>
#include <sockt/sockt.hpp>
#include <string>
#include <utility>
#include <unistd.h>
#include <vector>

using namespace sockt;
using namespace sockt::testing;

namespace {

const std::string kPrefix = std::string("/v1/sandboxes/") + kSandboxId;

void expectCommonHeaders(const RecordedRequest& r, const std::string& credential) {
    EXPECT_EQ(r.header("authorization"), "Bearer " + credential);
    EXPECT_EQ(r.header("user-agent").rfind("sockt-cpp/" + std::string(version()), 0), 0u)
        << r.header("user-agent");
}

void expectNoBody(const RecordedRequest& r) {
    EXPECT_TRUE(r.body.empty()) << r.body;
    EXPECT_FALSE(r.has_header("content-type")) << r.method << " " << r.path;
}

Json jsonBody(const RecordedRequest& r) {
    EXPECT_EQ(r.header("content-type"), "application/json");
    return Json::parse(r.body);
}

} // namespace

TEST(Requests, ListTiers) {
    FixtureServer server;
    server.enqueue(Reply::json(200, R"J({"note":"n","tiers":[
        {"tier":"nano","name":"nano","msats_per_second":500,"sats_per_second":0.5,"usd_cents_per_second":0.000277,"cost_per_minute_sats":30,"cost_per_hour_sats":1800,"cost_per_day_sats":43200,"cost_per_hour_usd":0.01},
        {"tier":"micro","msats_per_second":1000.0,"sats_per_second":1,"usd_cents_per_second":0.000555,"cost_per_minute_sats":60,"cost_per_hour_sats":3600,"cost_per_day_sats":86400,"cost_per_hour_usd":0.02}]})J"));
    ComputeClient client(optionsFor(server));
    auto tiers = client.listTiers();
    ASSERT_EQ(tiers.size(), 2u);
    EXPECT_EQ(tiers[0].name, "nano");
    EXPECT_EQ(tiers[1].name, "micro");
    EXPECT_EQ(tiers[1].msats_per_second, 1000);
    EXPECT_DOUBLE_EQ(tiers[1].sats_per_second, 1.0);
    EXPECT_DOUBLE_EQ(tiers[0].cost_per_hour_usd, 0.01);
    auto r = server.requests().at(0);
    EXPECT_EQ(r.method, "GET");
    EXPECT_EQ(r.path, "/v1/sandboxes/tiers");
    EXPECT_TRUE(r.raw_query.empty());
    expectCommonHeaders(r, kApiKey);
    expectNoBody(r);
}

TEST(Requests, CreateCreditsParsesThePascalCaseSuperset) {
    FixtureServer server;
    server.enqueue(
        Reply::json(201, std::string(R"J({"sandbox_id":")J") + kSandboxId +
                             R"J(","status":"starting","tier":"small","billing_method":"credits",
 "runtime":"local","template":"sockt-small","label":"my-dev-env","sandbox_token":null,"invoice":null,
 "payment_hash":null,"amount_msats":null,"amount_sats":null,"msats_per_second":null,"prepaid_seconds":null,
 "expires_at":null,"pending_invoice":null,"created_at":"2026-05-29T15:45:00Z",
 "ID":")J" + kSandboxId + R"J(","Status":"starting","BillingMethod":"credits","Tier":"small",
 "Template":"sockt-small","Runtime":"local","PrepaidBalanceSubcents":1000000,"UserID":"usr_db105e7fe087"})J"));
    ComputeClient client(optionsFor(server));
    CreateSandboxOptions o;
    o.tier = "small";
    o.initial_credits_cents = 10;
    o.label = "my-dev-env";
    Sandbox sb = client.createSandbox(o);
    EXPECT_EQ(sb.id(), kSandboxId);
    EXPECT_EQ(sb.status(), "starting");
    EXPECT_FALSE(sb.pendingInvoice());
    EXPECT_FALSE(sb.sandboxToken());
    ASSERT_TRUE(sb.created());
    EXPECT_EQ(sb.created()->prepaid_balance_subcents, 1000000);
    EXPECT_EQ(sb.created()->label, "my-dev-env");
    auto r = server.requests().at(0);
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.path, "/v1/sandboxes");
    expectCommonHeaders(r, kApiKey);
    Json body = jsonBody(r);
    EXPECT_EQ(body,
              Json::parse(R"J({"tier":"small","initial_credits_cents":10,"label":"my-dev-env"})J"));
}

TEST(Requests, CreateCreditsWithOnlyPascalCaseKeys) {
    FixtureServer server;
    server.enqueue(Reply::json(
        201,
        R"J({"ID":"sb_9f8a3d2e1c0b","Status":"creating","Tier":"nano","PrepaidBalanceSubcents":5.0})J"));
    ComputeClient client(optionsFor(server));
    Sandbox sb = client.createSandbox();
    EXPECT_EQ(sb.id(), "sb_9f8a3d2e1c0b");
    EXPECT_EQ(sb.status(), "creating");
    EXPECT_EQ(sb.created()->tier, "nano");
    EXPECT_EQ(Json::parse(server.requests().at(0).body), Json::parse(R"J({"tier":"nano"})J"));
}

TEST(Requests, CreateLightningKeepsTokenAndInvoiceAndUsesTheToken) {
    FixtureServer server;
    server.enqueue(Reply::json(201, std::string(R"J({"sandbox_id":")J") + kSandboxId +
                                        R"J(","status":"awaiting_payment","tier":"nano",
 "billing_method":"lightning","runtime":"local","template":"sockt-nano","label":null,
 "sandbox_token":")J" + kToken + R"J(",
 "invoice":"lnbc50u1d43pn9ees5w738cpsx2m5stnm0l7mxqvas4nl9808j0dpj3cwk6kqnka2y",
 "payment_hash":"694da948e379479c5c59498ad941b566bd7143ca483cf3c5a101050c9bd6abb7",
 "amount_msats":5000000,"amount_sats":5000,"msats_per_second":500,"prepaid_seconds":10000,
 "expires_at":"2026-05-29T16:00:00Z",
 "pending_invoice":{"bolt11":"lnbc50u1d43pn9ees5w738cpsx2m5stnm0l7mxqvas4nl9808j0dpj3cwk6kqnka2y",
   "payment_hash":"694da948e379479c5c59498ad941b566bd7143ca483cf3c5a101050c9bd6abb7","amount_msats":5000000,
   "expires_at":"2026-05-29T16:00:00Z"},
 "created_at":"2026-05-29T15:45:00Z"})J"));
    auto opts = optionsFor(server);
    opts.api_key.reset();
    ComputeClient client(opts);
    CreateSandboxOptions o;
    o.billing_method = "lightning";
    o.prepaid_sats = 5000;
    Sandbox sb = client.createSandbox(o);
    EXPECT_EQ(sb.status(), "awaiting_payment");
    ASSERT_TRUE(sb.pendingInvoice());
    EXPECT_EQ(sb.pendingInvoice()->amount_msats, 5000000);
    EXPECT_EQ(sb.pendingInvoice()->bolt11.rfind("lnbc50u1", 0), 0u);
    EXPECT_EQ(sb.sandboxToken(), kToken);
    EXPECT_EQ(sb.created()->prepaid_seconds, 10000);
    auto create = server.requests().at(0);
    EXPECT_FALSE(create.has_header("authorization"));
    EXPECT_EQ(Json::parse(create.body),
              Json::parse(R"J({"tier":"nano","billing_method":"lightning","prepaid_sats":5000})J"));

    // Later calls on this sandbox use its token, also as ?sandbox_token= on GET (§12 rule 6).
    server.enqueue(Reply::json(200, statusBody("awaiting_payment")));
    sb.refreshStatus();
    auto status = server.requests().at(1);
    EXPECT_EQ(status.header("authorization"), std::string("Bearer ") + kToken);
    EXPECT_EQ(status.query.at("sandbox_token"), kToken);
}

TEST(Requests, CreditsCreateSendsTheApiKeyEvenWithAToken) {
    FixtureServer server;
    server.enqueue(Reply::json(201, R"J({"sandbox_id":"a","status":"starting"})J"));
    server.enqueue(Reply::json(201, R"J({"sandbox_id":"b","status":"awaiting_payment"})J"));
    auto opts = optionsFor(server);
    opts.sandbox_token = kToken;
    ComputeClient client(opts);
    client.createSandbox();
    CreateSandboxOptions lightning;
    lightning.billing_method = "lightning";
    client.createSandbox(lightning);
    auto reqs = server.requests();
    EXPECT_EQ(reqs.at(0).header("authorization"), std::string("Bearer ") + kApiKey);
    EXPECT_EQ(reqs.at(1).header("authorization"), std::string("Bearer ") + kToken);
    EXPECT_TRUE(reqs.at(0).query.empty()); // POSTs never carry the token in the query
}

TEST(Requests, GetSandboxLoadsTheStatus) {
    FixtureServer server;
    server.enqueue(Reply::json(200, statusBody("running", R"J("extra_field":true)J")));
    ComputeClient client(optionsFor(server));
    Sandbox sb = client.getSandbox(kSandboxId);
    EXPECT_EQ(sb.status(), "running");
    ASSERT_TRUE(sb.lastStatus());
    EXPECT_EQ(sb.lastStatus()->template_name, "sockt-nano");
    EXPECT_EQ(sb.lastStatus()->prepaid_balance_subcents, 1000000);
    EXPECT_EQ(sb.lastStatus()->next_poll_secs, 2);
    EXPECT_EQ(sb.lastStatus()->raw["extra_field"], true);
    auto r = server.requests().at(0);
    EXPECT_EQ(r.method, "GET");
    EXPECT_EQ(r.path, kPrefix);
    EXPECT_TRUE(r.query.empty()); // API keys never travel in the query
    expectCommonHeaders(r, kApiKey);
    expectNoBody(r);
}

TEST(Requests, LastStatusIsTheNewestAnswerAsRefreshStatusReturnedIt) {
    // lastStatus() is re-made from the cached answer text: it must equal what refreshStatus()
    // returned, also for an answer without an id (the handle's id fills it in).
    FixtureServer server;
    server.enqueue(Reply::json(200, statusBody("running", R"J("extra_field":true)J")));
    server.enqueue(Reply::json(200, R"J({"status":"paused","tier":"nano","label":"x"})J"));
    ComputeClient client(optionsFor(server));
    Sandbox sb = client.getSandbox(kSandboxId);
    ASSERT_TRUE(sb.lastStatus());
    EXPECT_EQ(sb.lastStatus()->status, "running");
    const SandboxStatus fresh = sb.refreshStatus();
    EXPECT_EQ(fresh.sandbox_id, kSandboxId);
    EXPECT_EQ(fresh.status, "paused");
    const auto cached = sb.lastStatus();
    ASSERT_TRUE(cached);
    EXPECT_EQ(cached->sandbox_id, kSandboxId);
    EXPECT_EQ(cached->status, "paused");
    EXPECT_EQ(cached->label, std::optional<std::string>("x"));
    EXPECT_EQ(cached->raw, fresh.raw);
    EXPECT_FALSE(cached->raw.contains("sandbox_id"));
    EXPECT_EQ(sb.status(), "paused");
}

TEST(Requests, PauseResumeAndTerminate) {
    FixtureServer server;
    ComputeClient client(optionsFor(server));
    Sandbox sb = runningSandbox(client, server);
    server.enqueue(Reply::json(200, std::string(R"J({"sandbox_id":")J") + kSandboxId +
                                        R"J(","status":"paused"})J"));
    server.enqueue(Reply::json(200, std::string(R"J({"sandbox_id":")J") + kSandboxId +
                                        R"J(","status":"running"})J"));
    server.enqueue(Reply::json(200, std::string(R"J({"sandbox_id":")J") + kSandboxId +
                                        R"J(","status":"terminated","consumed_msats_total":1250000,
      "terminated_at":"2026-05-29T10:15:30Z","refund":{"status":"sent","amount_sats":3750,"address":"agent-sats@wallet.example"}})J"));
    server.enqueue(Reply::json(
        200, std::string(R"J({"sandbox_id":")J") + kSandboxId +
                 R"J(","status":"terminated","refund":null,"already_terminated":true})J"));
    EXPECT_EQ(sb.pause(), "paused");
    EXPECT_EQ(sb.status(), "paused");
    EXPECT_EQ(sb.resume(), "running");
    auto t = sb.terminate(std::string("agent-sats@wallet.example"));
    EXPECT_EQ(t.status, "terminated");
    EXPECT_EQ(t.consumed_msats_total, 1250000);
    EXPECT_EQ(t.refund["amount_sats"], 3750);
    EXPECT_EQ(sb.status(), "terminated");
    auto again = sb.terminate();
    EXPECT_TRUE(again.already_terminated);
    EXPECT_TRUE(again.refund.is_null());

    auto reqs = server.requests();
    EXPECT_EQ(reqs.at(1).method, "POST");
    EXPECT_EQ(reqs.at(1).path, kPrefix + "/pause");
    expectNoBody(reqs.at(1));
    EXPECT_EQ(reqs.at(2).path, kPrefix + "/resume");
    expectNoBody(reqs.at(2));
    EXPECT_EQ(reqs.at(3).method, "DELETE");
    EXPECT_EQ(reqs.at(3).path, kPrefix);
    EXPECT_EQ(jsonBody(reqs.at(3)),
              Json::parse(R"J({"lightning_address":"agent-sats@wallet.example"})J"));
    EXPECT_EQ(reqs.at(4).method, "DELETE");
    expectNoBody(reqs.at(4));
    EXPECT_THROW(sb.terminate(std::string("not-an-address")), InvalidArgumentError);
}

TEST(Requests, ExecExecResultAndExecCancel) {
    FixtureServer server;
    ComputeClient client(optionsFor(server));
    Sandbox sb = runningSandbox(client, server);
    server.enqueue(Reply::json(200, execStarted("exec_209310eacf5c98338f65ab1d")));
    server.enqueue(Reply::json(
        200, execPoll("running", R"J([{"stream":"stdout","chunk":"Accuracy: 94.2%\n"}])J", "null",
                      "exec_209310eacf5c98338f65ab1d")));
    server.enqueue(Reply::json(
        200, R"J({"execution_id":"exec_209310eacf5c98338f65ab1d","status":"cancelled"})J"));
    ExecOptions o;
    o.working_dir = "proj";
    o.timeout_ms = 5000;
    Execution e = sb.exec("python3 eval.py", o);
    EXPECT_EQ(e.execution_id, "exec_209310eacf5c98338f65ab1d");
    EXPECT_EQ(e.status, "running");
    EXPECT_EQ(e.working_dir, "/home/sandbox");
    EXPECT_EQ(e.timeout_ms, 30000);
    ExecResult r = sb.execResult(e.execution_id);
    EXPECT_EQ(r.status, "running");
    EXPECT_EQ(r.stdoutText(), "Accuracy: 94.2%\n");
    EXPECT_FALSE(r.exit_code);
    EXPECT_FALSE(r.finished());
    EXPECT_EQ(sb.execCancel(e.execution_id), "cancelled");

    auto reqs = server.requests();
    EXPECT_EQ(reqs.at(1).method, "POST");
    EXPECT_EQ(reqs.at(1).path, kPrefix + "/exec");
    EXPECT_EQ(
        jsonBody(reqs.at(1)),
        Json::parse(R"J({"command":"python3 eval.py","working_dir":"proj","timeout_ms":5000})J"));
    EXPECT_EQ(reqs.at(2).method, "GET");
    EXPECT_EQ(reqs.at(2).path, "/v1/executions/exec_209310eacf5c98338f65ab1d");
    EXPECT_FALSE(reqs.at(2).query.count("wait_ms"));
    expectNoBody(reqs.at(2));
    EXPECT_EQ(reqs.at(3).method, "DELETE");
    EXPECT_EQ(reqs.at(3).path, "/v1/executions/exec_209310eacf5c98338f65ab1d");
    expectNoBody(reqs.at(3));
}

TEST(Requests, WriteReadAndListFiles) {
    FixtureServer server;
    ComputeClient client(optionsFor(server));
    Sandbox sb = runningSandbox(client, server);
    server.enqueue(Reply::json(
        200, R"J({"path":"/home/sandbox/eval.py","bytes_written":14,"created_dirs":false})J"));
    server.enqueue(Reply::json(
        200, R"J({"path":"/home/sandbox/bin.dat","bytes_written":4,"created_dirs":true})J"));
    server.enqueue(Reply::json(
        200,
        R"J({"path":"/home/sandbox/eval.py","size_bytes":14,"size":14,"encoding":"utf8","truncated":false,"content":"print('hello')"})J"));
    server.enqueue(Reply::json(
        200,
        R"J({"path":"/home/sandbox/bin.dat","size":4,"encoding":"base64","truncated":true,"content":"AAH/"})J"));
    server.enqueue(Reply::json(
        200,
        R"J({"entries":[{"name":".bashrc","size":220,"mod_ts":1716982800,"is_dir":false,"is_file":true,"is_symlink":false},
        {"name":"src","size":4096,"mod_ts":1716982950,"is_dir":true,"is_file":false,"is_symlink":false}],"total_entries":2,"truncated":false})J"));

    auto w = sb.writeFile("eval.py", "print('hello')");
    EXPECT_EQ(w.bytes_written, 14);
    EXPECT_EQ(w.path, "/home/sandbox/eval.py");
    auto wb = sb.writeFileBytes("bin.dat", std::string("\x00\x01\xff", 3), false);
    EXPECT_TRUE(wb.created_dirs);
    EXPECT_EQ(sb.readFile("eval.py"), "print('hello')");
    ReadFileOptions ro;
    ro.encoding = "base64";
    ro.max_bytes = 3;
    ReadResult rr = sb.readFileResult("bin.dat", ro);
    EXPECT_EQ(rr.size_bytes, 4);
    EXPECT_TRUE(rr.truncated);
    EXPECT_EQ(base64Decode(rr.content), std::string("\x00\x01\xff", 3));
    ListFilesOptions lo;
    lo.path = "src";
    lo.recursive = true;
    lo.max_depth = 2;
    auto entries = sb.listFiles(lo);
    ASSERT_EQ(entries.size(), 2u);
    EXPECT_EQ(entries[0].name, ".bashrc");
    EXPECT_EQ(entries[0].size, 220);
    EXPECT_EQ(entries[0].mod_ts, 1716982800);
    EXPECT_TRUE(entries[1].is_dir);

    auto reqs = server.requests();
    EXPECT_EQ(reqs.at(1).path, kPrefix + "/files/write");
    EXPECT_EQ(
        jsonBody(reqs.at(1)),
        Json::parse(
            R"J({"path":"eval.py","content":"print('hello')","encoding":"utf8","create_dirs":true})J"));
    EXPECT_EQ(
        jsonBody(reqs.at(2)),
        Json::parse(
            R"J({"path":"bin.dat","content":"AAH/","encoding":"base64","create_dirs":false})J"));
    EXPECT_EQ(reqs.at(3).path, kPrefix + "/files/read");
    EXPECT_EQ(jsonBody(reqs.at(3)), Json::parse(R"J({"path":"eval.py","encoding":"utf8"})J"));
    EXPECT_EQ(jsonBody(reqs.at(4)),
              Json::parse(R"J({"path":"bin.dat","encoding":"base64","max_bytes":3})J"));
    EXPECT_EQ(reqs.at(5).method, "GET");
    EXPECT_EQ(reqs.at(5).path, kPrefix + "/files");
    EXPECT_EQ(reqs.at(5).query.at("path"), "src");
    EXPECT_EQ(reqs.at(5).query.at("recursive"), "true");
    EXPECT_EQ(reqs.at(5).query.at("max_depth"), "2");
    expectNoBody(reqs.at(5));
}

TEST(Requests, Base64ReadFallsBackToContentB64) {
    // The official Python SDK reads base64 content only from `content_b64`, so a production
    // answer may carry nothing else (docs/protocol-notes.md row 1).
    FixtureServer server;
    ComputeClient client(optionsFor(server));
    Sandbox sb = runningSandbox(client, server);
    server.enqueue(Reply::json(
        200,
        R"J({"path":"/home/sandbox/b","size_bytes":3,"encoding":"base64","truncated":false,"content_b64":"AAH/"})J"));
    EXPECT_EQ(sb.readFileBytes("b"), std::string("\x00\x01\xff", 3));
    EXPECT_EQ(ReadResult::fromJson(Json::parse(R"({"content_b64":"QQ=="})")).content, "QQ==");
}

TEST(Requests, ClientSideValidationSendsNothing) {
    FixtureServer server;
    ComputeClient client(optionsFor(server));
    Sandbox sb = runningSandbox(client, server);
    EXPECT_THROW(sb.exec(""), InvalidArgumentError);
    ExecOptions bad;
    bad.timeout_ms = -1;
    EXPECT_THROW(sb.exec("ls", bad), InvalidArgumentError);
    WriteFileOptions enc;
    enc.encoding = "latin1";
    EXPECT_THROW(sb.writeFile("a", "b", enc), InvalidArgumentError);
    enc.encoding = "base64";
    EXPECT_THROW(sb.writeFile("a", "not base64!", enc), InvalidArgumentError);
    EXPECT_THROW(sb.writeFile("", "x"), InvalidArgumentError);
    EXPECT_THROW(sb.writeFile("a", std::string("\xff\xfe", 2)), InvalidArgumentError);
    ReadFileOptions ro;
    ro.max_bytes = -5;
    EXPECT_THROW(sb.readFile("a", ro), InvalidArgumentError);
    ListFilesOptions lo;
    lo.max_depth = -1;
    EXPECT_THROW(sb.listFiles(lo), InvalidArgumentError);
    EXPECT_THROW(sb.on("nonsense", [](const BillingEvent&) {}), InvalidArgumentError);
    CreateSandboxOptions co;
    co.billing_method = "bitcoin";
    EXPECT_THROW(client.createSandbox(co), InvalidArgumentError);
    EXPECT_THROW(client.getSandbox(""), InvalidArgumentError);
    EXPECT_EQ(server.requestCount(), 1u); // only the status load of runningSandbox
}

TEST(Requests, RawRequestApiAndBasePathPrefix) {
    FixtureServer server;
    server.enqueue(Reply::json(200, R"J({"ok":true})J").header("X-Request-Id", "req_abc"));
    server.enqueue(Reply::json(404, R"J({"code":"not_found"})J"));
    auto opts = optionsFor(server);
    opts.base_url = server.url() + "/proxy///";
    opts.user_agent_suffix = "python/3.11";
    ComputeClient client(opts);
    EXPECT_EQ(client.baseUrl(), server.url() + "/proxy");
    HttpRequest req{"POST", "/local/v1/credits"};
    req.absolute_path = true;
    req.body = R"J({"cents":5})J";
    req.query = {{"a b", "c&d"}};
    HttpResponse resp = client.request(req);
    EXPECT_EQ(resp.status, 200);
    EXPECT_EQ(resp.header("x-request-id"), "req_abc");
    HttpResponse missing = client.request({"GET", "/sandboxes/nope"});
    EXPECT_EQ(missing.status, 404);
    EXPECT_THROW(ComputeClient::throwForStatus(missing), APIError);
    auto reqs = server.requests();
    EXPECT_EQ(reqs.at(0).path, "/proxy/local/v1/credits");
    EXPECT_EQ(reqs.at(0).query.at("a b"), "c&d");
    EXPECT_EQ(reqs.at(0).header("user-agent"),
              "sockt-cpp/" + std::string(version()) + " python/3.11");
    EXPECT_EQ(reqs.at(1).path, "/proxy/v1/sandboxes/nope");
}

// --- Large-file paths: writeFileBytes encodes into the body, reads cut the content out of the
// raw answer (fast path) or parse it whole (fallback). Both must give the same bytes and errors.

namespace {

std::string randomBytes(std::size_t n, unsigned seed) {
    std::mt19937_64 rng(seed);
    std::string bytes(n, '\0');
    for (auto& c : bytes)
        c = static_cast<char>(rng());
    return bytes;
}

/// A fixture handler acting as a one-file sandbox: files/write stores the decoded content,
/// files/read answers it (built by `answer` from the stored base64 text).
struct OneFileSandbox {
    std::mutex mutex;
    std::string stored_b64;
    std::function<std::string(const std::string&)> answer = [](const std::string& b64) {
        return R"({"path":"/home/sandbox/f","size_bytes":0,"encoding":"base64","truncated":false,)"
               R"("content":")" +
               b64 + "\"}";
    };

    void install(FixtureServer& server) {
        server.setHandler([this](const RecordedRequest& r) {
            std::lock_guard<std::mutex> lock(mutex);
            Json body = Json::parse(r.body);
            if (r.path == kPrefix + "/files/write") {
                stored_b64 = body.at("content").get<std::string>();
                return Reply::json(200, R"({"path":"/home/sandbox/f","bytes_written":)" +
                                            std::to_string(base64Decode(stored_b64).size()) +
                                            R"(,"created_dirs":false})");
            }
            if (r.path == kPrefix + "/files/read")
                return Reply::json(200, answer(stored_b64));
            return Reply::json(404, R"({"code":"not_found","message":"unscripted"})");
        });
    }
};

/// Answers every read with `body` (status 200).
std::string readBytesAnswering(const std::string& body) {
    FixtureServer server;
    ComputeClient client(optionsFor(server));
    Sandbox sb = runningSandbox(client, server);
    server.enqueue(Reply::json(200, body));
    return sb.readFileBytes("f");
}

ReadResult readResultAnswering(const std::string& body, const std::string& encoding = "utf8") {
    FixtureServer server;
    ComputeClient client(optionsFor(server));
    Sandbox sb = runningSandbox(client, server);
    server.enqueue(Reply::json(200, body));
    ReadFileOptions o;
    o.encoding = encoding;
    return sb.readFileResult("f", o);
}

} // namespace

TEST(Requests, BinaryRoundTripsOfManySizes) {
    FixtureServer server;
    ComputeClient client(optionsFor(server));
    Sandbox sb = runningSandbox(client, server);
    OneFileSandbox fake;
    fake.install(server);
    unsigned seed = 1;
    // The body is produced and sent in slices of kBodySlice bytes on the wire while the content is
    // encoded: sizes whose encoding fills one slice exactly (3/4 of it in input bytes) and whose
    // whole body does (slice minus the prefix and the closing quote and brace), each ± 1, and
    // large bodies of many slices, one of them with padding.
    const std::string prefix = R"({"path":"dir/f","encoding":"base64","create_dirs":true,)"
                               R"("content":")";
    constexpr std::size_t kSlice = sockt::detail::kBodySlice;
    constexpr std::size_t kSliceInput = kSlice / 4 * 3;
    const std::size_t body_fills_slice = (kSlice - prefix.size() - 2) / 4 * 3;
    std::vector<std::size_t> sizes = {0u,
                                      1u,
                                      2u,
                                      3u,
                                      4u,
                                      5u,
                                      64u * 1024 + 1,
                                      kSliceInput - 1,
                                      kSliceInput,
                                      kSliceInput + 1,
                                      2 * kSliceInput + 2,
                                      body_fills_slice - 1,
                                      body_fills_slice,
                                      body_fills_slice + 1,
                                      3u * 1024 * 1024,
                                      3u * 1024 * 1024 + 2};
    for (std::size_t size : sizes) {
        const std::string bytes = randomBytes(size, seed++);
        WriteResult w = sb.writeFileBytes("dir/f", bytes, true);
        EXPECT_EQ(w.bytes_written, static_cast<std::int64_t>(size));
        // The body on the wire: exactly the documented keys around base64Encode(bytes), with
        // its exact length declared.
        const RecordedRequest sent = server.requests().back();
        EXPECT_EQ(sent.header("content-type"), "application/json");
        const std::string expected = prefix + base64Encode(bytes) + "\"}";
        EXPECT_EQ(sent.header("content-length"), std::to_string(expected.size())) << size;
        EXPECT_EQ(sent.body.size(), expected.size()) << size;
        EXPECT_TRUE(sent.body == expected) << size; // not printed: megabytes
        Json body = Json::parse(sent.body);
        EXPECT_EQ(body.size(), 4u);
        EXPECT_EQ(body.at("path"), "dir/f");
        EXPECT_EQ(body.at("encoding"), "base64");
        EXPECT_EQ(body.at("create_dirs"), true);
        EXPECT_EQ(body.at("content"), base64Encode(bytes)) << size;
        EXPECT_EQ(sb.readFileBytes("dir/f"), bytes) << size;
        ReadFileOptions o;
        o.encoding = "base64";
        ReadResult rr = sb.readFileResult("dir/f", o);
        EXPECT_EQ(rr.content, base64Encode(bytes)) << size;
        EXPECT_TRUE(rr.raw.at("content").is_null());
        EXPECT_EQ(rr.raw.at("path"), "/home/sandbox/f");
    }
}

TEST(Requests, StreamedBinaryWriteIsResentWholeOnPodStarting) {
    // A pod-starting answer (docs/protocol.md §3.5) resends the identical request: the streamed
    // body is produced again from its first byte, several slices long.
    FixtureServer server;
    ComputeClient client(optionsFor(server));
    Sandbox sb = runningSandbox(client, server);
    const std::string pod_starting =
        R"J({"code":"pod_starting","error":"pod unreachable","message":"sandbox is starting",)J"
        R"J("hint":null,"request_id":"req_1"})J";
    server.enqueue(Reply::json(503, pod_starting));
    server.enqueue(Reply::json(503, pod_starting));
    server.enqueue(Reply::json(
        200, R"J({"path":"/home/sandbox/f","bytes_written":700001,"created_dirs":false})J"));
    const std::string bytes = randomBytes(700001, 7);
    WriteResult w = sb.writeFileBytes("f", bytes, false);
    EXPECT_EQ(w.bytes_written, 700001);
    const std::string expected =
        R"({"path":"f","encoding":"base64","create_dirs":false,"content":")" + base64Encode(bytes) +
        "\"}";
    auto reqs = server.requests();
    ASSERT_EQ(reqs.size(), 4u); // the status, then three attempts
    for (std::size_t i = 1; i < reqs.size(); ++i) {
        EXPECT_EQ(reqs[i].path, kPrefix + "/files/write");
        EXPECT_EQ(reqs[i].header("content-length"), std::to_string(expected.size()));
        EXPECT_TRUE(reqs[i].body == expected) << i;
    }
}

TEST(Requests, BinaryReadAnswerShapes) {
    // Every shape goes through a fake whose answer carries the stored base64 in another way.
    const std::string bytes = randomBytes(3000, 99);
    std::string b64 = base64Encode(bytes);
    ASSERT_NE(b64.find('/'), std::string::npos); // the escaped-slash case needs one
    const std::vector<std::pair<std::string, std::function<std::string(const std::string&)>>>
        shapes = {
            {"content_b64 only",
             [](const std::string& s) {
                 return R"({"path":"/home/sandbox/f","encoding":"base64","content_b64":")" + s +
                        "\"}";
             }},
            {"both keys",
             [](const std::string& s) {
                 return R"({"path":"/home/sandbox/f","content":")" + s +
                        R"(","encoding":"base64","content_b64":")" + s + "\"}";
             }},
            {"both keys, content_b64 first",
             [](const std::string& s) {
                 return R"({"content_b64":")" + s + R"(","content":")" + s + "\"}";
             }},
            {"whitespace everywhere",
             [](const std::string& s) {
                 return "\n{ \"path\" : \"/home/sandbox/f\" ,\r\n \"content\" :\t \"" + s +
                        "\" , \"truncated\" : false }\n";
             }},
            {"escaped slashes (fallback)",
             [](const std::string& s) {
                 std::string escaped;
                 for (char c : s)
                     escaped += c == '/' ? std::string("\\/") : std::string(1, c);
                 return R"({"path":"/home/sandbox/f","content":")" + escaped + "\"}";
             }},
            {"line-wrapped base64 as \\n escapes (fallback)",
             [](const std::string& s) {
                 std::string wrapped;
                 for (std::size_t i = 0; i < s.size(); i += 76)
                     wrapped += s.substr(i, 76) + "\\n";
                 return R"({"content":")" + wrapped + "\"}";
             }},
            {"content first, other keys after",
             [](const std::string& s) {
                 return R"({"content":")" + s +
                        R"(","truncated":false,"size_bytes":3000,"path":"/home/sandbox/f"})";
             }},
            {"the text \"content\":\" inside a path, a key and a nested object",
             [](const std::string& s) {
                 return R"({"path":"/home/sandbox/x\"content\":\"QUJD\"","a\"content":"QUJD",)"
                        R"("meta":{"content":"QUJD","list":["\"content\":\"QUJD",{"content":"x"}]},)"
                        R"("content":")" +
                        s + R"(","z":"\\"})";
             }},
        };
    for (const auto& [name, shape] : shapes) {
        FixtureServer server;
        ComputeClient client(optionsFor(server));
        Sandbox sb = runningSandbox(client, server);
        OneFileSandbox fake;
        fake.answer = shape;
        fake.install(server);
        sb.writeFileBytes("f", bytes);
        EXPECT_EQ(sb.readFileBytes("f"), bytes) << name;
        ReadFileOptions o;
        o.encoding = "base64";
        ReadResult rr = sb.readFileResult("f", o);
        // The content as sent (JSON escapes resolved), raw every other key, content keys null.
        Json expected = Json::parse(shape(b64));
        EXPECT_EQ(rr.content, expected.value("content", expected.value("content_b64", ""))) << name;
        for (const char* key : {"content", "content_b64"})
            if (expected.contains(key))
                expected[key] = nullptr;
        EXPECT_EQ(rr.raw, expected) << name;
    }
}

TEST(Requests, ReadAnswerEdgeCasesMatchTheFullParser) {
    // `content` wins over `content_b64`, also when it is the empty string.
    EXPECT_EQ(readBytesAnswering(R"({"content_b64":"QUJD","content":"REVG"})"), "DEF");
    EXPECT_EQ(readBytesAnswering(R"({"content":"","content_b64":"QUJD"})"), "");
    // A non-string `content` is not content; `content_b64` then is.
    EXPECT_EQ(readBytesAnswering(R"({"content":null,"content_b64":"QUJD"})"), "ABC");
    // Duplicate keys: the JSON parser keeps the last one.
    EXPECT_EQ(readBytesAnswering(R"({"content":"QUJD","content":null})"), "");
    EXPECT_EQ(readBytesAnswering(R"({"content":null,"content":"QUJD"})"), "ABC");
    EXPECT_EQ(readBytesAnswering(R"({"content":"QUJD","content":"REVG"})"), "DEF");
    // No content at all, or an empty body: empty bytes, as before.
    EXPECT_EQ(readBytesAnswering(R"({"path":"f","size_bytes":0})"), "");
    EXPECT_EQ(readBytesAnswering(""), "");
    // Whitespace inside the base64 (a raw space is valid JSON and valid §5.1 base64).
    EXPECT_EQ(readBytesAnswering(R"({"content":"QU JD"})"), "ABC");
    // Valid JSON that is not an object holds no content.
    EXPECT_EQ(readBytesAnswering(R"(["content","QUJD"])"), "");

    // Text reads: plain ASCII (fast path) and escapes / non-ASCII (fallback).
    ReadResult plain = readResultAnswering(
        R"({"path":"/home/sandbox/f","size_bytes":11,"encoding":"utf8","content":"hello world"})");
    EXPECT_EQ(plain.content, "hello world");
    EXPECT_EQ(plain.size_bytes, 11);
    EXPECT_EQ(plain.path, "/home/sandbox/f");
    EXPECT_TRUE(plain.raw.at("content").is_null());
    ReadResult escaped = readResultAnswering(R"({"content":"line\n\"q\" caf\u00e9 \u00e9"})");
    EXPECT_EQ(escaped.content, "line\n\"q\" caf\xc3\xa9 \xc3\xa9");
    ReadResult utf8 = readResultAnswering("{\"content\":\"caf\xc3\xa9\"}");
    EXPECT_EQ(utf8.content, "caf\xc3\xa9");
    EXPECT_EQ(readResultAnswering(R"({"content":"x","encoding":"utf8"})").encoding, "utf8");
}

TEST(Requests, BadReadAnswersThrowTypedErrors) {
    // Invalid base64 in an otherwise valid answer: the decoder's typed error.
    EXPECT_THROW(readBytesAnswering(R"({"path":"f","content":"QU*D"})"), InvalidArgumentError);
    EXPECT_THROW(readBytesAnswering(R"({"content":"QUJD\/"})"), InvalidArgumentError);
    EXPECT_THROW(readBytesAnswering(R"({"content_b64":"Q"})"), InvalidArgumentError);
    // Not JSON, even where the content value itself looks fine: APIError, as from every call.
    for (const std::string body :
         {std::string(R"({"path":"f","content":"QUJD")"),  // truncated
          std::string(R"({"content":"QUJD"} trailing)"),   // junk after the object
          std::string("{\"content\":\"QUJD\nQUJD\"}"),     // raw control char in a string
          std::string("{\"content\":\"QUJD\xff\"}"),       // invalid UTF-8
          std::string(R"({"content":"QUJD",})"),           // trailing comma
          std::string(R"({"path":"f" "content":"QUJD"})"), // missing comma
          std::string(R"({"path":nul,"content":"QUJD"})"), // bad literal elsewhere
          std::string("not json at all")}) {
        try {
            readBytesAnswering(body);
            ADD_FAILURE() << "no error for " << body;
        } catch (const APIError& e) {
            EXPECT_NE(std::string(e.what()).find("not JSON"), std::string::npos) << e.what();
            EXPECT_EQ(e.details().status_code, 200);
        }
    }
    // Error statuses keep the usual error mapping.
    FixtureServer server;
    ComputeClient client(optionsFor(server));
    Sandbox sb = runningSandbox(client, server);
    server.enqueue(Reply::error(404, "not_found", "no such file: f"));
    server.enqueue(Reply::error(409, "sandbox_paused", "paused"));
    try {
        sb.readFileBytes("f");
        ADD_FAILURE() << "no error for 404";
    } catch (const APIError& e) {
        EXPECT_EQ(e.details().status_code, 404);
        EXPECT_EQ(e.details().slug, "not_found");
    }
    EXPECT_THROW(sb.readFileResult("f"), SandboxNotRunningError);
}

TEST(Requests, ReadContentWithAnOddByteAtEveryPosition) {
    // The content scan takes 8 bytes per step: a byte the fast path cannot take as is, at each
    // position of a value, must send the answer to the full parser (same bytes, same errors).
    FixtureServer server;
    ComputeClient client(optionsFor(server));
    Sandbox sb = runningSandbox(client, server);
    const std::string base = "0123456789abcdefghijklmnopqrstuvwxyzABCD";
    struct Case {
        std::string inserted; // raw, as it appears in the body
        std::string expected; // the content, or "" when the body is not JSON
    };
    const std::vector<Case> cases = {
        {"\x7f", "\x7f"},         // DEL: valid JSON, left to the parser
        {"\xc3\xa9", "\xc3\xa9"}, // UTF-8
        {"\\u0041", "A"},         // an escape
        {"\\\"", "\""},           // an escaped quote
        {"\x1f", ""},             // raw control char: not JSON
        {"\x80", ""},             // invalid UTF-8: not JSON
    };
    for (const Case& c : cases) {
        for (std::size_t at = 0; at <= base.size(); ++at) {
            const std::string raw = base.substr(0, at) + c.inserted + base.substr(at);
            server.enqueue(Reply::json(200, R"({"path":"p","content":")" + raw + "\"}"));
            const std::string label =
                "byte " + std::to_string(int(c.inserted[0])) + " at " + std::to_string(at);
            if (c.expected.empty()) {
                EXPECT_THROW(sb.readFile("p"), APIError) << label;
            } else {
                EXPECT_EQ(sb.readFile("p"), base.substr(0, at) + c.expected + base.substr(at))
                    << label;
            }
        }
    }
}

TEST(Requests, LargeReadsDecodedIntoCallerMemoryWhateverTheirWhitespace) {
    // readFileBytesInto (the Python binding's read) decodes answers above 1 MiB of base64 slice
    // by slice, handing each decoded slice's pages back: whitespace before, in and after the
    // first slices must give the same bytes as a one-pass decode.
    const std::string bytes = randomBytes(7u * 1024 * 1024 + 1, 77);
    const std::string b64 = base64Encode(bytes);
    const std::vector<std::pair<std::string, std::size_t>> spaces = {
        {"plain", std::string::npos}, {"a space in the first slice", 1000},
        {"a space in the second slice", 5u * 1024 * 1024},
        {"a space in the last slice", b64.size() - 10}};
    for (const auto& [name, at] : spaces) {
        FixtureServer server;
        ComputeClient client(optionsFor(server));
        Sandbox sb = runningSandbox(client, server);
        std::string content = b64;
        if (at != std::string::npos)
            content.insert(at, " ");
        server.enqueue(Reply::json(200, R"({"path":"/home/sandbox/f","content":")" + content +
                                            "\"}"));
        std::string out;
        const std::size_t n = sb.readFileBytesInto(
            "f", std::nullopt,
            [&out](std::size_t most) {
                out.resize(most);
                return out.data();
            });
        out.resize(n);
        EXPECT_TRUE(out == bytes) << name; // not printed: megabytes
    }
}

TEST(Requests, DownloadOfAWrappedBase64AnswerWritesTheExactBytes) {
    // A server may wrap its base64 (docs/protocol.md §5.1 tolerates whitespace): the download
    // decodes its answer a slice at a time, and a slice with line breaks must not shift the rest.
    const std::string bytes = randomBytes(3u * 1024 * 1024 + 2, 78);
    const std::string b64 = base64Encode(bytes);
    std::string wrapped;
    for (std::size_t i = 0; i < b64.size(); i += 76)
        wrapped += b64.substr(i, 76) + "\\r\\n";
    FixtureServer server;
    ComputeClient client(optionsFor(server));
    Sandbox sb = runningSandbox(client, server);
    // The listing says "not a directory", so the path is read as one file.
    server.enqueue(Reply::json(400, R"({"code":"invalid_params","message":"not a directory"})"));
    server.enqueue(Reply::json(200, R"({"path":"/home/sandbox/f","content":")" + wrapped + "\"}"));
    const std::string local =
        (std::filesystem::temp_directory_path() / ("sockt-wrapped-" + std::to_string(::getpid())))
            .string();
    TransferOptions options;
    options.preserve_mode = false;
    const TransferResult result = sb.download("f", local, options);
    std::ifstream in(local, std::ios::binary);
    const std::string got((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::filesystem::remove(local);
    EXPECT_EQ(result.bytes, bytes.size());
    EXPECT_TRUE(got == bytes); // not printed: megabytes
}
