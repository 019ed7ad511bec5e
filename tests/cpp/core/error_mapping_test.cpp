// Every error mapping of docs/protocol.md §12 rule 8 through a real HTTP exchange, request ids in
// messages, and token redaction.
#include "core_test_helpers.hpp"

#include <gtest/gtest.h>
#include <sockt/sockt.hpp>

using namespace sockt;
using namespace sockt::testing;

namespace {

// Runs getSandbox against one scripted reply and returns the thrown error's kind and message.
template <typename Expected> Expected expectThrows(Reply reply) {
    FixtureServer server;
    server.enqueue(std::move(reply));
    auto opts = optionsFor(server);
    opts.pod_starting_retries = 0;
    ComputeClient client(opts);
    try {
        client.getSandbox(kSandboxId);
    } catch (const Expected& e) {
        return e;
    } catch (const std::exception& e) {
        ADD_FAILURE() << "wrong exception: " << e.what();
        throw;
    }
    ADD_FAILURE() << "no exception";
    throw std::runtime_error("no exception");
}

} // namespace

TEST(ErrorMapping, Status401IsAuthentication) {
    auto e = expectThrows<AuthenticationError>(
        Reply::error(401, "unauthorized", "missing or unknown credential", "", "req_401"));
    EXPECT_EQ(e.kind(), ErrorKind::Authentication);
    EXPECT_EQ(e.statusCode(), 401);
    EXPECT_EQ(e.slug(), "unauthorized");
    EXPECT_EQ(e.requestId(), "req_401");
}

TEST(ErrorMapping, Status403IsAuthentication) {
    auto e = expectThrows<AuthenticationError>(
        Reply::error(403, "forbidden", "execution belongs to another caller",
                     "Ensure your request Authorization header matches the credential used to "
                     "start this execution"));
    EXPECT_EQ(e.statusCode(), 403);
    EXPECT_NE(std::string(e.what()).find("hint: Ensure your request"), std::string::npos);
}

TEST(ErrorMapping, Status402IsTopUpFailed) {
    auto e = expectThrows<TopUpFailedError>(
        Reply::error(402, "payment_required", "pay the pending invoice"));
    EXPECT_EQ(e.kind(), ErrorKind::TopUpFailed);
    EXPECT_EQ(e.slug(), "payment_required");
}

TEST(ErrorMapping, Status429WithRetryAfter) {
    Reply r;
    r.status = 429;
    r.content_type = "text/plain; charset=utf-8";
    r.body = "rate limited";
    r.header("Retry-After", "7");
    auto e = expectThrows<RateLimitedError>(r);
    ASSERT_TRUE(e.retryAfter());
    EXPECT_DOUBLE_EQ(*e.retryAfter(), 7.0);
    EXPECT_EQ(e.message(), "rate limited");
    EXPECT_EQ(e.slug(), "");
}

TEST(ErrorMapping, Status429WithoutRetryAfter) {
    auto e = expectThrows<RateLimitedError>(
        Reply::error(429, "too_many_executions", "more than 10 concurrent executions"));
    EXPECT_FALSE(e.retryAfter());
    EXPECT_EQ(e.slug(), "too_many_executions");
}

TEST(ErrorMapping, Status502IsHostUnreachable) {
    auto e = expectThrows<HostUnreachableError>(Reply::error(502, "host_error", "runtime failed"));
    EXPECT_EQ(e.kind(), ErrorKind::HostUnreachable);
}

TEST(ErrorMapping, Status503NoCapacity) {
    auto e = expectThrows<NoCapacityError>(Reply::error(503, "no_capacity", "no room"));
    EXPECT_EQ(e.kind(), ErrorKind::NoCapacity);
}

TEST(ErrorMapping, Status503OtherIsHostUnreachable) {
    auto e = expectThrows<HostUnreachableError>(Reply::error(503, "maintenance", "down"));
    EXPECT_EQ(e.statusCode(), 503);
}

TEST(ErrorMapping, Status409SandboxPausedIsStoppedAndApiError) {
    FixtureServer server;
    server.enqueue(Reply::error(409, "sandbox_paused", "sandbox x is paused", "resume it first"));
    ComputeClient client(optionsFor(server));
    try {
        client.getSandbox(kSandboxId);
        ADD_FAILURE() << "no exception";
    } catch (const SandboxNotRunningError& e) {
        EXPECT_EQ(e.kind(), ErrorKind::SandboxStopped);
        EXPECT_EQ(e.slug(), "sandbox_paused");
        EXPECT_NE(dynamic_cast<const APIError*>(&e), nullptr);
    }
}

TEST(ErrorMapping, Status409OtherIsApiError) {
    auto e = expectThrows<APIError>(Reply::error(409, "invalid_state", "cannot pause"));
    EXPECT_EQ(e.kind(), ErrorKind::Api);
}

TEST(ErrorMapping, Status410IsStoppedAndApiError) {
    FixtureServer server;
    server.enqueue(Reply::error(410, "sandbox_terminated", "sandbox x has been terminated"));
    ComputeClient client(optionsFor(server));
    try {
        client.getSandbox(kSandboxId);
        ADD_FAILURE() << "no exception";
    } catch (const APIError& e) {
        EXPECT_EQ(e.kind(), ErrorKind::SandboxStopped);
        EXPECT_EQ(e.statusCode(), 410);
        EXPECT_NE(dynamic_cast<const SandboxNotRunningError*>(&e), nullptr);
    }
}

TEST(ErrorMapping, Status404IsApiErrorWithRequestIdInMessage) {
    Reply r = Reply::error(404, "not_found", "sandbox not found");
    r.header("X-Request-Id", "req_b26a039bb7de7a644626021d");
    auto e = expectThrows<APIError>(r);
    EXPECT_EQ(e.requestId(), "req_b26a039bb7de7a644626021d");
    EXPECT_STREQ(
        e.what(),
        "sandbox not found (slug: not_found, HTTP 404) [request_id: req_b26a039bb7de7a644626021d]");
}

TEST(ErrorMapping, Status500IsApiErrorAndNonJsonBodyBecomesTheMessage) {
    Reply r;
    r.status = 500;
    r.content_type = "text/html";
    r.body = "<h1>oops</h1>\n";
    auto e = expectThrows<APIError>(r);
    EXPECT_EQ(e.message(), "<h1>oops</h1>");
    EXPECT_EQ(e.body(), "<h1>oops</h1>");
    EXPECT_EQ(e.statusCode(), 500);
}

TEST(ErrorMapping, ErrorFieldIsTheFallbackSlugAndMessage) {
    auto e = expectThrows<APIError>(Reply::json(400, R"({"error":"invalid_params"})"));
    EXPECT_EQ(e.slug(), "invalid_params");
    EXPECT_EQ(e.message(), "invalid_params");
}

TEST(Redaction, TokensNeverAppearInErrorsOrDescriptions) {
    FixtureServer server;
    // The server echoes the URL it saw (with the token) in its message: still redacted.
    server.setHandler([](const RecordedRequest& r) {
        return Reply::error(404, "not_found",
                            "no sandbox at " + r.path +
                                "?sandbox_token=" + r.query.at("sandbox_token"));
    });
    auto opts = optionsFor(server);
    opts.sandbox_token = kToken;
    ComputeClient client(opts);
    try {
        client.getSandbox(kSandboxId);
        FAIL();
    } catch (const SocktError& e) {
        std::string what = e.what();
        EXPECT_EQ(what.find("0bc4a0f3dbe8be9a641ae196c19b"), std::string::npos) << what;
        EXPECT_NE(what.find("sbx_\xE2\x80\xA6"
                            "1b29"),
                  std::string::npos)
            << what;
    }
    std::string d = client.describe();
    EXPECT_EQ(d.find("0bc4a0f3dbe8"), std::string::npos);
    EXPECT_EQ(d.find("0f8e2b6a-3c4d"), std::string::npos);
    EXPECT_NE(d.find("sbx_\xE2\x80\xA6"
                     "1b29"),
              std::string::npos)
        << d;
    EXPECT_EQ(client.sandbox(kSandboxId).describe().find("sbx_"), std::string::npos);

    // Transport errors name the URL, never the token in its query.
    FixtureServer stalled;
    stalled.enqueue(Reply::stall());
    auto sopts = optionsFor(stalled);
    sopts.sandbox_token = kToken;
    sopts.timeout = std::chrono::milliseconds(300);
    ComputeClient slow(sopts);
    try {
        slow.getSandbox(kSandboxId);
        FAIL();
    } catch (const TimeoutError& e) {
        EXPECT_EQ(std::string(e.what()).find("0bc4a0f3dbe8"), std::string::npos) << e.what();
    }
}
