// ExecRegistry against real processes (docs/protocol.md §2.7-§2.9, §4).
#include "runtime/exec_registry.hpp"
#include "runtime/output_buffer.hpp"
#include "test_helpers.hpp"

#include <algorithm>

#include <signal.h>

namespace sockt::server::testing {
namespace {

using std::chrono::milliseconds;

class ExecTest : public ::testing::Test {
protected:
    void SetUp() override {
        mode = bwrapUsable() ? IsolationMode::Bwrap : IsolationMode::None;
        fx = std::make_unique<RuntimeFixture>(mode);
        registry = std::make_unique<ExecRegistry>(fx->dir.path() / "executions");
    }
    void TearDown() override {
        if (registry)
            registry->shutdown();
    }

    std::string start(const std::string& command, std::int64_t timeout_ms = 30000,
                      const std::string& cwd = "", const std::string& cred = "key-a") {
        auto body = registry->start(fx->runtime, "sbx-test", command, cwd, timeout_ms, cred);
        return body["execution_id"].get<std::string>();
    }

    /// Polls until terminal; returns the last body with every chunk accumulated in "output".
    OJson finish(const std::string& id, milliseconds limit = milliseconds(20000)) {
        OJson all = OJson::array();
        auto deadline = std::chrono::steady_clock::now() + limit;
        for (;;) {
            auto body = registry->poll(id, 1000, nullptr);
            for (auto& c : body["output"])
                all.push_back(c);
            if (body["status"] != "running" || std::chrono::steady_clock::now() > deadline) {
                body["output"] = all;
                return body;
            }
        }
    }

    static std::string joined(const OJson& output, const std::string& stream) {
        std::string s;
        for (const auto& c : output)
            if (c["stream"] == stream)
                s += c["chunk"].get<std::string>();
        return s;
    }

    IsolationMode mode = IsolationMode::None;
    std::unique_ptr<RuntimeFixture> fx;
    std::unique_ptr<ExecRegistry> registry;
};

TEST_F(ExecTest, StartResponseShapeAndKeyOrder) {
    auto body = registry->start(fx->runtime, "sbx-test", "true", "", 30000, "key-a");
    std::vector<std::string> keys;
    for (auto it = body.begin(); it != body.end(); ++it)
        keys.push_back(it.key());
    EXPECT_EQ(keys,
              (std::vector<std::string>{"execution_id", "status", "sandbox_id", "command",
                                        "working_dir", "timeout_ms", "started_at", "next_step"}));
    EXPECT_EQ(body["execution_id"].get<std::string>().rfind("exec_", 0), 0u);
    EXPECT_EQ(body["execution_id"].get<std::string>().size(), 29u);
    EXPECT_EQ(body["working_dir"], "/home/sandbox");
    EXPECT_EQ(body["status"], "running");
    auto done = finish(body["execution_id"]);
    keys.clear();
    for (auto it = done.begin(); it != done.end(); ++it)
        keys.push_back(it.key());
    EXPECT_EQ(keys, (std::vector<std::string>{"execution_id", "sandbox_id", "status", "output",
                                              "exit_code", "error", "pending_invoice", "started_at",
                                              "finished_at"}));
    EXPECT_EQ(done["status"], "completed");
    EXPECT_EQ(done["exit_code"], 0);
    EXPECT_TRUE(done["error"].is_null());
    EXPECT_TRUE(done["finished_at"].is_string());
}

TEST_F(ExecTest, OutputInOrderWithStreamsAndDestructivePolls) {
    auto id = start("for i in 1 2 3; do echo out$i; echo err$i >&2; sleep 0.05; done; exit 3");
    auto done = finish(id);
    EXPECT_EQ(done["status"], "completed");
    EXPECT_EQ(done["exit_code"], 3);
    EXPECT_EQ(joined(done["output"], "stdout"), "out1\nout2\nout3\n");
    EXPECT_EQ(joined(done["output"], "stderr"), "err1\nerr2\nerr3\n");
    // Order across streams: out1 before err1 before out2 (each line written 50 ms apart).
    std::string order;
    for (const auto& c : done["output"])
        order += c["chunk"].get<std::string>();
    EXPECT_LT(order.find("out1"), order.find("out2"));
    EXPECT_LT(order.find("err1"), order.find("out2"));
    auto again = registry->poll(id, 0, nullptr);
    EXPECT_EQ(again["status"], "completed");
    EXPECT_EQ(again["exit_code"], 3);
    EXPECT_TRUE(again["output"].empty());
}

TEST_F(ExecTest, Utf8SplitAcrossWritesIsNeverSplitInsideACharacter) {
    // "é" = C3 A9 written as two separate writes 100 ms apart; then an invalid byte.
    auto id = start("printf '\\303'; sleep 0.2; printf '\\251\\377x'");
    auto done = finish(id);
    for (const auto& c : done["output"])
        EXPECT_TRUE(c["chunk"].get<std::string>() != "\xC3");
    EXPECT_EQ(joined(done["output"], "stdout"), "\xC3\xA9\xEF\xBF\xBDx");
}

TEST_F(ExecTest, ChunksAreAtMost64KiB) {
    auto id = start("head -c 300000 /dev/zero | tr '\\0' a");
    auto done = finish(id);
    EXPECT_EQ(joined(done["output"], "stdout").size(), 300000u);
    for (const auto& c : done["output"])
        EXPECT_LE(c["chunk"].get<std::string>().size(), 65536u);
}

TEST_F(ExecTest, TruncationMarkerWhenNobodyPolls) {
    // 20 MiB of output with no poll: the oldest ~4 MiB are dropped, the writer never blocks.
    auto id = start("head -c 20971520 /dev/zero | tr '\\0' b; echo tail");
    ASSERT_TRUE(
        eventually([&] { return registry->runningCount("key-a") == 0; }, std::chrono::seconds(60)));
    auto done = registry->poll(id, 0, nullptr);
    EXPECT_EQ(done["status"], "completed");
    const auto& out = done["output"];
    ASSERT_FALSE(out.empty());
    EXPECT_EQ(out[0]["stream"], "stderr");
    std::string marker = out[0]["chunk"];
    ASSERT_EQ(marker.rfind("[sockt: output truncated, ", 0), 0u) << marker;
    std::int64_t dropped = std::stoll(marker.substr(26));
    EXPECT_EQ(marker, OutputBuffer::markerText(dropped));
    std::string stdout_text = joined(out, "stdout");
    EXPECT_EQ(static_cast<std::int64_t>(stdout_text.size()) + dropped, 20971520 + 5);
    EXPECT_LE(stdout_text.size(), 16u * 1024 * 1024);
    EXPECT_EQ(stdout_text.substr(stdout_text.size() - 5), "tail\n");
}

TEST_F(ExecTest, TimeoutKillsTheGroupAndLeavesNoProcess) {
    auto id = start("sleep 100 & sleep 100", 300);
    auto done = finish(id);
    EXPECT_EQ(done["status"], "failed");
    EXPECT_EQ(done["exit_code"], 124);
    EXPECT_EQ(done["error"], "timeout: command exceeded 300 ms");
    EXPECT_TRUE(eventually([&] { return fx->runtime->processIds().empty(); }));
}

TEST_F(ExecTest, CancelKillsAndReportsCancelled) {
    auto id = start("echo before; touch started; sleep 100");
    ASSERT_TRUE(eventually([&] { return std::filesystem::exists(fx->root / "home" / "started"); }));
    auto c = registry->cancel(id);
    EXPECT_EQ(c, (OJson{{"execution_id", id}, {"status", "cancelled"}}));
    auto done = registry->poll(id, 0, nullptr);
    EXPECT_EQ(done["status"], "cancelled");
    EXPECT_EQ(done["exit_code"], 137);
    EXPECT_TRUE(done["error"].is_null());
    EXPECT_EQ(joined(done["output"], "stdout"), "before\n");
    EXPECT_TRUE(eventually([&] { return fx->runtime->processIds().empty(); }));
    // Cancelling an ended execution answers its real status.
    auto id2 = start("true");
    finish(id2);
    EXPECT_EQ(registry->cancel(id2)["status"], "completed");
}

TEST_F(ExecTest, SignalDeathIs128PlusN) {
    auto done = finish(start("kill -KILL $$"));
    EXPECT_EQ(done["status"], "completed");
    EXPECT_EQ(done["exit_code"], 137);
}

TEST_F(ExecTest, BackgroundProcessSurvivesAndCompletesPromptly) {
    auto done = finish(start("nohup sleep 30 > /dev/null 2>&1 & echo bg", 30000));
    EXPECT_EQ(done["status"], "completed");
    EXPECT_EQ(joined(done["output"], "stdout"), "bg\n");
    EXPECT_FALSE(fx->runtime->processIds().empty());
}

TEST_F(ExecTest, ChattyBackgroundProcessKeepsRunningAfterTheResult) {
    auto done = finish(start("(while true; do echo tick; sleep 0.02; done) & echo started"));
    EXPECT_EQ(done["status"], "completed");
    ASSERT_TRUE(eventually([&] { return !fx->runtime->processIds().empty(); }));
    auto pids = fx->runtime->processIds();
    // A writer killed by SIGPIPE would be gone within 500 ms (it writes every 20 ms).
    eventually([&] { return !std::all_of(pids.begin(), pids.end(), pidAlive); },
               std::chrono::milliseconds(500));
    int alive = 0;
    for (int pid : pids)
        alive += pidAlive(pid) ? 1 : 0;
    EXPECT_GT(alive, 0) << "the writer died (SIGPIPE?) after its execution ended";
    // Its later output is discarded, not delivered.
    EXPECT_FALSE(eventually(
        [&] { return !registry->poll(done["execution_id"], 0, nullptr)["output"].empty(); },
        std::chrono::milliseconds(100)));
    EXPECT_TRUE(registry->poll(done["execution_id"], 0, nullptr)["output"].empty());
}

TEST_F(ExecTest, BackgroundHoldingThePipeDoesNotHoldTheResult) {
    auto begin = std::chrono::steady_clock::now();
    auto done = finish(start("sleep 30 & echo x"));
    EXPECT_EQ(done["status"], "completed");
    EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::seconds(10));
}

TEST_F(ExecTest, WorkingDirectoryRules) {
    std::filesystem::create_directories(fx->root / "home" / "src");
    auto body = registry->start(fx->runtime, "sbx-test", "pwd", "src/", 30000, "key-a");
    EXPECT_EQ(body["working_dir"], "/home/sandbox/src");
    auto out = joined(finish(body["execution_id"])["output"], "stdout");
    if (mode == IsolationMode::Bwrap)
        EXPECT_EQ(out, "/home/sandbox/src\n");
    else
        EXPECT_EQ(out, (fx->root / "home" / "src").string() + "\n");
    auto code = [&](const std::string& cwd) {
        try {
            registry->start(fx->runtime, "sbx-test", "true", cwd, 30000, "key-a");
        } catch (const ApiError& e) {
            return e.code();
        }
        return std::string("ok");
    };
    EXPECT_EQ(code("/tmp"), "bad_request");
    EXPECT_EQ(code("../x"), "bad_request");
    EXPECT_EQ(code("missing"), "invalid_params");
    writeAll(fx->root / "home" / "file", "x");
    EXPECT_EQ(code("file"), "invalid_params");
}

TEST_F(ExecTest, EleventhConcurrentExecutionIsRefused) {
    std::vector<std::string> ids;
    for (int i = 0; i < 10; ++i)
        ids.push_back(start("sleep 100", 30000, "", "key-a"));
    EXPECT_EQ(registry->runningCount("key-a"), 10);
    try {
        start("sleep 100", 30000, "", "key-a");
        ADD_FAILURE() << "the 11th start was accepted";
    } catch (const ApiError& e) {
        EXPECT_EQ(e.code(), "too_many_executions");
        EXPECT_EQ(e.message(), "more than 10 concurrent executions for this credential");
    }
    // Another credential is counted separately.
    auto other = start("true", 30000, "", "key-b");
    registry->cancel(ids[0]);
    EXPECT_EQ(registry->runningCount("key-a"), 9);
    start("true", 30000, "", "key-a");
}

TEST_F(ExecTest, LongPollReturnsOnNewOutput) {
    auto id = start("sleep 0.3; echo late; sleep 100");
    auto begin = std::chrono::steady_clock::now();
    auto body = registry->poll(id, 10000, nullptr);
    EXPECT_EQ(joined(body["output"], "stdout"), "late\n");
    EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::seconds(8));
    EXPECT_EQ(body["status"], "running");
    EXPECT_TRUE(body["finished_at"].is_null());
    auto empty = registry->poll(id, 200, OJson{{"bolt11", "lnbc1"}});
    EXPECT_TRUE(empty["output"].empty());
    EXPECT_EQ(empty["pending_invoice"]["bolt11"], "lnbc1");
    registry->cancel(id);
}

TEST_F(ExecTest, PauseStopsTheTimeoutClock) {
    // Many short sleeps: a stopped nanosleep keeps its wall-clock deadline, a loop does not.
    auto id = start("for i in $(seq 1 40); do sleep 0.05; done; echo done", 1000);
    fx->runtime->freeze();
    registry->pauseSandbox("sbx-test");
    std::this_thread::sleep_for(milliseconds(1500));
    EXPECT_EQ(registry->poll(id, 0, nullptr)["status"], "running");
    registry->resumeSandbox("sbx-test");
    fx->runtime->thaw();
    auto done = finish(id);
    // ≥ 2 s of running time against a 1 s clock: times out after resume, not during the pause.
    EXPECT_EQ(done["status"], "failed");
    EXPECT_EQ(done["exit_code"], 124);
}

TEST_F(ExecTest, TerminateFailsRunningExecutions) {
    auto id = start("sleep 100");
    registry->terminateSandbox("sbx-test");
    fx->runtime->shutdown();
    auto done = registry->poll(id, 0, nullptr);
    EXPECT_EQ(done["status"], "failed");
    EXPECT_EQ(done["exit_code"], 137);
    EXPECT_EQ(done["error"], "sandbox terminated");
}

TEST_F(ExecTest, SpawnErrorIsFailedCouldNotStart) {
    fx->runtime->shutdown();
    auto body = registry->start(fx->runtime, "sbx-test", "true", "", 30000, "key-a");
    auto done = registry->poll(body["execution_id"], 0, nullptr);
    EXPECT_EQ(done["status"], "failed");
    EXPECT_TRUE(done["exit_code"].is_null());
    EXPECT_EQ(done["error"].get<std::string>().rfind("could not start: ", 0), 0u);
}

TEST_F(ExecTest, UnknownExecutionIsNotFound) {
    try {
        registry->poll("exec_000000000000000000000000", 0, nullptr);
        ADD_FAILURE();
    } catch (const ApiError& e) {
        EXPECT_EQ(e.code(), "not_found");
    }
    EXPECT_FALSE(registry->sandboxOf("exec_nope").has_value());
}

TEST_F(ExecTest, ReplayPollsRepeatUnacknowledgedChunksAndFreeAcknowledgedOnes) {
    // §4.5: an answer lost in transit is asked for again with the same `since`.
    auto id = start("echo one; echo two >&2; sleep 0.3; echo three");
    ASSERT_TRUE(eventually([&] { return registry->runningCount("key-a") == 0; }));
    auto first = registry->poll(id, 0, nullptr, 0);
    ASSERT_EQ(first["status"], "completed");
    ASSERT_GE(first["output"].size(), 3u);
    std::int64_t last = 0;
    for (const auto& c : first["output"]) {
        EXPECT_GT(c["seq"].get<std::int64_t>(), last) << "numbers rise in order";
        last = c["seq"].get<std::int64_t>();
    }
    auto lost_and_asked_again = registry->poll(id, 0, nullptr, 0);
    EXPECT_EQ(lost_and_asked_again["output"], first["output"]);
    auto after_first = registry->poll(id, 0, nullptr, first["output"][0]["seq"].get<std::int64_t>());
    ASSERT_EQ(after_first["output"].size(), first["output"].size() - 1);
    EXPECT_EQ(after_first["output"][0], first["output"][1]);
    EXPECT_TRUE(registry->poll(id, 0, nullptr, last)["output"].empty());
    // Acknowledged chunks are gone for destructive polls too, and stay gone after a restart.
    EXPECT_TRUE(registry->poll(id, 0, nullptr)["output"].empty());
}

TEST_F(ExecTest, ReplayChunksAreNotMergedOnceSent) {
    auto id = start("echo a; sleep 0.5; echo b");
    auto first = registry->poll(id, 10000, nullptr, 0);
    ASSERT_EQ(joined(first["output"], "stdout"), "a\n");
    std::int64_t seq = first["output"].back()["seq"].get<std::int64_t>();
    ASSERT_TRUE(eventually([&] { return registry->runningCount("key-a") == 0; }));
    auto replay = registry->poll(id, 0, nullptr, 0);
    // "b" arrived as a chunk of its own: "a" keeps the text it was sent with.
    ASSERT_EQ(replay["output"][0]["chunk"], "a\n");
    EXPECT_EQ(replay["output"][0]["seq"], seq);
    EXPECT_EQ(joined(replay["output"], "stdout"), "a\nb\n");
}

TEST_F(ExecTest, PollWithoutWaitCoalescesAQuickCommandsOutputWithItsExit) {
    // §4.3: the first poll that sees the output also carries the terminal status.
    for (int i = 0; i < 5; ++i) {
        auto id = start("echo hello");
        OJson body;
        ASSERT_TRUE(eventually([&] {
            body = registry->poll(id, 0, nullptr);
            return !body["output"].empty() || body["status"] != "running";
        }));
        EXPECT_EQ(joined(body["output"], "stdout"), "hello\n");
        EXPECT_EQ(body["status"], "completed") << "output went out in a running poll";
    }
}

TEST_F(ExecTest, PersistenceAcrossRestart) {
    auto finished = start("echo kept");
    ASSERT_TRUE(eventually([&] { return registry->runningCount("key-a") == 0; }));
    auto running = start("sleep 100");
    registry->shutdown();
    registry.reset();
    fx->runtime->shutdown();

    ExecRegistry reloaded(fx->dir.path() / "executions");
    reloaded.load();
    EXPECT_EQ(reloaded.sandboxOf(finished), "sbx-test");
    auto a = reloaded.poll(finished, 0, nullptr);
    EXPECT_EQ(a["status"], "completed");
    EXPECT_EQ(joined(a["output"], "stdout"), "kept\n");
    auto b = reloaded.poll(running, 0, nullptr);
    EXPECT_EQ(b["status"], "failed");
    EXPECT_TRUE(b["exit_code"].is_null());
    EXPECT_EQ(b["error"], "execution lost: server restarted");
    reloaded.shutdown();

    // Delivered output does not come back after another restart.
    ExecRegistry again(fx->dir.path() / "executions");
    again.load();
    EXPECT_TRUE(again.poll(finished, 0, nullptr)["output"].empty());
}

} // namespace
} // namespace sockt::server::testing
