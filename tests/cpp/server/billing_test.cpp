// Lightning and credits billing (docs/protocol.md §7, §11.3) with real metering.
#include "eventually.hpp"
#include "server_fixture.hpp"

#include <regex>

namespace sockt::testing {
namespace {

class Billing : public ServerTest {};

HttpReply pay(const std::string& url, const std::string& ref) {
    return httpCall(url, HttpCall{"POST", "/local/v1/invoices/" + ref + "/pay"});
}

TEST_F(Billing, LightningInvoicePayRunLowBalanceTopUp) {
    // 30 sats on nano = 60 s: "ok" right after payment, "low_balance" one second later.
    auto c = post("/v1/sandboxes", Json{{"billing_method", "lightning"}, {"prepaid_sats", 30}}, "");
    ASSERT_EQ(c.status, 201) << c.body;
    auto j = c.json();
    EXPECT_EQ(j["status"], "awaiting_payment");
    EXPECT_EQ(j["amount_msats"], 30000);
    EXPECT_EQ(j["prepaid_seconds"], 60);
    EXPECT_TRUE(std::regex_match(j["invoice"].get<std::string>(),
                                 std::regex("lnbc300n1[qpzry9x8gf2tvdw0s3jn54khce6mua7l]{58}")));
    EXPECT_TRUE(std::regex_match(j["payment_hash"].get<std::string>(), std::regex("[0-9a-f]{64}")));
    const std::string id = j["sandbox_id"], token = j["sandbox_token"];
    auto st = get("/v1/sandboxes/" + id, token).json();
    EXPECT_TRUE(st["warning_level"].is_null());
    EXPECT_EQ(st["next_poll_secs"], 5);
    EXPECT_EQ(st["invoice"], j["invoice"]);
    EXPECT_EQ(pay(url(), "0000").status, 404);

    auto p = pay(url(), j["invoice"]); // by bolt11
    ASSERT_EQ(p.status, 200) << p.body;
    EXPECT_EQ(p.json()["status"], "paid");
    EXPECT_EQ(p.json()["amount_sats"], 30);
    EXPECT_EQ(pay(url(), j["payment_hash"]).json()["paid_at"], p.json()["paid_at"]); // idempotent

    auto running = waitStatus(id, "running", token);
    EXPECT_TRUE(running["pending_invoice"].is_null());
    auto low = running;
    eventually([&] {
        low = get("/v1/sandboxes/" + id, token).json();
        return low["warning_level"] == "low_balance";
    });
    ASSERT_EQ(low["warning_level"], "low_balance") << low.dump();
    EXPECT_EQ(low["next_poll_secs"], 5);
    EXPECT_GT(low["consumed_msats"].get<long>(), 0);
    EXPECT_EQ(low["consumed_msats"].get<long>() + low["prepaid_balance_msats"].get<long>(), 30000);
    ASSERT_TRUE(low["pending_invoice"].is_object()) << low.dump();
    EXPECT_NE(low["pending_invoice"]["payment_hash"], j["payment_hash"]);
    EXPECT_EQ(low["pending_invoice"]["amount_msats"], 30000);
    // Exec polls carry the top-up invoice too.
    const auto eid = startExec(id, Json{{"command", "true"}}, token);
    EXPECT_EQ(get("/v1/executions/" + eid, token).json()["pending_invoice"]["payment_hash"],
              low["pending_invoice"]["payment_hash"]);

    ASSERT_EQ(pay(url(), low["pending_invoice"]["payment_hash"]).status, 200);
    auto topped = get("/v1/sandboxes/" + id, token).json();
    EXPECT_EQ(topped["warning_level"], "ok");
    EXPECT_GT(topped["prepaid_balance_msats"].get<long>(), 30000);
    EXPECT_TRUE(topped["pending_invoice"].is_null());

    auto t = httpCall(url(),
                      HttpCall{"DELETE", "/v1/sandboxes/" + id,
                               std::string(R"({"lightning_address":"me@wallet.example"})"), token});
    auto tj = t.json();
    EXPECT_EQ(tj["refund"]["status"], "sent");
    EXPECT_EQ(tj["refund"]["address"], "me@wallet.example");
    // Both invoices paid 60000 msats; the refund is the rest, floored to whole sats.
    const long accounted =
        tj["refund"]["amount_sats"].get<long>() * 1000 + tj["consumed_msats_total"].get<long>();
    EXPECT_LE(accounted, 60000);
    EXPECT_GT(accounted, 59000);
}

TEST_F(Billing, LightningBalanceExhaustionAutoPausesAndNeedsPayment) {
    auto j = post("/v1/sandboxes", Json{{"billing_method", "lightning"}, {"prepaid_sats", 1}}, "")
                 .json();
    const std::string id = j["sandbox_id"], token = j["sandbox_token"];
    EXPECT_EQ(j["invoice"].get<std::string>().rfind("lnbc10n1", 0), 0u);
    ASSERT_EQ(pay(url(), j["payment_hash"]).status, 200);
    auto paused = waitStatus(id, "paused", token, std::chrono::seconds(15));
    EXPECT_EQ(paused["status_reason"], "out_of_balance");
    EXPECT_EQ(paused["warning_level"], "out_of_balance");
    EXPECT_EQ(paused["consumed_msats"], 1000);
    auto r = post("/v1/sandboxes/" + id + "/resume", Json::object(), token);
    EXPECT_EQ(r.status, 402);
    EXPECT_EQ(r.code(), "payment_required");
    ASSERT_TRUE(r.json()["pending_invoice"].is_object());
    ASSERT_EQ(pay(url(), r.json()["pending_invoice"]["payment_hash"]).status, 200);
    EXPECT_EQ(get("/v1/sandboxes/" + id, token).json()["status"], "paused"); // no auto-resume
    EXPECT_EQ(post("/v1/sandboxes/" + id + "/resume", Json::object(), token).json()["status"],
              "running");
}

class TinyCredits : public ServerTest {
    ServeOptions serveOptions() override { return ServeOptions{{"--api-key", "tiny_key:0.00005"}}; }
};

TEST_F(TinyCredits, ExhaustionPausesAndResumeNeedsCredits) {
    EXPECT_EQ(key(), "tiny_key");
    auto c = post("/v1/sandboxes", Json::object(), key());
    ASSERT_EQ(c.status, 201) << c.body;
    EXPECT_EQ(c.json()["PrepaidBalanceSubcents"], 5);
    const std::string id = c.json()["sandbox_id"];
    auto st = waitStatus(id, "paused", key(), std::chrono::seconds(15));
    EXPECT_EQ(st["status_reason"], "out_of_balance");
    EXPECT_EQ(st["warning_level"], "out_of_balance");
    EXPECT_EQ(st["consumed_subcents"], 5);
    EXPECT_EQ(st["prepaid_balance_subcents"], 0);
    auto r = post("/v1/sandboxes/" + id + "/resume", Json::object(), key());
    EXPECT_EQ(r.status, 402);
    EXPECT_EQ(r.code(), "insufficient_credits");
    EXPECT_EQ(post("/v1/sandboxes", Json::object(), key()).code(), "insufficient_credits");
    auto credit = httpPost(url(), "/local/v1/credits", Json{{"api_key", key()}, {"cents", 3}});
    ASSERT_EQ(credit.status, 200) << credit.body;
    EXPECT_EQ(credit.json(), (Json{{"balance_cents", 3}}));
    EXPECT_EQ(
        httpPost(url(), "/local/v1/credits", Json{{"api_key", "nobody"}, {"cents", 3}}).status,
        404);
    EXPECT_EQ(post("/v1/sandboxes/" + id + "/resume", Json::object(), key()).json()["status"],
              "running");
}

} // namespace
} // namespace sockt::testing
