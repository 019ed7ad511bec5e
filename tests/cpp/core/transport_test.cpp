// Transport behaviour: keep-alive reuse, deadlines, refused connections, pod-starting retries,
// stale keep-alive retries, cancellation.
#include "eventually.hpp"
#include "raw_server.hpp"

#include <gtest/gtest.h>
#include <sockt/sockt.hpp>
#include <thread>

using namespace sockt;
using namespace sockt::testing;
using namespace std::chrono_literals;

TEST(Transport, PodStartingTwiceThenSuccess) {
    FixtureServer server;
    server.enqueue(Reply::json(503, kPodStarting));
    server.enqueue(Reply::json(503, kPodStarting));
    server.enqueue(
        Reply::json(200, R"J({"path":"/home/sandbox/a","bytes_written":1,"created_dirs":false})J"));
    ComputeClient client(optionsFor(server));
    Sandbox sb = client.sandbox(kSandboxId);
    auto w = sb.writeFile("a", "x");
    EXPECT_EQ(w.bytes_written, 1);
    auto reqs = server.requests();
    ASSERT_EQ(reqs.size(), 3u);
    for (const auto& r : reqs) { // the identical request, body included, each time
        EXPECT_EQ(r.method, "POST");
        EXPECT_EQ(r.body, reqs[0].body);
    }
}

TEST(Transport, PodStartingFourTimesFails) {
    FixtureServer server;
    for (int i = 0; i < 4; ++i)
        server.enqueue(Reply::json(503, kPodStarting));
    server.enqueue(Reply::json(200, "{}"));
    ComputeClient client(optionsFor(server));
    try {
        client.sandbox(kSandboxId).exec("ls");
        FAIL();
    } catch (const HostUnreachableError& e) {
        EXPECT_EQ(e.slug(), "pod_starting");
        EXPECT_EQ(e.statusCode(), 503);
    }
    EXPECT_EQ(server.requestCount(), 4u);
}

TEST(Transport, PodUnreachable400IsRetriedToo) {
    FixtureServer server;
    server.enqueue(Reply::error(400, "pod_unreachable", "pod unreachable"));
    server.enqueue(Reply::json(200, statusBody("running")));
    ComputeClient client(optionsFor(server));
    EXPECT_EQ(client.getSandbox(kSandboxId).status(), "running");
    EXPECT_EQ(server.requestCount(), 2u);
}

TEST(Transport, CallsShareOneKeepAliveConnection) {
    FixtureServer server;
    server.setHandler(
        [](const RecordedRequest&) { return Reply::json(200, statusBody("running")); });
    ComputeClient client(optionsFor(server));
    Sandbox sb = client.sandbox(kSandboxId);
    for (int i = 0; i < 20; ++i)
        sb.refreshStatus();
    EXPECT_EQ(client.connectionsOpened(), 1u);
    EXPECT_EQ(server.connectionsAccepted(), 1);
    EXPECT_EQ(server.requestCount(), 20u);
}

TEST(Transport, ConcurrentCallsUseSeparateConnections) {
    FixtureServer server;
    server.setHandler([](const RecordedRequest&) {
        Reply r = Reply::json(200, statusBody("running"));
        r.delay = 100ms;
        return r;
    });
    ComputeClient client(optionsFor(server));
    Sandbox sb = client.sandbox(kSandboxId);
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i)
        threads.emplace_back([&] { sb.refreshStatus(); });
    for (auto& t : threads)
        t.join();
    EXPECT_EQ(server.requestCount(), 4u);
    EXPECT_GE(client.connectionsOpened(), 2u);
    EXPECT_LE(client.connectionsOpened(), 4u);
}

TEST(Transport, StalledServerRaisesTimeoutWithinDeadlinePlusOneSecond) {
    FixtureServer server;
    server.enqueue(Reply::stall());
    auto opts = optionsFor(server);
    opts.timeout = 1500ms;
    ComputeClient client(opts);
    auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(client.listTiers(), TimeoutError);
    auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_GE(elapsed, 1400ms);
    EXPECT_LT(elapsed, 2500ms);
}

TEST(Transport, ServerStallingMidBodyRaisesTimeoutWithinDeadlinePlusOneSecond) {
    FixtureServer server;
    server.enqueue(Reply::stallMidBody(R"J({"tiers":[)J"));
    auto opts = optionsFor(server);
    opts.timeout = 1500ms;
    ComputeClient client(opts);
    auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(client.listTiers(), TimeoutError);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2500ms);
}

TEST(Transport, StalledHttpsServerRaisesTimeout) {
    auto pki = testPki();
    FixtureServer server(pki.good);
    server.enqueue(Reply::stall());
    auto opts = optionsFor(server);
    opts.ca_file = pki.ca_file;
    opts.timeout = 1000ms;
    ComputeClient client(opts);
    auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(client.listTiers(), TimeoutError);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2000ms);
}

TEST(Transport, HttpsServerStallingMidBodyRaisesTimeoutWithinDeadlinePlusOneSecond) {
    auto pki = testPki();
    FixtureServer server(pki.good);
    server.enqueue(Reply::stallMidBody(R"J({"tiers":[)J"));
    auto opts = optionsFor(server);
    opts.ca_file = pki.ca_file;
    opts.timeout = 1500ms;
    ComputeClient client(opts);
    auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(client.listTiers(), TimeoutError);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2500ms);
}

TEST(Transport, RefusedConnectionRaisesConnectionError) {
    ClientOptions opts;
    opts.base_url = "http://127.0.0.1:" + std::to_string(unusedPort());
    opts.ignore_env = true;
    opts.timeout = 5s;
    ComputeClient client(opts);
    try {
        client.listTiers();
        FAIL();
    } catch (const ConnectionError& e) {
        EXPECT_EQ(e.statusCode(), 0);
        EXPECT_NE(std::string(e.what()).find("127.0.0.1"), std::string::npos) << e.what();
    }
}

TEST(Transport, StaleKeepAliveGetIsRetriedOnce) {
    FixtureServer server;
    server.enqueue(Reply::json(200, statusBody("running")));
    server.enqueue(Reply::drop()); // the server closes the reused connection on the next request
    server.enqueue(Reply::json(200, statusBody("paused")));
    ComputeClient client(optionsFor(server));
    Sandbox sb = client.sandbox(kSandboxId);
    sb.refreshStatus();
    EXPECT_EQ(sb.refreshStatus().status, "paused");
    EXPECT_EQ(server.requestCount(), 3u);
    EXPECT_EQ(client.connectionsOpened(), 2u);
}

TEST(Transport, StaleKeepAlivePostIsNotRetried) {
    FixtureServer server;
    server.enqueue(Reply::json(200, statusBody("running")));
    server.enqueue(Reply::drop());
    server.enqueue(Reply::json(200, execStarted()));
    ComputeClient client(optionsFor(server));
    Sandbox sb = client.getSandbox(kSandboxId);
    EXPECT_THROW(sb.exec("echo once"), ConnectionError);
    auto reqs = server.requests();
    ASSERT_EQ(reqs.size(), 2u); // the POST reached the server once and was not resent
    EXPECT_EQ(reqs[1].method, "POST");
}

TEST(Transport, IdleConnectionClosedByServerIsReplacedBeforeSending) {
    FixtureServer server;
    Reply first = Reply::json(200, statusBody("running"));
    first.close = true; // Connection: close: the connection must not be reused
    server.enqueue(first);
    server.enqueue(Reply::json(200, execStarted()));
    ComputeClient client(optionsFor(server));
    Sandbox sb = client.getSandbox(kSandboxId);
    EXPECT_EQ(sb.exec("echo").execution_id, "exec_1");
    EXPECT_EQ(client.connectionsOpened(), 2u);
}

TEST(Transport, SilentCloseAfterAnAnswerResendsAGetAndChecksBeforeAPost) {
    // The server closes the connection after each status answer without a Connection: close.
    // A GET on a connection released moments ago skips the liveness poll (F7): it meets the
    // closed socket and is resent. A POST cannot be resent, so it keeps the poll.
    FixtureServer server;
    Reply running = Reply::json(200, statusBody("running"));
    running.silent_close = true;
    Reply paused = Reply::json(200, statusBody("paused"));
    paused.silent_close = true;
    server.enqueue(running);
    server.enqueue(paused);
    server.enqueue(Reply::json(200, execStarted()));
    ComputeClient client(optionsFor(server));
    Sandbox sb = client.getSandbox(kSandboxId);
    EXPECT_EQ(sb.refreshStatus().status, "paused");
    EXPECT_EQ(client.connectionsOpened(), 2u);
    std::this_thread::sleep_for(std::chrono::milliseconds(300)); // the server's FIN arrives
    EXPECT_EQ(sb.exec("echo").execution_id, "exec_1");
    EXPECT_EQ(client.connectionsOpened(), 3u);
    EXPECT_EQ(server.requestCount(), 3u); // every request was answered once
}

TEST(Transport, CancellationStopsARequestWithinASecond) {
    FixtureServer server;
    server.enqueue(Reply::stall());
    auto opts = optionsFor(server);
    opts.timeout = 60s;
    ComputeClient client(opts);
    CancelToken token;
    std::thread canceller([&] {
        eventually([&] { return server.requestCount() == 1; }); // the request is under way
        token.cancel();
    });
    auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(client.listTiers(token), CancelledError);
    canceller.join();
    EXPECT_LT(std::chrono::steady_clock::now() - start, 1300ms);
}

TEST(Transport, CancellationStopsAWaitWithinASecond) {
    FixtureServer server;
    server.setHandler(
        [](const RecordedRequest&) { return Reply::json(200, statusBody("starting")); });
    ComputeClient client(optionsFor(server));
    Sandbox sb = client.sandbox(kSandboxId);
    CancelToken token;
    int checks = 0;
    // The binding's hook (PyErr_CheckSignals in Python) fires after a few slices.
    token.setCheck([&] { return ++checks > 10; });
    WaitOptions w;
    w.timeout = 60s;
    w.poll_interval = 30s;
    auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(sb.waitUntilRunning(w, token), CancelledError);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 1500ms);
}

TEST(Transport, ClosedClientRefusesCalls) {
    FixtureServer server;
    ComputeClient client(optionsFor(server));
    Sandbox sb = client.sandbox(kSandboxId);
    client.close();
    client.close();
    EXPECT_TRUE(client.closed());
    EXPECT_THROW(client.listTiers(), ConnectionError);
    EXPECT_THROW(sb.refreshStatus(), ConnectionError);
    EXPECT_EQ(server.requestCount(), 0u);
}
