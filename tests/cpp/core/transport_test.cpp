// Transport behaviour: keep-alive reuse, deadlines, refused connections, pod-starting retries,
// stale keep-alive retries, cancellation, HTTPS verification, env resolution (issue #2 items 3,
// 7, 9 and 10).
#include "core_test_helpers.hpp"

#include <Poco/Net/ServerSocket.h>
#include <arpa/inet.h>
#include <atomic>
#include <cstdlib>
#include <deque>
#include <gtest/gtest.h>
#include <mutex>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sockt/sockt.hpp>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

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

// A scripted server speaking raw bytes over TCP, for answers a real HTTP server would never send
// (one byte per write, HTTP/1.0, malformed heads, bodies until close). It serves one connection
// at a time, reads each request (head + Content-Length body), records it and writes the next
// scripted answer.
class RawServer {
public:
    struct Answer {
        std::string bytes;
        bool close_after = false;               // close the connection after writing
        std::chrono::microseconds byte_gap{-1}; // >= 0: one byte per write, this long apart
    };

    RawServer() {
        listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = 0;
        if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) ||
            ::listen(listen_fd_, 16))
            throw std::runtime_error("RawServer: cannot listen on 127.0.0.1");
        socklen_t len = sizeof addr;
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
        port_ = ntohs(addr.sin_port);
        thread_ = std::thread([this] { run(); });
    }
    ~RawServer() {
        stop_ = true;
        thread_.join();
        ::close(listen_fd_);
    }
    RawServer(const RawServer&) = delete;
    RawServer& operator=(const RawServer&) = delete;

    void enqueue(Answer answer) {
        std::lock_guard<std::mutex> lock(mutex_);
        answers_.push_back(std::move(answer));
    }
    void enqueue(std::string bytes, bool close_after = false) {
        enqueue(Answer{std::move(bytes), close_after, std::chrono::microseconds(-1)});
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    unsigned short port() const { return port_; }
    int connectionsAccepted() const { return accepted_.load(); }
    std::vector<std::string> requests() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return requests_;
    }

private:
    bool waitReadable(int fd) {
        while (!stop_) {
            pollfd p{fd, POLLIN, 0};
            if (::poll(&p, 1, 50) > 0)
                return true;
        }
        return false;
    }
    bool readMore(int fd, std::string& in) {
        if (!waitReadable(fd))
            return false;
        char buf[65536];
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0)
            return false;
        in.append(buf, static_cast<std::size_t>(n));
        return true;
    }
    static std::size_t contentLength(const std::string& head) {
        std::string lower = head;
        for (auto& c : lower)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        auto pos = lower.find("\r\ncontent-length:");
        return pos == std::string::npos ? 0 : std::stoul(lower.substr(pos + 17));
    }
    bool write(int fd, const Answer& answer) {
        const std::string& b = answer.bytes;
        if (answer.byte_gap.count() < 0)
            return ::send(fd, b.data(), b.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(b.size());
        for (char c : b) {
            if (stop_ || ::send(fd, &c, 1, MSG_NOSIGNAL) != 1)
                return false;
            std::this_thread::sleep_for(answer.byte_gap);
        }
        return true;
    }
    void serve(int fd) {
        std::string in;
        while (!stop_) {
            std::size_t head_end;
            while ((head_end = in.find("\r\n\r\n")) == std::string::npos)
                if (!readMore(fd, in))
                    return;
            std::size_t total = head_end + 4 + contentLength(in.substr(0, head_end + 2));
            while (in.size() < total)
                if (!readMore(fd, in))
                    return;
            Answer answer{"HTTP/1.1 599 Unscripted\r\nContent-Length: 0\r\n\r\n", true,
                          std::chrono::microseconds(-1)};
            {
                std::lock_guard<std::mutex> lock(mutex_);
                requests_.push_back(in.substr(0, total));
                if (!answers_.empty()) {
                    answer = std::move(answers_.front());
                    answers_.pop_front();
                }
            }
            in.erase(0, total);
            if (!write(fd, answer) || answer.close_after)
                return;
        }
    }
    void run() {
        while (waitReadable(listen_fd_)) {
            int fd = ::accept(listen_fd_, nullptr, nullptr);
            if (fd < 0)
                continue;
            ++accepted_;
            int one = 1;
            ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            serve(fd);
            ::close(fd);
        }
    }

    int listen_fd_ = -1;
    unsigned short port_ = 0;
    std::thread thread_;
    std::atomic<bool> stop_{false};
    std::atomic<int> accepted_{0};
    mutable std::mutex mutex_;
    std::deque<Answer> answers_;
    std::vector<std::string> requests_;
};

ClientOptions rawOptions(const RawServer& server) {
    ClientOptions o;
    o.base_url = server.url();
    o.api_key = kApiKey;
    o.ignore_env = true;
    o.timeout = 10s;
    return o;
}

HttpRequest get(const std::string& path) {
    HttpRequest r;
    r.method = "GET";
    r.path = path;
    r.retry_pod_starting = false;
    return r;
}

std::string okJson(const std::string& body, const std::string& extra_headers = "") {
    return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + extra_headers +
           "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

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

// ---- Our HTTP/1.1 codec against raw answers (bench finding F2) ------------------------------

TEST(Codec, RequestHeadIsOneWellFormedHttp11Message) {
    RawServer server;
    server.enqueue(okJson("{}"));
    server.enqueue(okJson("{}"));
    ComputeClient client(rawOptions(server));
    client.request(get("/tiers"));
    HttpRequest post;
    post.method = "POST";
    post.path = "/sandboxes/abc/pause";
    client.request(post);
    auto reqs = server.requests();
    ASSERT_EQ(reqs.size(), 2u);
    const std::string host = "\r\nHost: 127.0.0.1:" + std::to_string(server.port()) + "\r\n";
    EXPECT_EQ(reqs[0].rfind("GET /v1/tiers HTTP/1.1" + host, 0), 0u) << reqs[0];
    EXPECT_NE(reqs[0].find("\r\nAuthorization: Bearer " + std::string(kApiKey) + "\r\n"),
              std::string::npos);
    EXPECT_EQ(reqs[0].find("Content-Length"), std::string::npos) << reqs[0];
    // docs/protocol.md §1.2: a bodiless POST says Content-Length: 0 and has no Content-Type.
    EXPECT_EQ(reqs[1].rfind("POST /v1/sandboxes/abc/pause HTTP/1.1" + host, 0), 0u) << reqs[1];
    EXPECT_NE(reqs[1].find("\r\nContent-Length: 0\r\n"), std::string::npos);
    EXPECT_EQ(reqs[1].find("Content-Type"), std::string::npos);
    EXPECT_EQ(server.connectionsAccepted(), 1);
}

TEST(Codec, ChunkedAnswerWithExtensionsAndTrailers) {
    RawServer server;
    server.enqueue("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                   "Transfer-Encoding: chunked\r\nTrailer: X-Checksum\r\n\r\n"
                   "7;name=\"v;1\"\r\n{\"tiers\r\n"
                   "B ; ext\r\n\":[{\"tier\":\r\n"
                   "9\r\n\"nano\"}]}\r\n"
                   "0;last\r\nX-Checksum: abc\r\nX-Other: 1\r\n\r\n");
    server.enqueue(okJson(R"({"tiers":[]})"));
    ComputeClient client(rawOptions(server));
    auto tiers = client.listTiers();
    ASSERT_EQ(tiers.size(), 1u);
    EXPECT_EQ(tiers[0].name, "nano");
    // The chunked answer ended cleanly: the next request reuses the connection.
    EXPECT_EQ(client.listTiers().size(), 0u);
    EXPECT_EQ(server.connectionsAccepted(), 1);
    EXPECT_EQ(client.connectionsOpened(), 1u);
}

TEST(Codec, AnswersArrivingOneByteAtATime) {
    RawServer server;
    const std::string body = R"({"tiers":[{"tier":"nano"},{"tier":"micro"}]})";
    server.enqueue(
        {okJson(body, "X-Multi: a\r\nx-multi: b\r\n"), false, std::chrono::microseconds(200)});
    server.enqueue({"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
                    false, std::chrono::microseconds(200)});
    ComputeClient client(rawOptions(server));
    auto first = client.request(get("/tiers"));
    EXPECT_EQ(first.status, 200);
    EXPECT_EQ(first.body, body);
    EXPECT_EQ(first.header("content-type"), "application/json");
    EXPECT_EQ(first.header("x-multi"), "a, b"); // repeated headers, names case-insensitive
    auto second = client.request(get("/tiers"));
    EXPECT_EQ(second.body, "hello world");
    EXPECT_EQ(server.connectionsAccepted(), 1);
}

TEST(Codec, ConnectionCloseAnswerThenNextRequestOnAFreshConnection) {
    RawServer server;
    server.enqueue(okJson(R"({"tiers":[]})", "Connection: close\r\n"), true);
    server.enqueue(okJson(R"({"tiers":[{"tier":"nano"}]})"));
    ComputeClient client(rawOptions(server));
    EXPECT_EQ(client.listTiers().size(), 0u);
    EXPECT_EQ(client.listTiers().size(), 1u);
    EXPECT_EQ(server.connectionsAccepted(), 2);
    EXPECT_EQ(client.connectionsOpened(), 2u);
}

TEST(Codec, Http10AnswerIsNotReused) {
    RawServer server;
    // The server leaves the connection open: only the client's HTTP/1.0 rule prevents reuse.
    server.enqueue("HTTP/1.0 200 OK\r\nContent-Length: 12\r\n\r\n{\"tiers\":[]}");
    server.enqueue("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 12\r\n\r\n"
                   "{\"tiers\":[]}");
    server.enqueue(okJson(R"({"tiers":[]})"));
    ComputeClient client(rawOptions(server));
    EXPECT_EQ(client.listTiers().size(), 0u);
    EXPECT_EQ(client.listTiers().size(), 0u); // new connection; this one asks for keep-alive
    EXPECT_EQ(client.listTiers().size(), 0u); // ... so it is reused
    EXPECT_EQ(server.connectionsAccepted(), 2);
    EXPECT_EQ(client.connectionsOpened(), 2u);
}

TEST(Codec, NoContentAndHeadAnswersHaveNoBody) {
    RawServer server;
    server.enqueue("HTTP/1.1 204 No Content\r\nX-Request-Id: r1\r\n\r\n");
    server.enqueue("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"); // answer to HEAD
    server.enqueue("HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\n");
    server.enqueue(okJson("{}"));
    ComputeClient client(rawOptions(server));
    auto none = client.request(get("/sandboxes/x"));
    EXPECT_EQ(none.status, 204);
    EXPECT_EQ(none.body, "");
    EXPECT_EQ(none.header("x-request-id"), "r1");
    HttpRequest head = get("/sandboxes/x");
    head.method = "HEAD";
    auto h = client.request(head);
    EXPECT_EQ(h.status, 200);
    EXPECT_EQ(h.body, "");
    EXPECT_EQ(h.header("content-length"), "100");
    EXPECT_EQ(client.request(get("/x")).status, 304);
    EXPECT_EQ(client.request(get("/x")).body, "{}"); // framing stayed in sync
    EXPECT_EQ(server.connectionsAccepted(), 1);
}

TEST(Codec, InterimContinueIsSkipped) {
    RawServer server;
    server.enqueue("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n" +
                   okJson(R"({"tiers":[]})"));
    server.enqueue(okJson(R"({"tiers":[]})"));
    ComputeClient client(rawOptions(server));
    auto r = client.request(get("/tiers"));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, R"({"tiers":[]})");
    EXPECT_EQ(r.header("link"), "");
    EXPECT_EQ(client.request(get("/tiers")).status, 200);
    EXPECT_EQ(server.connectionsAccepted(), 1);
}

TEST(Codec, BodyUntilClose) {
    RawServer server;
    server.enqueue("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"tiers\":[]}", true);
    server.enqueue({"HTTP/1.1 200 OK\r\n\r\nslow body", true, std::chrono::microseconds(500)});
    server.enqueue(okJson("{}"));
    ComputeClient client(rawOptions(server));
    EXPECT_EQ(client.listTiers().size(), 0u);
    EXPECT_EQ(client.request(get("/x")).body, "slow body");
    EXPECT_EQ(client.request(get("/x")).body, "{}");
    EXPECT_EQ(server.connectionsAccepted(), 3);
}

TEST(Codec, MalformedStatusLinesAreConnectionErrors) {
    for (const std::string bad :
         {"HTTQ/1.1 200 OK\r\n\r\n", "HTTP/1.1 2x0 OK\r\n\r\n", "HTTP/1.1 200OK\r\n\r\n",
          "garbage\r\n\r\n", "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
          "HTTP/1.1 200 OK\r\nX-A: 1\r\n folded\r\n\r\n",
          "HTTP/1.1 200 OK\r\nContent-Length: 12abc\r\n\r\n",
          "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxy",
          "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"}) {
        RawServer server;
        server.enqueue(bad, true);
        ComputeClient client(rawOptions(server));
        try {
            client.request(get("/tiers"));
            ADD_FAILURE() << "accepted: " << bad;
        } catch (const ConnectionError& e) {
            EXPECT_NE(std::string(e.what()).find("not valid HTTP/1.1"), std::string::npos)
                << e.what();
            EXPECT_EQ(e.statusCode(), 0);
        }
    }
}

TEST(Codec, HeadLargerThan64KiBIsRejectedAndJustBelowIsAccepted) {
    RawServer server;
    server.enqueue(okJson("{}", "X-Big: " + std::string(60 * 1024, 'a') + "\r\n"));
    server.enqueue("HTTP/1.1 200 OK\r\nX-Big: " + std::string(70 * 1024, 'b') +
                       "\r\nContent-Length: 2\r\n\r\n{}",
                   true);
    ComputeClient client(rawOptions(server));
    auto ok = client.request(get("/x"));
    EXPECT_EQ(ok.header("x-big").size(), 60u * 1024);
    EXPECT_EQ(ok.body, "{}");
    try {
        client.request(get("/x"));
        FAIL();
    } catch (const ConnectionError& e) {
        EXPECT_NE(std::string(e.what()).find("larger than 65536 bytes"), std::string::npos)
            << e.what();
    }
}

TEST(Codec, TruncatedBodiesAreConnectionErrors) {
    for (const std::string cut : {"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{\"a\":",
                                  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel",
                                  "HTTP/1.1 200 OK\r\nContent-Le"}) {
        RawServer server;
        server.enqueue(cut, true);
        ComputeClient client(rawOptions(server));
        EXPECT_THROW(client.request(get("/x")), ConnectionError) << cut;
        EXPECT_EQ(server.requests().size(), 1u) << "a GET that got part of an answer is not resent";
    }
}

TEST(Codec, BytesAfterTheAnswerPreventReuse) {
    RawServer server;
    server.enqueue(okJson("{}") + "HTTP/1.1 200 OK\r\n"); // junk after a complete answer
    server.enqueue(okJson(R"({"n":2})"));
    ComputeClient client(rawOptions(server));
    EXPECT_EQ(client.request(get("/x")).body, "{}");
    EXPECT_EQ(client.request(get("/x")).body, R"({"n":2})");
    EXPECT_EQ(server.connectionsAccepted(), 2);
}

TEST(Codec, DrippingAnswerStillEndsAtTheDeadline) {
    RawServer server;
    // Head complete, then one body byte every 50 ms: each read succeeds, the request must not.
    server.enqueue({"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + std::string(1000, 'x'),
                    true, std::chrono::microseconds(50000)});
    auto opts = rawOptions(server);
    opts.timeout = 1s;
    ComputeClient client(opts);
    auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(client.request(get("/x")), TimeoutError);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST(Codec, LargeBodiesBothWays) {
    RawServer server;
    std::string big(3 * 1024 * 1024 + 17, 'z');
    std::string chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (std::size_t off = 0; off < big.size(); off += 100000) {
        std::size_t n = std::min<std::size_t>(100000, big.size() - off);
        char size[32];
        std::snprintf(size, sizeof size, "%zx\r\n", n);
        chunked += size + big.substr(off, n) + "\r\n";
    }
    chunked += "0\r\n\r\n";
    server.enqueue(okJson(big));
    server.enqueue(chunked);
    ComputeClient client(rawOptions(server));
    HttpRequest post = get("/x");
    post.method = "POST";
    post.body = std::string(1024 * 1024, 'p'); // beyond the inline size: sent separately
    auto r = client.request(post);
    EXPECT_EQ(r.body.size(), big.size());
    EXPECT_EQ(r.body, big);
    EXPECT_EQ(client.request(get("/x")).body, big);
    auto reqs = server.requests();
    ASSERT_EQ(reqs.size(), 2u);
    EXPECT_EQ(reqs[0].size() - reqs[0].find("\r\n\r\n") - 4, 1024u * 1024);
    EXPECT_NE(reqs[0].find("\r\nContent-Length: 1048576\r\n"), std::string::npos);
    EXPECT_EQ(server.connectionsAccepted(), 1);
}

TEST(Codec, ManySequentialRequestsShareOneConnection) {
    FixtureServer server;
    server.setHandler([](const RecordedRequest& r) {
        return Reply::json(200, "{\"echo\":" + std::to_string(r.body.size()) + "}");
    });
    ComputeClient client(optionsFor(server));
    for (int i = 0; i < 300; ++i) {
        HttpRequest r = get("/x");
        if (i % 3 == 1) {
            r.method = "POST";
            r.body = std::string(static_cast<std::size_t>(i) * 97, 'b');
        } else if (i % 3 == 2) {
            r.method = "DELETE";
        }
        auto response = client.request(r);
        ASSERT_EQ(response.status, 200);
        ASSERT_EQ(response.body, "{\"echo\":" + std::to_string(r.body ? r.body->size() : 0) + "}");
    }
    EXPECT_EQ(server.requestCount(), 300u);
    EXPECT_EQ(server.connectionsAccepted(), 1);
    EXPECT_EQ(client.connectionsOpened(), 1u);
}

TEST(Codec, ManySequentialHttpsRequestsShareOneConnection) {
    auto pki = testPki();
    FixtureServer server(pki.good);
    const std::string big(1024 * 1024 + 3, 'q');
    server.setHandler([&](const RecordedRequest& r) {
        if (r.method == "POST")
            return Reply::json(200, std::to_string(r.body.size()));
        return Reply::json(200, r.path == "/v1/big" ? big : std::string("{}"));
    });
    auto opts = optionsFor(server);
    opts.ca_file = pki.ca_file;
    ComputeClient client(opts);
    for (int i = 0; i < 60; ++i) {
        HttpRequest r = get(i % 10 == 5 ? "/big" : "/x");
        if (i % 10 == 7) {
            r.method = "POST";
            r.body = std::string(700 * 1024, 'w');
        }
        auto response = client.request(r);
        ASSERT_EQ(response.status, 200);
        if (i % 10 == 5)
            ASSERT_EQ(response.body, big);
        else if (i % 10 == 7)
            ASSERT_EQ(response.body, std::to_string(700 * 1024));
        else
            ASSERT_EQ(response.body, "{}");
    }
    EXPECT_EQ(server.requestCount(), 60u);
    EXPECT_EQ(server.connectionsAccepted(), 1);
    EXPECT_EQ(client.connectionsOpened(), 1u);
}

TEST(Codec, HeaderValueWithLineBreakIsRejectedBeforeSending) {
    RawServer server;
    auto opts = rawOptions(server);
    opts.user_agent_suffix = "evil\r\nX-Injected: 1";
    ComputeClient client(opts);
    EXPECT_THROW(client.request(get("/x")), InvalidArgumentError);
    EXPECT_EQ(server.requests().size(), 0u);
}

TEST(Codec, BytesThatCannotAppearInARequestLineAreEncoded) {
    RawServer server;
    server.enqueue(okJson("{}"));
    auto opts = rawOptions(server);
    opts.base_url = server.url() + "/my%20prefix"; // Poco::URI decodes the path to "/my prefix"
    ComputeClient client(opts);
    client.request(get("/tiers"));
    auto reqs = server.requests();
    ASSERT_EQ(reqs.size(), 1u);
    EXPECT_EQ(reqs[0].rfind("GET /my%20prefix/v1/tiers HTTP/1.1\r\n", 0), 0u) << reqs[0];
}

TEST(Codec, HttpsConnectionCloseAndStaleKeepAliveAreHandled) {
    auto pki = testPki();
    FixtureServer server(pki.good);
    Reply closing = Reply::json(200, statusBody("running"));
    closing.close = true;
    server.enqueue(closing);                                 // connection 1, then closed
    server.enqueue(Reply::json(200, statusBody("running"))); // connection 2
    server.enqueue(Reply::drop());                           // connection 2 dropped: stale GET
    server.enqueue(Reply::json(200, statusBody("paused")));  // connection 3
    auto opts = optionsFor(server);
    opts.ca_file = pki.ca_file;
    ComputeClient client(opts);
    Sandbox sb = client.sandbox(kSandboxId);
    EXPECT_EQ(sb.refreshStatus().status, "running");
    EXPECT_EQ(sb.refreshStatus().status, "running");
    EXPECT_EQ(sb.refreshStatus().status, "paused"); // resent once on a fresh connection
    EXPECT_EQ(server.requestCount(), 4u);
    EXPECT_EQ(client.connectionsOpened(), 3u);
}
