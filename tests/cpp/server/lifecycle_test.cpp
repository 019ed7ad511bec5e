// Lifecycle state machine (docs/protocol.md §1.7, §2.2-§2.6, §3.2) against real sandboxes.
#include "eventually.hpp"
#include "server_fixture.hpp"

#include <fstream>

namespace sockt::testing {
namespace {

class Lifecycle : public ServerTest {};

TEST_F(Lifecycle, CreateResponseIsTheSupersetInOrder) {
    auto r =
        post("/v1/sandboxes", Json{{"label", "my-dev-env"}, {"initial_credits_cents", 10}}, key());
    ASSERT_EQ(r.status, 201) << r.body;
    auto j = nlohmann::ordered_json::parse(r.body);
    std::vector<std::string> keys;
    for (auto it = j.begin(); it != j.end(); ++it)
        keys.push_back(it.key());
    const std::vector<std::string> expected = {"sandbox_id",
                                               "status",
                                               "tier",
                                               "billing_method",
                                               "runtime",
                                               "template",
                                               "label",
                                               "sandbox_token",
                                               "invoice",
                                               "payment_hash",
                                               "amount_msats",
                                               "amount_sats",
                                               "msats_per_second",
                                               "prepaid_seconds",
                                               "expires_at",
                                               "pending_invoice",
                                               "created_at",
                                               "ID",
                                               "Status",
                                               "BillingMethod",
                                               "Tier",
                                               "Template",
                                               "Runtime",
                                               "PrepaidBalanceSubcents",
                                               "UserID"};
    EXPECT_EQ(keys, expected);
    EXPECT_EQ(j["status"], "starting");
    EXPECT_EQ(j["ID"], j["sandbox_id"]);
    EXPECT_EQ(j["template"], "sockt-nano");
    EXPECT_EQ(j["runtime"], "local");
    EXPECT_EQ(j["PrepaidBalanceSubcents"], 1000000);
    EXPECT_EQ(j["UserID"].get<std::string>().size(), 16u);
    const std::string id = j["sandbox_id"];
    EXPECT_EQ(id.size(), 36u);
    EXPECT_EQ(id[14], '4');
}

TEST_F(Lifecycle, PauseResumeTerminateFollowTheStateTable) {
    const auto id = runningSandbox();
    const auto base = "/v1/sandboxes/" + id;
    EXPECT_EQ(post(base + "/resume", Json::object(), key()).json(),
              (Json{{"sandbox_id", id}, {"status", "running"}}));
    EXPECT_EQ(post(base + "/pause", Json::object(), key()).json(),
              (Json{{"sandbox_id", id}, {"status", "paused"}}));
    EXPECT_EQ(post(base + "/pause", Json::object(), key()).json()["status"], "paused");
    auto st = get(base, key()).json();
    EXPECT_EQ(st["status_reason"], "user");
    EXPECT_EQ(st["next_poll_secs"], 30);
    auto paused = post(base + "/exec", Json{{"command", "true"}}, key());
    EXPECT_EQ(paused.status, 409);
    EXPECT_EQ(paused.json()["message"], "sandbox " + id + " is paused");
    EXPECT_EQ(paused.json()["hint"], "resume it first: POST /v1/sandboxes/" + id + "/resume");
    EXPECT_EQ(post(base + "/resume", Json::object(), key()).json()["status"], "running");

    auto t1 = del(base, key());
    ASSERT_EQ(t1.status, 200);
    auto j1 = t1.json();
    EXPECT_EQ(j1["status"], "terminated");
    EXPECT_EQ(j1["refund"], (Json{{"status", "credited"}, {"amount_cents", 0}}));
    auto j2 = del(base, key()).json();
    EXPECT_EQ(j2["already_terminated"], true);
    EXPECT_TRUE(j2["refund"].is_null());
    EXPECT_EQ(j2["terminated_at"], j1["terminated_at"]);
    EXPECT_EQ(get(base, key()).json()["status"], "terminated");
    auto gone = post(base + "/exec", Json{{"command", "true"}}, key());
    EXPECT_EQ(gone.status, 410);
    EXPECT_EQ(gone.json()["message"], "sandbox " + id + " has been terminated");
    EXPECT_EQ(post(base + "/pause", Json::object(), key()).status, 410);
    EXPECT_EQ(post(base + "/resume", Json::object(), key()).status, 410);
    // §3.4: a terminated sandbox answers 410, never a file-system error.
    EXPECT_EQ(post(base + "/files/read", Json{{"path", "missing.txt"}}, key()).status, 410);
    EXPECT_FALSE(std::filesystem::exists(serve_->dataDir() + "/sandboxes/" + id + "/home"));
}

TEST_F(Lifecycle, ReservedCreditsAreRefundedOnTerminate) {
    auto r = post("/v1/sandboxes", Json{{"initial_credits_cents", 250}}, key());
    const std::string id = r.json()["sandbox_id"];
    auto j = del("/v1/sandboxes/" + id, key()).json();
    EXPECT_EQ(j["refund"]["status"], "credited");
    // Unused reservation, floored to whole cents: at most one cent of metering can be missing.
    const auto cents = j["refund"]["amount_cents"].get<int>();
    EXPECT_TRUE(cents == 250 || cents == 249) << cents;
}

TEST_F(Lifecycle, PauseFreezesALoopAndResumeContinuesIt) {
    const auto id = runningSandbox();
    const auto eid = startExec(
        id,
        Json{{"command", "for i in $(seq 1 400); do echo $i >> loop.txt; sleep 0.05; done"},
             {"timeout_ms", 0}},
        key());
    const auto file = serve_->dataDir() + "/sandboxes/" + id + "/home/loop.txt";
    auto lines = [&] {
        std::ifstream in(file);
        int n = 0;
        std::string s;
        while (std::getline(in, s))
            ++n;
        return n;
    };
    ASSERT_TRUE(eventually([&] { return lines() > 0; }));
    ASSERT_EQ(post("/v1/sandboxes/" + id + "/pause", Json::object(), key()).status, 200);
    // A write under way when the pause came may still land: what the file settles on is frozen.
    const int frozen = settled(lines);
    EXPECT_GT(frozen, 0);
    // The loop writes every 50 ms while it runs: 800 ms without a line says it is stopped.
    EXPECT_FALSE(eventually([&] { return lines() != frozen; }, std::chrono::milliseconds(800)))
        << "the loop kept running while paused";
    auto poll = get("/v1/executions/" + eid, key()).json();
    EXPECT_EQ(poll["status"], "running");
    ASSERT_EQ(post("/v1/sandboxes/" + id + "/resume", Json::object(), key()).status, 200);
    EXPECT_TRUE(eventually([&] { return lines() > frozen; }))
        << "the loop did not continue after resume";
}

TEST_F(Lifecycle, TerminateMidExecLeavesNothingRunning) {
    const auto id = runningSandbox();
    const auto eid = startExec(id, Json{{"command", "sleep 987.654 & sleep 876.543"}}, key());
    EXPECT_TRUE(eventually([] { return !pidsWithCmdline("876.543").empty(); }));
    ASSERT_EQ(del("/v1/sandboxes/" + id, key()).status, 200);
    auto poll = get("/v1/executions/" + eid, key()).json();
    EXPECT_EQ(poll["status"], "failed");
    EXPECT_EQ(poll["exit_code"], 137);
    EXPECT_EQ(poll["error"], "sandbox terminated");
    EXPECT_TRUE(pidsWithCmdline("987.654").empty());
    EXPECT_TRUE(pidsWithCmdline("876.543").empty());
}

class SlowBoot : public ServerTest {
    ServeOptions serveOptions() override { return ServeOptions{{"--boot-delay-ms", "3000"}}; }
};

TEST_F(SlowBoot, DataPlaneAnswersPodStartingWhileBooting) {
    auto r = post("/v1/sandboxes", Json::object(), key());
    const std::string id = r.json()["sandbox_id"];
    auto e = post("/v1/sandboxes/" + id + "/exec", Json{{"command", "true"}}, key());
    EXPECT_EQ(e.status, 503);
    auto j = nlohmann::ordered_json::parse(e.body);
    EXPECT_EQ(j["code"], "pod_starting");
    EXPECT_EQ(j["error"], "pod unreachable");
    EXPECT_EQ(j["message"], "sandbox is starting; pod unreachable, retry shortly");
    EXPECT_EQ(j["hint"], "Wait until GET /v1/sandboxes/{id} reports \"running\" (CLI: --wait; SDK: "
                         "wait_until_running)");
    EXPECT_EQ(get("/v1/sandboxes/" + id, key()).json()["next_poll_secs"], 2);
    // Resume of a starting sandbox is a no-op answering its status.
    EXPECT_EQ(post("/v1/sandboxes/" + id + "/resume", Json::object(), key()).json()["status"],
              "starting");
}

class OneSandbox : public ServerTest {
    ServeOptions serveOptions() override { return ServeOptions{{"--max-sandboxes", "1"}}; }
};

TEST_F(OneSandbox, CapacityIsEnforced) {
    auto first = post("/v1/sandboxes", Json::object(), key());
    ASSERT_EQ(first.status, 201);
    auto second = post("/v1/sandboxes", Json::object(), key());
    EXPECT_EQ(second.status, 503);
    EXPECT_EQ(second.code(), "no_capacity");
    del("/v1/sandboxes/" + first.json()["sandbox_id"].get<std::string>(), key());
    EXPECT_EQ(post("/v1/sandboxes", Json::object(), key()).status, 201);
}

TEST_F(Lifecycle, SigtermStopsCleanlyAndKillsSandboxProcesses) {
    const auto id = runningSandbox();
    startExec(id, Json{{"command", "sleep 765.432"}, {"timeout_ms", 0}}, key());
    EXPECT_TRUE(eventually([] { return !pidsWithCmdline("765.432").empty(); }));
    EXPECT_EQ(serve_->stop(), 0);
    EXPECT_TRUE(eventually([] { return pidsWithCmdline("765.432").empty(); }));
}

} // namespace
} // namespace sockt::testing
