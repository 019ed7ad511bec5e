// Hostile request bodies are cheap (docs/protocol.md §3.4 step 3, turn 2): before authentication a
// body gets one bounded, linear-time parse, and past a limit the answer is 400 invalid_params.
// Every hostile request here is bounded in time to the answer, in the server's CPU time and in
// its memory (VmRSS / VmHWM from /proc); the bounds are generous correctness bounds, not
// benchmarks. Legitimate large bodies keep working.
#include "eventually.hpp"
#include "server_fixture.hpp"
#include "sockt/models.hpp"

#include <Poco/String.h>
#include <filesystem>
#include <future>

namespace sockt::testing {
namespace {

constexpr std::int64_t kMiB = 1024 * 1024;

class HostileBody : public ServerTest {
protected:
    HttpReply send(const std::string& method, const std::string& target, const std::string& body,
                   const std::string& bearer = {}) {
        return httpCall(url(), HttpCall{method, target, body, bearer});
    }

    /// 400 invalid_params naming the limit (`words`) in the message, the limits in the hint.
    static void expectLimit(const HttpReply& r, const std::string& words) {
        EXPECT_EQ(r.status, 400) << r.body.substr(0, 300);
        const auto j = Json::parse(r.body, nullptr, false);
        ASSERT_TRUE(j.is_object()) << r.body.substr(0, 300);
        EXPECT_EQ(j.value("code", ""), "invalid_params");
        EXPECT_NE(j.value("message", "").find(words), std::string::npos) << j.value("message", "");
        EXPECT_NE(j.value("hint", "").find("10000 members"), std::string::npos);
        EXPECT_EQ(j.value("request_id", ""), r.header("x-request-id"));
    }
};

/// `{"k0":0,"k1":0,…}` with `n` keys and `head` first (849 KiB for 80 000 keys).
std::string manyKeys(std::size_t n, const std::string& head = {}) {
    std::string out = "{" + head;
    for (std::size_t i = 0; i < n; ++i)
        out += (i || !head.empty() ? ",\"k" : "\"k") + std::to_string(i) + "\":0";
    return out + "}";
}

/// `depth` arrays nested in each other under the key "x" of an object that also holds `head`.
std::string nested(int depth, const std::string& head) {
    return "{" + head + ",\"x\":" + std::string(static_cast<std::size_t>(depth), '[') +
           std::string(static_cast<std::size_t>(depth), ']') + "}";
}

TEST_F(HostileBody, ManyKeysAreRefusedBeforeAuthenticationOnEveryRoute) {
    const std::string body = manyKeys(80'000);
    ASSERT_GT(body.size(), 840u * 1024);
    const std::string sandbox = "/v1/sandboxes/00000000-0000-4000-8000-000000000000";
    // Lightning create is public and a body may carry the credential: none of these may reach
    // authentication (which would answer 401) or take more than a moment.
    const std::pair<std::string, std::string> routes[] = {
        {"POST", "/v1/sandboxes"},           {"POST", sandbox + "/exec"},
        {"DELETE", sandbox},                 {"POST", sandbox + "/files/read"},
        {"POST", sandbox + "/files/write"},  {"POST", "/local/v1/credits"},
    };
    for (const auto& [method, target] : routes) {
        SCOPED_TRACE(method + " " + target);
        const auto m = measure([&] { return send(method, target, body); });
        expectLimit(m.reply, "more than 10000 object members and array elements");
        expectCheap(m, 2.0, 100 * kMiB);
    }
    // files/write with a plain `content` takes the cut, whose parse of the rest is the verdict.
    const auto cut = measure([&] {
        return send("POST", sandbox + "/files/write",
                    manyKeys(80'000, R"("path":"a","content":"QUJD")"));
    });
    expectLimit(cut.reply, "more than 10000");
    expectCheap(cut, 2.0, 100 * kMiB);
    // MCP answers in JSON-RPC, with the REST envelope as the error's data.
    const auto mcp = measure([&] { return send("POST", "/v1/mcp", body); });
    EXPECT_EQ(mcp.reply.status, 400);
    const auto j = mcp.reply.json();
    EXPECT_EQ(j["error"]["code"], -32600);
    EXPECT_EQ(j["error"]["data"]["code"], "invalid_params");
    EXPECT_NE(j["error"]["message"].get<std::string>().find("more than 10000"), std::string::npos);
    expectCheap(mcp, 2.0, 100 * kMiB);
}

TEST_F(HostileBody, SeventyMiBOfEmptyArraysCostItsOwnSizeOnly) {
    std::string body = "[[]";
    body.reserve(70 * kMiB + 3);
    while (body.size() < static_cast<std::size_t>(70 * kMiB))
        body += ",[]";
    body += "]";
    const auto one = measure([&] { return send("POST", "/v1/sandboxes", body); });
    expectLimit(one.reply, "more than 10000");
    // The body itself is held while it is read (§1.2 allows 72 MiB); nothing grows beyond it.
    expectCheap(one, 10.0, static_cast<std::int64_t>(body.size()) + 64 * kMiB);

    const int pid = serve_->pid();
    const auto baseline = procUsage(pid).rss_bytes;
    const auto four = measure([&] {
        std::vector<std::future<HttpReply>> calls;
        for (int i = 0; i < 4; ++i)
            calls.push_back(std::async(std::launch::async,
                                       [&] { return send("POST", "/v1/sandboxes", body); }));
        HttpReply last;
        for (auto& c : calls) {
            last = c.get();
            expectLimit(last, "more than 10000");
        }
        return last;
    });
    expectCheap(four, 20.0, 4 * static_cast<std::int64_t>(body.size()) + 64 * kMiB);
    // And nothing of it stays.
    if (!kMemoryBoundsHold)
        return;
    eventually([&] { return procUsage(pid).rss_bytes <= baseline + 32 * kMiB; });
    EXPECT_LT(procUsage(pid).rss_bytes, baseline + 32 * kMiB);
}

TEST_F(HostileBody, EachLimitHoldsAtItsEdge) {
    const std::string credits = "/local/v1/credits";
    const std::string head = R"("api_key":")" + key() + R"(","cents":1)";
    auto ok = [&](const std::string& body) {
        auto r = send("POST", credits, body);
        EXPECT_EQ(r.status, 200) << r.body.substr(0, 300);
    };
    // Depth: the outer object is level 1.
    ok(nested(63, head));
    expectLimit(send("POST", credits, nested(64, head)), "more than 64 levels deep");
    const auto deep = measure([&] { return send("POST", credits, nested(1'000'000, head)); });
    expectLimit(deep.reply, "more than 64 levels deep");
    expectCheap(deep, 2.0, 100 * kMiB);
    // Members and elements: 3 members + 9997 elements = 10 000.
    std::string elements = "[0";
    for (int i = 1; i < 9997; ++i)
        elements += ",0";
    ok("{" + head + ",\"x\":" + elements + "]}");
    expectLimit(send("POST", credits, "{" + head + ",\"x\":" + elements + ",0]}"),
                "more than 10000");
    // Keys, as sent.
    ok("{" + head + ",\"" + std::string(4096, 'k') + "\":1}");
    expectLimit(send("POST", credits, "{" + head + ",\"" + std::string(4097, 'k') + "\":1}"),
                "key longer than 4096 bytes");
    const auto long_key = measure(
        [&] { return send("POST", credits, "{\"" + std::string(32 * kMiB, 'k') + "\":1}"); });
    expectLimit(long_key.reply, "key longer than 4096 bytes");
    expectCheap(long_key, 5.0, 32 * kMiB + 64 * kMiB);
    // Numbers, as sent.
    ok("{" + head + ",\"x\":1" + std::string(255, '0') + "}");
    expectLimit(send("POST", credits, "{" + head + ",\"x\":1" + std::string(256, '0') + "}"),
                "number longer than 256 characters");
    // A long string value is no limit's business (files/write carries files in one).
    ok("{" + head + ",\"x\":\"" + std::string(8 * kMiB, 's') + "\"}");
}

TEST_F(HostileBody, LegitimateLargeBodiesStillWork) {
    const auto id = runningSandbox();
    std::string bytes(48 * kMiB, '\0');
    for (std::size_t i = 0; i < bytes.size(); ++i)
        bytes[i] = static_cast<char>((i * 2654435761u) >> 13);
    const std::string b64 = sockt::base64Encode(bytes); // 64 MiB of text
    const std::string target = "/v1/sandboxes/" + id + "/files/write";
    const auto home = std::filesystem::path(serve_->dataDir()) / "sandboxes" / id / "home";
    // The cut (plain content) and the parser (an escape in the content) both take it whole.
    const std::string wrapped = b64.substr(0, 76) + "\\n" + b64.substr(76);
    for (const auto& [name, content] : {std::pair{"plain.bin", &b64}, {"wrapped.bin", &wrapped}}) {
        SCOPED_TRACE(name);
        const std::string body = std::string(R"({"path":")") + name + R"(","content":")" +
                                 *content + R"(","encoding":"base64"})";
        const auto m = measure([&] { return send("POST", target, body, key()); });
        ASSERT_EQ(m.reply.status, 200) << m.reply.body.substr(0, 300);
        EXPECT_EQ(m.reply.json()["bytes_written"], bytes.size());
        EXPECT_EQ(std::filesystem::file_size(home / name), bytes.size());
        expectCheap(m, 30.0, 400 * kMiB);
    }
    // MCP carries a file in its arguments the same way.
    const std::string small = b64.substr(0, 16 * kMiB);
    const Json call{{"jsonrpc", "2.0"},
                    {"id", 7},
                    {"method", "tools/call"},
                    {"params",
                     {{"name", "sandbox_write_file"},
                      {"arguments",
                       {{"sandbox_id", id},
                        {"path", "mcp.bin"},
                        {"content", small},
                        {"encoding", "base64"}}}}}};
    const auto m = measure([&] { return send("POST", "/v1/mcp", call.dump(), key()); });
    ASSERT_EQ(m.reply.status, 200);
    EXPECT_EQ(m.reply.json()["result"]["isError"], false) << m.reply.body.substr(0, 300);
    EXPECT_EQ(std::filesystem::file_size(home / "mcp.bin"), 12u * kMiB);
    expectCheap(m, 30.0, 200 * kMiB);
}

TEST_F(HostileBody, NegativeOrUnreadableContentLengthIs400) {
    const std::string head = "POST /v1/sandboxes HTTP/1.1\r\nHost: x\r\nContent-Length: ";
    for (const std::string length : {"-5", "-1", "abc", "99999999999999999999", "1e3"}) {
        SCOPED_TRACE(length);
        const auto r = rawHttp(url(), head + length + "\r\n\r\n");
        EXPECT_EQ(r.status, 400) << r.body;
        EXPECT_EQ(r.code(), "invalid_params");
        EXPECT_NE(r.json()["message"].get<std::string>().find("Content-Length"),
                  std::string::npos);
        EXPECT_EQ(r.json()["request_id"], r.header("x-request-id"));
        EXPECT_EQ(r.header("sockt-extensions"), "long-poll, replay");
        EXPECT_EQ(Poco::toLower(r.header("connection")), "close");
    }
    // A length beyond the body limit stays 413, and the server stays healthy.
    EXPECT_EQ(rawHttp(url(), head + "1000000000000000\r\n\r\n").status, 413);
    EXPECT_EQ(get("/v1/sandboxes/tiers", "").status, 200);
    EXPECT_EQ(serve_->stderrText().find("internal error"), std::string::npos);
}

} // namespace
} // namespace sockt::testing
