// Our HTTP/1.1 codec against raw answers (bench finding F2).
#include "raw_server.hpp"

#include <gtest/gtest.h>
#include <sockt/sockt.hpp>
#include <thread>

using namespace sockt;
using namespace sockt::testing;
using namespace std::chrono_literals;

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
