// Inputs the fuzz targets (tests/fuzz) turned up, kept as ordinary tests so the sanitizer suite
// (tests/sanitize) runs them on every change: each was undefined behaviour before its fix.
#include <gtest/gtest.h>
#include <limits>
#include <sockt/sockt.hpp>

using sockt::Json;

TEST(FuzzRegression, SatsAmountsPastInt64MsatsAreNoAmount) {
    // amount_sats × 1000 overflowed a signed 64-bit integer (fuzz_models).
    const auto huge = std::numeric_limits<std::int64_t>::max();
    auto invoice =
        sockt::PendingInvoice::fromJson(Json{{"bolt11", "lnbc1"}, {"amount_sats", huge}});
    EXPECT_EQ(invoice.amount_msats, 0);
    invoice = sockt::PendingInvoice::fromJson(Json{{"bolt11", "lnbc1"}, {"amount_sats", -huge}});
    EXPECT_EQ(invoice.amount_msats, 0);
    invoice = sockt::PendingInvoice::fromJson(Json{{"bolt11", "lnbc1"}, {"amount_sats", 21}});
    EXPECT_EQ(invoice.amount_msats, 21000);

    auto created = sockt::CreatedSandbox::fromJson(
        Json{{"status", "pending"}, {"invoice", "lnbc1"}, {"amount_sats", huge / 999}});
    ASSERT_TRUE(created.pending_invoice);
    EXPECT_EQ(created.pending_invoice->amount_msats, 0);
    // An explicit amount_msats wins and the sats are not even converted.
    created = sockt::CreatedSandbox::fromJson(
        Json{{"invoice", "lnbc1"}, {"amount_msats", 5}, {"amount_sats", huge}});
    ASSERT_TRUE(created.pending_invoice);
    EXPECT_EQ(created.pending_invoice->amount_msats, 5);
}

TEST(FuzzRegression, AnAbsurdRetryAfterStillMakesAMessage) {
    // 18446744073709551616161 s: a whole number past long long, cast before (fuzz_models).
    sockt::SocktError::Details d;
    d.message = "rate limited";
    d.status_code = 429;
    d.retry_after = 1.8446744073709552e22;
    sockt::RateLimitedError error(d);
    EXPECT_NE(std::string(error.what()).find("retry after 1.84467e+22 s"), std::string::npos)
        << error.what();
    d.retry_after = 30;
    EXPECT_NE(std::string(sockt::RateLimitedError(d).what()).find("retry after 30 s"),
              std::string::npos);
}
