// Money arithmetic under hostile amounts (docs/protocol.md §1.4, §2.2, §7, §11.1, §11.3): amounts
// whose subcents overflow int64, or that are beyond any real balance, are 400 invalid_params (a
// startup error for --api-key), and no balance changes on the way.
#include "server_fixture.hpp"

namespace sockt::testing {
namespace {

class HostileMoney : public ServerTest {
protected:
    /// The key's balance in cents before this call, read by crediting one cent.
    std::int64_t balanceCents() {
        auto r = post("/local/v1/credits", Json{{"api_key", key()}, {"cents", 1}}, "");
        EXPECT_EQ(r.status, 200) << r.body;
        return r.json()["balance_cents"].get<std::int64_t>() - 1;
    }

    static void expectInvalid(const HttpReply& r, const std::string& words) {
        EXPECT_EQ(r.status, 400) << r.body;
        EXPECT_EQ(r.code(), "invalid_params") << r.body;
        EXPECT_NE(r.body.find(words), std::string::npos) << r.body;
    }
};

TEST_F(HostileMoney, InitialCreditsThatOverflowMintNothing) {
    const auto before = balanceCents();
    // 92233720368548 × 100000 passes INT64_MAX; the others are beyond any balance or int64.
    for (const std::string cents : {"92233720368548", "1000000000001", "9223372036854775807",
                                    "9223372036854775808", "18446744073709551615"}) {
        SCOPED_TRACE(cents);
        const auto m = measure([&] {
            return httpCall(url(), HttpCall{"POST", "/v1/sandboxes",
                                            R"({"initial_credits_cents":)" + cents + "}", key()});
        });
        EXPECT_EQ(m.reply.status, 400) << m.reply.body;
        EXPECT_EQ(m.reply.code(), "invalid_params");
        expectCheap(m, 2.0, 16 * 1024 * 1024);
    }
    EXPECT_EQ(balanceCents(), before + 1); // only the probe's cent
    // Within bounds but above the balance: 402 as before; the whole balance still reserves.
    EXPECT_EQ(post("/v1/sandboxes", Json{{"initial_credits_cents", 1'000'000'000'000}}, key())
                  .code(),
              "insufficient_credits");
    auto ok = post("/v1/sandboxes", Json{{"initial_credits_cents", before + 2}}, key());
    ASSERT_EQ(ok.status, 201) << ok.body;
    EXPECT_EQ(ok.json()["PrepaidBalanceSubcents"], (before + 2) * 100000);
    EXPECT_EQ(balanceCents(), 0);
}

TEST_F(HostileMoney, LocalCreditsAreBoundedAndChecked) {
    const auto before = balanceCents();
    expectInvalid(post("/local/v1/credits", Json{{"api_key", key()}, {"cents", 92233720368548}},
                       ""),
                  "cents must be at most 1000000000000");
    expectInvalid(httpCall(url(), HttpCall{"POST", "/local/v1/credits",
                                           R"({"api_key":")" + key() +
                                               R"(","cents":9223372036854775808})"}),
                  "cents is too large");
    // The largest credit fits once; the balance may not pass the largest balance.
    expectInvalid(
        post("/local/v1/credits", Json{{"api_key", key()}, {"cents", 1'000'000'000'000}}, ""),
        "would exceed 1000000000000 cents");
    EXPECT_EQ(balanceCents(), before + 1); // each probe adds its cent
    auto top = post("/local/v1/credits",
                    Json{{"api_key", key()}, {"cents", 1'000'000'000'000 - before - 2}}, "");
    ASSERT_EQ(top.status, 200) << top.body;
    EXPECT_EQ(top.json()["balance_cents"], 1'000'000'000'000);
    expectInvalid(post("/local/v1/credits", Json{{"api_key", key()}, {"cents", 1}}, ""),
                  "would exceed");
}

TEST(HostileMoneyStartup, ApiKeyCentsBeyondAnyBalanceIsAStartupError) {
    for (const std::string cents : {"92233720368548", "1000000000000.00001",
                                    "99999999999999999999999"}) {
        SCOPED_TRACE(cents);
        ServeProcess serve(ServeOptions{{"--api-key", "sockt_live_k:" + cents}});
        try {
            serve.start();
            ADD_FAILURE() << "the server started";
        } catch (const std::runtime_error& e) {
            const std::string what = e.what();
            EXPECT_NE(what.find("exited (1)"), std::string::npos) << what;
            EXPECT_NE(what.find("Error: CENTS in --api-key KEY:CENTS may be at most "
                                "1000000000000"),
                      std::string::npos)
                << what;
        }
    }
    ServeProcess largest(ServeOptions{{"--api-key", "sockt_live_k:1000000000000"}});
    largest.start();
    auto r = httpPost(largest.url(), "/local/v1/credits",
                      Json{{"api_key", "sockt_live_k"}, {"cents", 1}});
    EXPECT_EQ(r.code(), "invalid_params");
}

} // namespace
} // namespace sockt::testing
