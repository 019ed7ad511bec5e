// Rate limit (docs/protocol.md §3.3).
#include "server_fixture.hpp"

namespace sockt::testing {
namespace {

class RateLimited : public ServerTest {
    ServeOptions serveOptions() override { return ServeOptions{{"--rate-limit", "3"}}; }
};

TEST_F(RateLimited, FourthRequestInAMinuteIsRefused) {
    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(get("/v1/sandboxes/tiers", key()).status, 200);
    auto r = get("/v1/sandboxes/tiers", key());
    EXPECT_EQ(r.status, 429);
    EXPECT_EQ(r.body, "rate limited");
    EXPECT_EQ(r.header("content-type"), "text/plain; charset=utf-8");
    EXPECT_GE(std::stoi(r.header("retry-after")), 1);
    EXPECT_FALSE(r.header("x-request-id").empty());
    EXPECT_EQ(r.header("sockt-extensions"), "long-poll, replay");
    // Another principal has its own bucket; admin routes are not limited.
    EXPECT_EQ(get("/v1/sandboxes/tiers", "other-credential").status, 200);
    for (int i = 0; i < 5; ++i)
        EXPECT_EQ(get("/local/v1/health", "").status, 200);
}

} // namespace
} // namespace sockt::testing
