// Transport behaviour: keep-alive reuse, deadlines, refused connections, pod-starting retries,
// stale keep-alive retries, cancellation, HTTPS verification, env resolution (issue #2 items 3,
// 7, 9 and 10).
#include "core_test_helpers.hpp"

#include <Poco/Net/ServerSocket.h>
#include <cstdlib>
#include <gtest/gtest.h>
#include <sockt/sockt.hpp>
#include <thread>

using namespace sockt;
using namespace sockt::testing;
using namespace std::chrono_literals;

namespace {

const std::string kPodStarting =
    R"J({"code":"pod_starting","error":"pod unreachable","message":"sandbox is starting; pod unreachable, retry shortly","hint":null,"request_id":"req_1"})J";

unsigned short unusedPort() {
    Poco::Net::ServerSocket s(Poco::Net::SocketAddress("127.0.0.1", 0));
    unsigned short port = s.address().port();
    s.close();
    return port;
}

class EnvGuard {
public:
    explicit EnvGuard(std::initializer_list<std::pair<const char*, const char*>> vars) {
        for (auto [k, v] : vars) {
            const char* old = std::getenv(k);
            saved_.emplace_back(k, old ? std::optional<std::string>(old) : std::nullopt);
            if (v)
                ::setenv(k, v, 1);
            else
                ::unsetenv(k);
        }
    }
    ~EnvGuard() {
        for (auto& [k, v] : saved_) {
            if (v)
                ::setenv(k.c_str(), v->c_str(), 1);
            else
                ::unsetenv(k.c_str());
        }
    }

private:
    std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

} // namespace

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

TEST(Transport, CancellationStopsARequestWithinASecond) {
    FixtureServer server;
    server.enqueue(Reply::stall());
    auto opts = optionsFor(server);
    opts.timeout = 60s;
    ComputeClient client(opts);
    CancelToken token;
    std::thread canceller([&] {
        std::this_thread::sleep_for(300ms);
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

TEST(Https, RightCertificateWorks) {
    auto pki = testPki();
    FixtureServer server(pki.good);
    server.enqueue(Reply::json(200, R"J({"tiers":[{"tier":"nano"}]})J"));
    server.enqueue(Reply::json(200, R"J({"tiers":[]})J"));
    auto opts = optionsFor(server);
    opts.ca_file = pki.ca_file;
    ComputeClient client(opts);
    EXPECT_EQ(client.listTiers().size(), 1u);
    EXPECT_EQ(client.listTiers().size(), 0u);
    EXPECT_EQ(client.connectionsOpened(), 1u);
    // The same certificate also names `localhost`.
    server.enqueue(Reply::json(200, R"J({"tiers":[]})J"));
    opts.base_url = server.urlWithHost("localhost");
    ComputeClient by_name(opts);
    EXPECT_NO_THROW(by_name.listTiers());
}

TEST(Https, WrongHostCertificateIsRejected) {
    auto pki = testPki();
    FixtureServer server(pki.wrong_host);
    server.enqueue(Reply::json(200, R"J({"tiers":[]})J"));
    auto opts = optionsFor(server);
    opts.ca_file = pki.ca_file;
    ComputeClient client(opts);
    EXPECT_THROW(client.listTiers(), ConnectionError);
    EXPECT_EQ(server.requestCount(), 0u);
}

TEST(Https, UntrustedCaIsRejected) {
    auto pki = testPki();
    FixtureServer server(pki.good);
    server.enqueue(Reply::json(200, R"J({"tiers":[]})J"));
    auto opts = optionsFor(server); // system CAs only: the test CA is unknown
    ComputeClient client(opts);
    EXPECT_THROW(client.listTiers(), ConnectionError);
    EXPECT_EQ(server.requestCount(), 0u);
}

TEST(Environment, ParameterBeatsEnvBeatsDefault) {
    FixtureServer server;
    server.setHandler([](const RecordedRequest&) { return Reply::json(200, R"J({"tiers":[]})J"); });
    {
        EnvGuard env({{"SOCKT_API_KEY", "sockt_live_from_env_1111"},
                      {"SOCKT_SANDBOX_TOKEN", nullptr},
                      {"SOCKT_API_URL", server.url().c_str()}});
        ComputeClient from_env; // everything from the environment
        EXPECT_EQ(from_env.baseUrl(), server.url());
        from_env.listTiers();
        EXPECT_EQ(server.requests().back().header("authorization"),
                  "Bearer sockt_live_from_env_1111");

        ClientOptions o;
        o.api_key = "sockt_live_from_param_2222";
        ComputeClient from_param(o);
        from_param.listTiers();
        EXPECT_EQ(server.requests().back().header("authorization"),
                  "Bearer sockt_live_from_param_2222");

        ClientOptions empty;
        empty.api_key = ""; // empty counts as unset
        ComputeClient empty_param(empty);
        empty_param.listTiers();
        EXPECT_EQ(server.requests().back().header("authorization"),
                  "Bearer sockt_live_from_env_1111");

        ClientOptions ignore;
        ignore.ignore_env = true;
        ComputeClient ignoring(ignore);
        EXPECT_EQ(ignoring.baseUrl(), "https://api.sockt.dev");
    }
    {
        EnvGuard env({{"SOCKT_API_KEY", "sockt_live_from_env_1111"},
                      {"SOCKT_SANDBOX_TOKEN", "sbx_from_env_3333"},
                      {"SOCKT_API_URL", (server.url() + "/").c_str()}});
        ComputeClient both; // the sandbox token wins the Authorization header
        EXPECT_EQ(both.baseUrl(), server.url());
        both.listTiers();
        auto r = server.requests().back();
        EXPECT_EQ(r.header("authorization"), "Bearer sbx_from_env_3333");
        EXPECT_EQ(r.query.at("sandbox_token"), "sbx_from_env_3333");
    }
    {
        EnvGuard env({{"SOCKT_API_KEY", ""}, {"SOCKT_SANDBOX_TOKEN", ""}, {"SOCKT_API_URL", ""}});
        ComputeClient defaults;
        EXPECT_EQ(defaults.baseUrl(), "https://api.sockt.dev");
        EXPECT_EQ(defaults.describe(), "ComputeClient(base_url=https://api.sockt.dev)");
    }
}

TEST(Environment, CaFileFromEnvironment) {
    auto pki = testPki();
    FixtureServer server(pki.good);
    server.enqueue(Reply::json(200, R"J({"tiers":[]})J"));
    EnvGuard env({{"SOCKT_CA_FILE", pki.ca_file.c_str()},
                  {"SOCKT_API_URL", server.url().c_str()},
                  {"SOCKT_API_KEY", nullptr},
                  {"SOCKT_SANDBOX_TOKEN", nullptr}});
    ComputeClient client;
    EXPECT_NO_THROW(client.listTiers());
    ClientOptions missing;
    missing.ca_file = "/nonexistent/ca.pem"; // a parameter beats the env
    ComputeClient broken(missing);
    EXPECT_THROW(broken.listTiers(), ConnectionError);
}

TEST(Environment, InvalidBaseUrlIsAnInvalidArgument) {
    ClientOptions o;
    o.ignore_env = true;
    o.base_url = "ftp://example.com";
    EXPECT_THROW(ComputeClient{o}, InvalidArgumentError);
    o.base_url = "not a url";
    EXPECT_THROW(ComputeClient{o}, InvalidArgumentError);
}
