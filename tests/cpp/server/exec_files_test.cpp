// Exec and files (docs/protocol.md §1.6, §2.7-§2.12, §4, §5), sandbox-token scope, concurrency
// limit.
#include "eventually.hpp"
#include "server_fixture.hpp"

namespace sockt::testing {
namespace {

class ExecFiles : public ServerTest {};

TEST_F(ExecFiles, OutputStatusesAndExitCodes) {
    const auto id = runningSandbox();
    auto ok = run(id, "echo out; echo err >&2; exit 3");
    EXPECT_EQ(ok.status, "completed");
    EXPECT_EQ(ok.out, "out\n");
    EXPECT_EQ(ok.err, "err\n");
    EXPECT_EQ(ok.exit_code, 3);
    EXPECT_TRUE(ok.error.is_null());
    auto who = run(id, "whoami; pwd; echo $SOCKT_SANDBOX_ID");
    EXPECT_NE(who.out.find(id), std::string::npos);
}

TEST_F(ExecFiles, TimeoutKillsTheGroupAndLeavesNoProcess) {
    const auto id = runningSandbox();
    const auto eid = startExec(
        id, Json{{"command", "sleep 654.321 & sleep 543.21"}, {"timeout_ms", 500}}, key());
    auto o = waitExec(eid, key());
    EXPECT_EQ(o.status, "failed");
    EXPECT_EQ(o.exit_code, 124);
    EXPECT_EQ(o.error, "timeout: command exceeded 500 ms");
    EXPECT_TRUE(eventually([] { return pidsWithCmdline("543.21").empty(); }));
    EXPECT_TRUE(eventually([] { return pidsWithCmdline("654.321").empty(); }));
    // Later polls repeat the terminal state with no output.
    auto again = get("/v1/executions/" + eid, key()).json();
    EXPECT_EQ(again["status"], "failed");
    EXPECT_EQ(again["output"], Json::array());
}

TEST_F(ExecFiles, CancelReportsCancelled) {
    const auto id = runningSandbox();
    const auto eid = startExec(id, Json{{"command", "sleep 30"}}, key());
    auto c = del("/v1/executions/" + eid, key());
    ASSERT_EQ(c.status, 200);
    EXPECT_EQ(c.json(), (Json{{"execution_id", eid}, {"status", "cancelled"}}));
    auto o = waitExec(eid, key());
    EXPECT_EQ(o.status, "cancelled");
    EXPECT_EQ(o.exit_code, 137);
    EXPECT_EQ(get("/v1/executions/exec_000000000000000000000000", key()).status, 404);
}

TEST_F(ExecFiles, EleventhConcurrentExecIsRefused) {
    const auto id = runningSandbox();
    std::vector<std::string> eids;
    for (int i = 0; i < 10; ++i)
        eids.push_back(startExec(id, Json{{"command", "sleep 20"}}, key()));
    auto r = post("/v1/sandboxes/" + id + "/exec", Json{{"command", "true"}}, key());
    EXPECT_EQ(r.status, 429);
    EXPECT_EQ(r.code(), "too_many_executions");
    EXPECT_EQ(r.json()["message"], "more than 10 concurrent executions for this credential");
    del("/v1/executions/" + eids[0], key());
    EXPECT_EQ(post("/v1/sandboxes/" + id + "/exec", Json{{"command", "true"}}, key()).status, 200);
    for (const auto& e : eids)
        del("/v1/executions/" + e, key());
}

TEST_F(ExecFiles, FilesRoundTrip) {
    const auto id = runningSandbox();
    const auto base = "/v1/sandboxes/" + id + "/files";
    auto w =
        post(base + "/write", Json{{"path", "src/app.py"}, {"content", "print('hello')"}}, key());
    ASSERT_EQ(w.status, 200) << w.body;
    EXPECT_EQ(w.json(), (Json{{"path", "/home/sandbox/src/app.py"},
                              {"bytes_written", 14},
                              {"created_dirs", true}}));
    auto r =
        post(base + "/read", Json{{"path", "/home/sandbox/src/app.py"}, {"max_bytes", 5}}, key())
            .json();
    EXPECT_EQ(r["content"], "print");
    EXPECT_EQ(r["size_bytes"], 14);
    EXPECT_EQ(r["truncated"], true);
    auto b =
        post(base + "/write",
             Json{{"path", "bin.dat"}, {"content", "AAEC\n/w=="}, {"encoding", "base64"}}, key());
    EXPECT_EQ(b.json()["bytes_written"], 4);
    // Other clients (the official Python SDK reads only `content_b64`) get both keys; our own
    // clients, known by their User-Agent, get `content` alone (docs/protocol-notes.md row 1).
    auto official = post(base + "/read", Json{{"path", "bin.dat"}, {"encoding", "base64"}}, key())
                        .json();
    EXPECT_EQ(official["content"], "AAEC/w==");
    EXPECT_EQ(official["content_b64"], "AAEC/w==");
    HttpCall ours{"POST", base + "/read",
                  Json{{"path", "bin.dat"}, {"encoding", "base64"}}.dump(), key(),
                  {{"User-Agent", "sockt-cpp/0.1.0 python/3.11"}}};
    auto mine = httpCall(url(), ours).json();
    EXPECT_EQ(mine["content"], "AAEC/w==");
    EXPECT_FALSE(mine.contains("content_b64"));
    auto l = get(base + "?path=src", key()).json();
    EXPECT_EQ(l["total_entries"], 1);
    EXPECT_EQ(l["entries"][0]["name"], "app.py");
    EXPECT_EQ(post(base + "/read", Json{{"path", "nope.txt"}}, key()).code(), "file_not_found");
    auto o = run(id, "python3 src/app.py");
    EXPECT_EQ(o.out, "hello\n");
}

TEST_F(ExecFiles, PathTraversalSetIsRejected) {
    const auto id = runningSandbox();
    const auto base = "/v1/sandboxes/" + id + "/files";
    for (const std::string p : {"../x", "/etc/passwd", "/home/sandbox/../etc/passwd", "/", "/tmp/x",
                                "a/../../x", "/home/sandboxx/y"}) {
        auto r = post(base + "/read", Json{{"path", p}}, key());
        EXPECT_EQ(r.status, 400) << p << " " << r.body;
        EXPECT_EQ(r.code(), "bad_request") << p;
        EXPECT_EQ(post(base + "/write", Json{{"path", p}, {"content", "x"}}, key()).status, 400)
            << p;
    }
    EXPECT_EQ(post(base + "/read", Json{{"path", std::string("a\0b", 3)}}, key()).code(),
              "invalid_params");
    EXPECT_EQ(post(base + "/read", Json{{"path", ""}}, key()).code(), "invalid_params");
    EXPECT_EQ(get(base + "?path=../..", key()).code(), "bad_request");
    EXPECT_EQ(post("/v1/sandboxes/" + id + "/exec",
                   Json{{"command", "pwd"}, {"working_dir", "/etc"}}, key())
                  .code(),
              "bad_request");
    // A symlink pointing out of the home is not followed.
    run(id, "ln -s /etc escape && ln -s ../../../../../etc/passwd rel");
    EXPECT_EQ(post(base + "/read", Json{{"path", "escape/passwd"}}, key()).status, 400);
    EXPECT_EQ(post(base + "/read", Json{{"path", "rel"}}, key()).status, 400);
    EXPECT_EQ(post(base + "/write", Json{{"path", "escape/owned"}, {"content", "x"}}, key()).status,
              400);
    EXPECT_FALSE(std::filesystem::exists("/etc/owned"));
    // The listing root "/" means home in a list request.
    EXPECT_EQ(get(base + "?path=/", key()).status, 200);
}

TEST_F(ExecFiles, SandboxTokenReachesOnlyItsSandbox) {
    auto a = post("/v1/sandboxes", Json{{"billing_method", "lightning"}}, "").json();
    auto b = post("/v1/sandboxes", Json{{"billing_method", "lightning"}}, "").json();
    const std::string ta = a["sandbox_token"], tb = b["sandbox_token"];
    EXPECT_EQ(ta.size(), 36u);
    EXPECT_EQ(ta.rfind("sbx_", 0), 0u);
    const std::string ida = a["sandbox_id"], idb = b["sandbox_id"];
    EXPECT_EQ(get("/v1/sandboxes/" + ida, ta).status, 200);
    EXPECT_EQ(get("/v1/sandboxes/" + ida + "?sandbox_token=" + ta, "").status, 200);
    auto denied = get("/v1/sandboxes/" + idb, ta);
    EXPECT_EQ(denied.status, 403);
    EXPECT_EQ(denied.code(), "forbidden");
    EXPECT_EQ(del("/v1/sandboxes/" + idb, ta).status, 403);
    // The API key did not create them either.
    EXPECT_EQ(get("/v1/sandboxes/" + ida, key()).status, 403);
    // Data plane before payment: 402 with the invoice.
    auto unpaid = post("/v1/sandboxes/" + ida + "/exec", Json{{"command", "true"}}, ta);
    EXPECT_EQ(unpaid.status, 402);
    EXPECT_EQ(unpaid.json()["pending_invoice"]["payment_hash"], a["payment_hash"]);
    // Executions of a credits sandbox are not visible to a token.
    const auto id = runningSandbox();
    const auto eid = startExec(id, Json{{"command", "true"}}, key());
    auto foreign = get("/v1/executions/" + eid, ta);
    EXPECT_EQ(foreign.status, 403);
    EXPECT_EQ(foreign.json()["message"], "execution belongs to another caller");
}

TEST_F(ExecFiles, ShellUrlCarriesATicket) {
    const auto id = runningSandbox();
    HttpCall c{"GET", "/v1/sandboxes/" + id + "/shell-url", std::nullopt, key()};
    c.headers = {{"X-Forwarded-Proto", "https"}, {"Host", "example.test:9999"}};
    auto j = httpCall(url(), c).json();
    const std::string u = j["url"];
    EXPECT_EQ(u.rfind("wss://example.test:9999/v1/sandboxes/" + id + "/shell?ticket=tkt_", 0), 0u)
        << u;
    EXPECT_EQ(u.size() - u.find("tkt_"), 36u);
    EXPECT_TRUE(j["expires_at"].is_string());
}

} // namespace
} // namespace sockt::testing

namespace sockt::testing {
namespace {

class ShellRoute : public ServerTest {};

TEST_F(ShellRoute, AuthAndTicketsAreCheckedBeforeTheUpgrade) {
    const auto id = runningSandbox();
    const auto target = "/v1/sandboxes/" + id + "/shell";
    EXPECT_EQ(get(target, "").status, 401);
    EXPECT_EQ(get(target, "sockt_live_unknown").status, 401);
    auto other = post("/v1/sandboxes", Json{{"billing_method", "lightning"}}, "").json();
    EXPECT_EQ(get(target, other["sandbox_token"]).status, 403);
    const std::string u = get("/v1/sandboxes/" + id + "/shell-url", key()).json()["url"];
    const auto ticket_target = u.substr(u.find("/v1/"));
    // A valid ticket on a plain GET (no upgrade): consumed, then the upgrade itself is refused.
    auto plain = get(ticket_target, "");
    EXPECT_EQ(plain.status, 400) << plain.body;
    EXPECT_FALSE(plain.header("x-request-id").empty());
    // Single use: the same ticket no longer authenticates.
    EXPECT_EQ(get(ticket_target, "").status, 401);
    // A ticket of this sandbox does not open another one.
    const std::string u2 = get("/v1/sandboxes/" + id + "/shell-url", key()).json()["url"];
    const auto other_id = runningSandbox();
    EXPECT_EQ(get("/v1/sandboxes/" + other_id + "/shell" + u2.substr(u2.find('?')), "").status,
              401);
}

} // namespace
} // namespace sockt::testing
