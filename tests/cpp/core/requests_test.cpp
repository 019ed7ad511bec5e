// The request each method sends (method, path, query, headers, JSON body) and the parsing of each
// response, against a scripted fixture server (issue #2 item 10).
#include "core_test_helpers.hpp"

#include <gtest/gtest.h>
#include <sockt/sockt.hpp>

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
