// Polling loops: execSync accumulation, long-poll use, waitUntilRunning, data-plane readiness,
// billing events (docs/protocol.md §3.5, §4.4, §12 rules 10-11).
#include "core_test_helpers.hpp"

#include <atomic>
#include <gtest/gtest.h>
#include <sockt/sockt.hpp>

using namespace sockt;
using namespace sockt::testing;
using namespace std::chrono_literals;

namespace {

Reply chunkPoll(const std::string& status, const std::string& output,
                const std::string& code = "null") {
    return Reply::json(200, execPoll(status, output, code));
}

} // namespace

TEST(Polling, ExecSyncAccumulatesIncrementalPollsInOrder) {
    FixtureServer server;
    ComputeClient client(optionsFor(server));
    Sandbox sb = runningSandbox(client, server);
    server.enqueue(Reply::json(200, execStarted()));
    server.enqueue(chunkPoll("running", R"J([{"stream":"stdout","chunk":"one\n"}])J"));
    server.enqueue(chunkPoll("running", "[]"));
    server.enqueue(chunkPoll(
        "running",
        R"J([{"stream":"stderr","chunk":"warn\n"},{"stream":"stdout","chunk":"two\n"}])J"));
    server.enqueue(chunkPoll("completed", R"J([{"stream":"stdout","chunk":"three\n"}])J", "3"));
    std::vector<std::string> seen;
    PollOptions poll;
    poll.poll_interval = 40ms;
    poll.on_output = [&](const OutputChunk& c) { seen.push_back(c.stream + ":" + c.chunk); };
    ExecResult r = sb.execSync("run", {}, poll);
    EXPECT_EQ(r.status, "completed");
    EXPECT_EQ(r.exit_code, 3); // a non-zero exit code is a result, not an exception
    EXPECT_EQ(r.stdoutText(), "one\ntwo\nthree\n");
    EXPECT_EQ(r.stderrText(), "warn\n");
    ASSERT_EQ(r.output.size(), 4u);
    EXPECT_EQ(seen, (std::vector<std::string>{"stdout:one\n", "stderr:warn\n", "stdout:two\n",
                                              "stdout:three\n"}));
    auto reqs = server.requests();
    EXPECT_EQ(reqs.size(), 6u);
    for (std::size_t i = 2; i < reqs.size(); ++i) {
        EXPECT_EQ(reqs[i].path, "/v1/executions/exec_1");
        EXPECT_FALSE(reqs[i].query.count("wait_ms")); // never advertised
    }
}

TEST(Polling, ChunksFetchedByExecResultAppearInExecWait) {
    FixtureServer server;
    ComputeClient client(optionsFor(server));
    Sandbox sb = runningSandbox(client, server);
    server.enqueue(Reply::json(200, execStarted()));
    server.enqueue(chunkPoll("running", R"J([{"stream":"stdout","chunk":"early "}])J"));
    server.enqueue(chunkPoll("completed", R"J([{"stream":"stdout","chunk":"late"}])J", "0"));
    Execution e = sb.exec("x");
    EXPECT_EQ(sb.execResult(e.execution_id).stdoutText(), "early ");
    ExecResult all = sb.execWait(e.execution_id);
    EXPECT_EQ(all.stdoutText(), "early late");
    EXPECT_EQ(all.exit_code, 0);
}

TEST(Polling, PollIntervalBacksOffButNeverExceedsTheCap) {
    FixtureServer server;
    ComputeClient client(optionsFor(server));
    Sandbox sb = runningSandbox(client, server);
    server.enqueue(Reply::json(200, execStarted()));
    for (int i = 0; i < 6; ++i)
        server.enqueue(chunkPoll("running", "[]"));
    server.enqueue(chunkPoll("completed", "[]", "0"));
    PollOptions poll;
    poll.poll_interval = 60ms;
    auto start = std::chrono::steady_clock::now();
    sb.execSync("x", {}, poll);
    auto elapsed = std::chrono::steady_clock::now() - start;
    // 7 sleeps: 15, 30, 60, 60, 60, 60, 60 ms (capped) — far below 7 × a larger interval.
    EXPECT_GE(elapsed, 300ms);
    EXPECT_LT(elapsed, 2000ms);
    EXPECT_EQ(server.requestCount(), 9u);
}

TEST(Polling, LongPollIsUsedOnlyAfterTheServerAdvertisedIt) {
    FixtureServer server;
    auto opts = optionsFor(server);
    opts.timeout = 60s; // wait_ms stays well inside the request deadline
    ComputeClient client(opts);
    Sandbox sb = runningSandbox(client, server);
    EXPECT_FALSE(client.supportsLongPoll());
    server.enqueue(Reply::json(200, execStarted()));
    server.enqueue(chunkPoll("running", "[]").header("Sockt-Extensions", "other, long-poll"));
    server.enqueue(chunkPoll("running", R"J([{"stream":"stdout","chunk":"a"}])J"));
    server.enqueue(chunkPoll("completed", "[]", "0"));
    ExecResult r = sb.execSync("x");
    EXPECT_EQ(r.stdoutText(), "a");
    EXPECT_TRUE(client.supportsLongPoll());
    auto reqs = server.requests();
    ASSERT_EQ(reqs.size(), 5u);
    EXPECT_FALSE(reqs[2].query.count("wait_ms")); // header not seen yet
    EXPECT_EQ(reqs[3].query.at("wait_ms"), "25000");
    EXPECT_EQ(reqs[4].query.at("wait_ms"), "25000");

    // With allow_long_poll=false the extension is not used.
    server.enqueue(Reply::json(200, execStarted("exec_2")));
    server.enqueue(Reply::json(200, execPoll("completed", "[]", "0", "exec_2")));
    PollOptions no_long;
    no_long.allow_long_poll = false;
    sb.execSync("y", {}, no_long);
    EXPECT_FALSE(server.requests().back().query.count("wait_ms"));
}

TEST(Polling, ExecWaitToleratesRateLimitsAndTransientErrors) {
    FixtureServer server;
    ComputeClient client(optionsFor(server));
    Sandbox sb = runningSandbox(client, server);
    server.enqueue(Reply::json(200, execStarted()));
    Reply limited;
    limited.status = 429;
    limited.content_type = "text/plain; charset=utf-8";
    limited.body = "rate limited";
    limited.header("Retry-After", "0");
    server.enqueue(limited);
    server.enqueue(limited);
    server.enqueue(Reply::drop());
    server.enqueue(chunkPoll("completed", R"J([{"stream":"stdout","chunk":"ok"}])J", "0"));
    EXPECT_EQ(sb.execSync("x").stdoutText(), "ok");
}

TEST(Polling, ExecWaitGivesUpAfterFiveConsecutiveRateLimits) {
    FixtureServer server;
    ComputeClient client(optionsFor(server));
    Sandbox sb = runningSandbox(client, server);
    server.enqueue(Reply::json(200, execStarted()));
    server.setHandler([](const RecordedRequest&) {
        Reply r;
        r.status = 429;
        r.body = "rate limited";
        r.content_type = "text/plain";
        r.header("Retry-After", "0");
        return r;
    });
    EXPECT_THROW(sb.execSync("x"), RateLimitedError);
    EXPECT_EQ(server.requestCount(), 2u + 5u);
}

TEST(Polling, ExecWaitClientTimeout) {
    FixtureServer server;
    ComputeClient client(optionsFor(server));
    Sandbox sb = runningSandbox(client, server);
    server.setHandler([](const RecordedRequest& r) {
        if (r.method == "POST")
            return Reply::json(200, execStarted());
        return chunkPoll("running", "[]");
    });
    PollOptions poll;
    poll.timeout = 300ms;
    poll.poll_interval = 50ms;
    EXPECT_THROW(sb.execSync("sleep 100", {}, poll), TimeoutError);
}

TEST(Polling, WaitUntilRunningPollsUntilRunning) {
    FixtureServer server;
    server.enqueue(Reply::json(200, statusBody("starting")));
    server.enqueue(Reply::json(200, statusBody("mystery_state"))); // unknown: keep waiting
    Reply limited;
    limited.status = 429;
    limited.body = "rate limited";
    limited.content_type = "text/plain";
    server.enqueue(limited.header("Retry-After", "0"));
    server.enqueue(Reply::json(200, statusBody("running")));
    ComputeClient client(optionsFor(server));
    Sandbox sb = client.sandbox(kSandboxId);
    WaitOptions w;
    w.poll_interval = 20ms;
    sb.waitUntilRunning(w);
    EXPECT_EQ(sb.status(), "running");
    EXPECT_EQ(server.requestCount(), 4u);
}

TEST(Polling, WaitUntilRunningHonoursRetryAfter) {
    FixtureServer server;
    Reply limited;
    limited.status = 429;
    limited.body = "rate limited";
    limited.content_type = "text/plain";
    server.enqueue(limited.header("Retry-After", "1"));
    server.enqueue(Reply::json(200, statusBody("running")));
    ComputeClient client(optionsFor(server));
    WaitOptions w;
    w.poll_interval = 10ms;
    auto start = std::chrono::steady_clock::now();
    client.sandbox(kSandboxId).waitUntilRunning(w);
    // The server asked for one second: polling sooner would be impolite (docs/protocol.md §3.5).
    EXPECT_GE(std::chrono::steady_clock::now() - start, 950ms);
    EXPECT_EQ(server.requestCount(), 2u);
}

TEST(Polling, WaitUntilRunningGivesUpAfterFiveConsecutiveRateLimits) {
    FixtureServer server;
    server.setHandler([](const RecordedRequest&) {
        Reply r;
        r.status = 429;
        r.body = "rate limited";
        r.content_type = "text/plain";
        r.header("Retry-After", "0");
        return r;
    });
    ComputeClient client(optionsFor(server));
    EXPECT_THROW(client.sandbox(kSandboxId).waitUntilRunning(), RateLimitedError);
    EXPECT_EQ(server.requestCount(), 5u);
}

TEST(Polling, WaitUntilRunningFailsOnFailedOrTerminated) {
    for (std::string final_status : {"failed", "terminated"}) {
        FixtureServer server;
        server.enqueue(Reply::json(200, statusBody("starting")));
        server.enqueue(Reply::json(200, statusBody(final_status)));
        ComputeClient client(optionsFor(server));
        WaitOptions w;
        w.poll_interval = 10ms;
        try {
            client.sandbox(kSandboxId).waitUntilRunning(w);
            FAIL() << final_status;
        } catch (const SandboxNotRunningError& e) {
            EXPECT_EQ(e.kind(), ErrorKind::SandboxNotRunning);
            EXPECT_NE(std::string(e.what()).find(final_status), std::string::npos);
        }
    }
}

TEST(Polling, WaitUntilRunningTimesOut) {
    FixtureServer server;
    server.setHandler(
        [](const RecordedRequest&) { return Reply::json(200, statusBody("awaiting_payment")); });
    ComputeClient client(optionsFor(server));
    WaitOptions w;
    w.timeout = 300ms;
    w.poll_interval = 50ms;
    auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(client.sandbox(kSandboxId).waitUntilRunning(w), SandboxNotRunningError);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 1300ms);
}

TEST(Polling, WaitUntilRunningToleratesThreeTransportFailures) {
    FixtureServer server;
    server.enqueue(Reply::json(200, statusBody("starting")));
    server.enqueue(Reply::drop());
    server.enqueue(Reply::drop());
    server.enqueue(Reply::json(200, statusBody("running")));
    ComputeClient client(optionsFor(server));
    WaitOptions w;
    w.poll_interval = 10ms;
    client.sandbox(kSandboxId).waitUntilRunning(w);
    EXPECT_GE(server.requestCount(), 4u);
}

TEST(Polling, WaitUntilRunningGivesUpAfterTheFourthTransportFailure) {
    FixtureServer server;
    server.setHandler([](const RecordedRequest&) { return Reply::drop(); });
    ComputeClient client(optionsFor(server));
    WaitOptions w;
    w.poll_interval = 10ms;
    EXPECT_THROW(client.sandbox(kSandboxId).waitUntilRunning(w), ConnectionError);
    EXPECT_EQ(server.requestCount(), 4u);
}

TEST(Polling, DataPlaneCallOnABootingSandboxWaitsForRunning) {
    FixtureServer server;
    server.enqueue(Reply::json(201, std::string(R"J({"sandbox_id":")J") + kSandboxId +
                                        R"J(","status":"starting"})J"));
    server.enqueue(Reply::json(200, statusBody("starting")));
    server.enqueue(Reply::json(200, statusBody("running")));
    server.enqueue(Reply::json(200, execStarted()));
    server.enqueue(chunkPoll("completed", R"J([{"stream":"stdout","chunk":"hi\n"}])J", "0"));
    ComputeClient client(optionsFor(server));
    Sandbox sb = client.createSandbox();
    EXPECT_EQ(sb.execSync("echo hi").stdoutText(), "hi\n");
    auto reqs = server.requests();
    ASSERT_EQ(reqs.size(), 5u);
    EXPECT_EQ(reqs[1].method, "GET");
    EXPECT_EQ(reqs[2].method, "GET");
    EXPECT_EQ(reqs[3].path, std::string("/v1/sandboxes/") + kSandboxId + "/exec");
}

TEST(Polling, BillingEventsFromStatusAndExecPolls) {
    FixtureServer server;
    ComputeClient client(optionsFor(server));
    Sandbox sb = client.sandbox(kSandboxId);
    std::vector<std::string> events;
    auto id = sb.on("pending_invoice", [&](const BillingEvent& e) {
        events.push_back("invoice:" + e.invoice->payment_hash);
    });
    sb.on("low_balance", [&](const BillingEvent& e) { events.push_back(e.name); });
    sb.on("out_of_balance", [&](const BillingEvent& e) { events.push_back(e.name); });
    const std::string inv1 =
        R"J("pending_invoice":{"bolt11":"lnbc1","payment_hash":"h1","amount_msats":1000,"expires_at":null})J";
    const std::string inv2 =
        R"J("pending_invoice":{"bolt11":"lnbc2","payment_hash":"h2","amount_msats":1000,"expires_at":null})J";
    auto lightning = [](const std::string& level, const std::string& inv) {
        std::string body = statusBody("running");
        body.replace(body.find(R"J("warning_level":null)J"), 20,
                     R"J("warning_level":")J" + level + "\"");
        body.replace(body.find(R"J("pending_invoice":null)J"), 22, inv);
        return body;
    };
    server.enqueue(Reply::json(200, lightning("ok", R"J("pending_invoice":null)J")));
    server.enqueue(Reply::json(200, lightning("low_balance", inv1)));
    server.enqueue(Reply::json(200, lightning("low_balance", inv1))); // nothing new
    server.enqueue(Reply::json(200, lightning("out_of_balance", inv1)));
    for (int i = 0; i < 4; ++i)
        sb.refreshStatus();
    EXPECT_EQ(events, (std::vector<std::string>{"invoice:h1", "low_balance", "out_of_balance"}));
    ASSERT_TRUE(sb.pendingInvoice());
    EXPECT_EQ(sb.pendingInvoice()->bolt11, "lnbc1");

    // An exec poll carrying a new invoice fires too.
    std::string poll = execPoll("running", "[]");
    poll.replace(poll.find(R"J("pending_invoice":null)J"), 22, inv2);
    server.enqueue(Reply::json(200, poll));
    sb.execResult("exec_1");
    EXPECT_EQ(events.back(), "invoice:h2");

    EXPECT_TRUE(sb.off("pending_invoice", id));
    EXPECT_FALSE(sb.off("pending_invoice", id));
}

TEST(Polling, InvoiceFromCreateReachesEachListenerOnce) {
    // The reference's lightning example: create, on("pending_invoice", cb), refresh_status() must
    // call cb with the invoice that is already outstanding, and never twice for it.
    FixtureServer server;
    const std::string invoice =
        R"J({"bolt11":"lnbc10u1x","payment_hash":"h1","amount_msats":1000000,"expires_at":null})J";
    server.enqueue(Reply::json(201, std::string(R"J({"sandbox_id":")J") + kSandboxId +
                                        R"J(","status":"awaiting_payment","pending_invoice":)J" +
                                        invoice + "}"));
    std::string status = statusBody("awaiting_payment");
    status.replace(status.find(R"J("pending_invoice":null)J"), 22,
                   R"J("pending_invoice":)J" + invoice);
    for (int i = 0; i < 3; ++i)
        server.enqueue(Reply::json(200, status));
    ComputeClient client(optionsFor(server));
    Sandbox sb = client.createSandbox({"nano", std::string("lightning")});
    int first = 0, second = 0;
    sb.on("pending_invoice", [&](const BillingEvent& e) {
        EXPECT_EQ(e.invoice->bolt11, "lnbc10u1x");
        ++first;
    });
    sb.refreshStatus();
    sb.refreshStatus();
    EXPECT_EQ(first, 1);
    sb.on("pending_invoice", [&](const BillingEvent&) { ++second; });
    sb.refreshStatus();
    EXPECT_EQ(first, 1);
    EXPECT_EQ(second, 1);
}

TEST(Polling, ExecNextHandsOutOutputAsItArrivesThenTheEnd) {
    FixtureServer server;
    ComputeClient client(optionsFor(server));
    Sandbox sb = runningSandbox(client, server);
    server.enqueue(Reply::json(200, execStarted()));
    server.enqueue(chunkPoll("running", R"J([{"stream":"stdout","chunk":"early "}])J"));
    server.enqueue(chunkPoll("running", "[]"));
    server.enqueue(chunkPoll(
        "running", R"J([{"stream":"stderr","chunk":"warn"},{"stream":"stdout","chunk":"b"}])J"));
    server.enqueue(chunkPoll("completed", R"J([{"stream":"stdout","chunk":"c"}])J", "4"));
    Execution e = sb.exec("x");
    // A chunk fetched by execResult is still the first one execNext hands out (rule 10).
    EXPECT_EQ(sb.execResult(e.execution_id).stdoutText(), "early ");
    PollOptions poll;
    poll.poll_interval = 20ms;
    ExecResult first = sb.execNext(e.execution_id, poll);
    EXPECT_EQ(first.status, "running");
    EXPECT_EQ(first.stdoutText(), "early ");
    EXPECT_EQ(server.requestCount(), 3u); // answered from the buffer, no poll
    ExecResult second = sb.execNext(e.execution_id, poll);
    EXPECT_EQ(second.status, "running"); // an empty poll did not end the wait
    ASSERT_EQ(second.output.size(), 2u);
    EXPECT_EQ(second.output[0].stream, "stderr");
    EXPECT_EQ(second.output[1].chunk, "b");
    ExecResult last = sb.execNext(e.execution_id, poll);
    EXPECT_EQ(last.status, "completed");
    EXPECT_EQ(last.exit_code, 4);
    EXPECT_EQ(last.stdoutText(), "c");
    // After the end: the terminal status again, no output, no request.
    const auto requests = server.requestCount();
    ExecResult again = sb.execNext(e.execution_id, poll);
    EXPECT_EQ(again.status, "completed");
    EXPECT_EQ(again.exit_code, 4);
    EXPECT_TRUE(again.output.empty());
    EXPECT_EQ(server.requestCount(), requests);
    // execWait still returns every chunk of the execution.
    server.enqueue(chunkPoll("completed", "[]", "4"));
    EXPECT_EQ(sb.execWait(e.execution_id).stdoutText(), "early bc");
}

TEST(Polling, ExecNextOnAFiberDeliversTheFirstChunkBeforeTheEnd) {
    FixtureServer server;
    auto opts = optionsFor(server);
    opts.timeout = 60s;
    ComputeClient client(opts);
    Sandbox sb = runningSandbox(client, server);
    server.enqueue(Reply::json(200, execStarted()));
    server.enqueue(chunkPoll("running", R"J([{"stream":"stdout","chunk":"a\n"}])J"));
    Reply late = chunkPoll("completed", R"J([{"stream":"stdout","chunk":"b\n"}])J", "0");
    late.delay = 400ms;
    server.enqueue(late);
    Execution e = sb.exec("echo a; sleep 1; echo b");
    std::vector<std::pair<std::string, std::chrono::steady_clock::time_point>> steps;
    const auto start = std::chrono::steady_clock::now();
    AsyncTask task = runAsync([&](const CancelToken& t) {
        while (true) {
            ExecResult step = sb.execNext(e.execution_id, {}, t);
            steps.emplace_back(step.stdoutText(), std::chrono::steady_clock::now());
            if (step.finished())
                break;
        }
    });
    task.wait();
    ASSERT_EQ(steps.size(), 2u);
    EXPECT_EQ(steps[0].first, "a\n");
    EXPECT_EQ(steps[1].first, "b\n");
    EXPECT_LT(steps[0].second - start, 300ms);
    EXPECT_GE(steps[1].second - start, 400ms);
}
