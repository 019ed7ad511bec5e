// Pure functions of the core: protocol tables, redaction, base64, error mapping and messages,
// lenient model parsing, CancelToken.
#include <gtest/gtest.h>
#include <sockt/sockt.hpp>
#include <thread>

using namespace sockt;

TEST(Protocol, VersionComesFromTheProject) {
    EXPECT_FALSE(version().empty());
    EXPECT_NE(version().find('.'), std::string_view::npos);
}

TEST(Protocol, FindTierAndSlug) {
    ASSERT_NE(protocol::findTier("gpu-small"), nullptr);
    EXPECT_EQ(protocol::findTier("gpu-small")->msats_per_second, 25000);
    EXPECT_EQ(protocol::findTier("standard"), nullptr);
    ASSERT_NE(protocol::findSlug("pod_starting"), nullptr);
    EXPECT_EQ(protocol::findSlug("pod_starting")->http_status, 503);
    EXPECT_EQ(protocol::findSlug("nope"), nullptr);
}

TEST(Protocol, ClassifyStatus) {
    using protocol::StatusClass;
    EXPECT_EQ(protocol::classifyStatus("running"), StatusClass::Runnable);
    for (auto s : {"pending", "creating", "starting", "provisioning"})
        EXPECT_EQ(protocol::classifyStatus(s), StatusClass::Booting) << s;
    for (auto s : {"paused", "awaiting_payment"})
        EXPECT_EQ(protocol::classifyStatus(s), StatusClass::NeedsAction) << s;
    for (auto s : {"terminated", "failed", "error"})
        EXPECT_EQ(protocol::classifyStatus(s), StatusClass::Final) << s;
    EXPECT_EQ(protocol::classifyStatus("hibernating"), StatusClass::Unknown);
    EXPECT_FALSE(protocol::isTerminalExecutionStatus("running"));
    EXPECT_TRUE(protocol::isTerminalExecutionStatus("weird"));
}

TEST(Redaction, KeysTokensAndShortStrings) {
    EXPECT_EQ(protocol::redact("sockt_live_0f8e2b6a-3c4d-4e5f-9a1b-7c2d3e4f5a6b"),
              "sockt_live_\xE2\x80\xA6"
              "5a6b");
    EXPECT_EQ(protocol::redact("sbx_0bc4a0f3dbe8be9a641ae196c19b1b29"), "sbx_\xE2\x80\xA6"
                                                                        "1b29");
    EXPECT_EQ(protocol::redact("abcdefghijkl"), "\xE2\x80\xA6"
                                                "ijkl");
    EXPECT_EQ(protocol::redact("short"), "\xE2\x80\xA6");
}

TEST(Redaction, UrlQueryTokens) {
    std::string url =
        "GET http://h/v1/sandboxes/x?path=.&sandbox_token=sbx_0bc4a0f3dbe8be9a641ae196c19b1b29&a=b";
    std::string red = protocol::redactUrl(url);
    EXPECT_EQ(red.find("0bc4a0f3dbe8"), std::string::npos);
    EXPECT_NE(red.find("sandbox_token=sbx_\xE2\x80\xA6"
                       "1b29&a=b"),
              std::string::npos)
        << red;
    EXPECT_EQ(protocol::redactUrl("no token here"), "no token here");
}

TEST(Base64, RoundTripAllByteValues) {
    std::string bytes;
    for (int i = 0; i < 256; ++i)
        bytes.push_back(static_cast<char>(i));
    for (std::size_t n = 0; n < 260; n += 1) {
        std::string part = bytes.substr(0, n % 256) + bytes.substr(0, n / 256);
        EXPECT_EQ(base64Decode(base64Encode(part)), part);
    }
    EXPECT_EQ(base64Encode("hello"), "aGVsbG8=");
    EXPECT_EQ(base64Encode(""), "");
}

TEST(Base64, DecodeToleratesWhitespaceAndMissingPadding) {
    EXPECT_EQ(base64Decode("aGVs\nbG8=\r\n"), "hello");
    EXPECT_EQ(base64Decode("aGVsbG8"), "hello");
    EXPECT_EQ(base64Decode(" a G V s b G 8 = "), "hello");
}

TEST(Base64, DecodeRejectsJunk) {
    EXPECT_THROW(base64Decode("aGVs*bG8="), InvalidArgumentError);
    EXPECT_THROW(base64Decode("aGVsbG8=x"), InvalidArgumentError);
    EXPECT_THROW(base64Decode("a"), InvalidArgumentError);
    EXPECT_THROW(base64Decode("aGVsbG8=="), InvalidArgumentError);
}

TEST(Errors, KindTable) {
    EXPECT_EQ(errorKindFor(401, ""), ErrorKind::Authentication);
    EXPECT_EQ(errorKindFor(403, "forbidden"), ErrorKind::Authentication);
    EXPECT_EQ(errorKindFor(402, "payment_required"), ErrorKind::TopUpFailed);
    EXPECT_EQ(errorKindFor(429, ""), ErrorKind::RateLimited);
    EXPECT_EQ(errorKindFor(502, "host_error"), ErrorKind::HostUnreachable);
    EXPECT_EQ(errorKindFor(503, "no_capacity"), ErrorKind::NoCapacity);
    EXPECT_EQ(errorKindFor(503, "pod_starting"), ErrorKind::HostUnreachable);
    EXPECT_EQ(errorKindFor(409, "sandbox_paused"), ErrorKind::SandboxStopped);
    EXPECT_EQ(errorKindFor(409, "invalid_state"), ErrorKind::Api);
    EXPECT_EQ(errorKindFor(410, "sandbox_terminated"), ErrorKind::SandboxStopped);
    EXPECT_EQ(errorKindFor(404, "not_found"), ErrorKind::Api);
    EXPECT_EQ(errorKindFor(500, "internal_error"), ErrorKind::Api);
}

TEST(Errors, MessageCarriesSlugStatusRequestIdAndHint) {
    SocktError::Details d;
    d.message = "sandbox x not found";
    d.slug = "not_found";
    d.status_code = 404;
    d.request_id = "req_0123";
    d.hint = "check the id";
    APIError e(d);
    EXPECT_STREQ(e.what(), "sandbox x not found (slug: not_found, HTTP 404) [request_id: req_0123] "
                           "hint: check the id");
    EXPECT_EQ(e.kind(), ErrorKind::Api);
}

TEST(Errors, RaiseThrowsTheMatchingClassAndStoppedIsBoth) {
    try {
        SocktError::raise(ErrorKind::SandboxStopped, {"paused", "sandbox_paused", 409});
        FAIL();
    } catch (const APIError& e) {
        EXPECT_EQ(e.kind(), ErrorKind::SandboxStopped);
        EXPECT_NE(dynamic_cast<const SandboxNotRunningError*>(&e), nullptr);
    }
    EXPECT_THROW(SocktError::raise(ErrorKind::Timeout, {"t"}), TimeoutError);
    EXPECT_THROW(SocktError::raise(ErrorKind::Cancelled, {"c"}), CancelledError);
    EXPECT_THROW(SocktError::raise(ErrorKind::Generic, {"g"}), SocktError);
}

TEST(Models, TierPrefersNameAndAcceptsIntsForFloats) {
    Tier t = Tier::fromJson(Json::parse(
        R"({"tier":"nano","name":"","msats_per_second":500.0,"sats_per_second":1,"cost_per_hour_usd":1,"extra":[1]})"));
    EXPECT_EQ(t.name, "nano");
    EXPECT_EQ(t.msats_per_second, 500);
    EXPECT_DOUBLE_EQ(t.sats_per_second, 1.0);
    Tier u = Tier::fromJson(Json::parse(R"({"tier":"a","name":"b"})"));
    EXPECT_EQ(u.name, "b");
}

TEST(Models, CreatedSandboxIdAliasesAndPascalFallback) {
    auto a = CreatedSandbox::fromJson(
        Json::parse(R"({"ID":"X","id":"Y","Status":"starting","PrepaidBalanceSubcents":5.0})"));
    EXPECT_EQ(a.sandbox_id, "X");
    EXPECT_EQ(a.status, "starting");
    EXPECT_EQ(a.prepaid_balance_subcents, 5);
    auto b = CreatedSandbox::fromJson(Json::parse(R"({"id":"Y"})"));
    EXPECT_EQ(b.sandbox_id, "Y");
    auto c = CreatedSandbox::fromJson(
        Json::parse(R"({"sandbox_id":"Z","ID":"X","status":"running","Status":"other"})"));
    EXPECT_EQ(c.sandbox_id, "Z");
    EXPECT_EQ(c.status, "running");
}

TEST(Models, ReadResultSizeAliasesAndNulls) {
    auto r = ReadResult::fromJson(
        Json::parse(R"({"path":"/p","size":7,"content":"abc","truncated":null})"));
    EXPECT_EQ(r.size_bytes, 7);
    EXPECT_FALSE(r.truncated);
    auto s = ReadResult::fromJson(Json::parse(R"({"size_bytes":9.0,"size":7})"));
    EXPECT_EQ(s.size_bytes, 9);
}

TEST(Models, ExecResultStreamsAndFinished) {
    auto r = ExecResult::fromJson(Json::parse(
        R"({"execution_id":"e","status":"completed","output":[{"stream":"stdout","chunk":"a"},{"stream":"stderr","chunk":"b"},{"stream":"stdout","chunk":"c"}],"exit_code":3.0,"error":null})"));
    EXPECT_EQ(r.stdoutText(), "ac");
    EXPECT_EQ(r.stderrText(), "b");
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_TRUE(r.finished());
    EXPECT_FALSE(r.error.has_value());
}

TEST(Models, StatusWithInvoiceAndUnknownKeys) {
    auto s = SandboxStatus::fromJson(Json::parse(
        R"({"sandbox_id":"x","status":"running","warning_level":"low_balance","seconds_remaining":59.0,
            "pending_invoice":{"bolt11":"lnbc1","payment_hash":"ph","amount_msats":5000,"expires_at":null},
            "brand_new_key":{"a":1}})"));
    EXPECT_EQ(s.seconds_remaining, 59);
    ASSERT_TRUE(s.pending_invoice);
    EXPECT_EQ(s.pending_invoice->payment_hash, "ph");
    EXPECT_EQ(s.invoice, "lnbc1");
    EXPECT_EQ(s.raw["brand_new_key"]["a"], 1);
    EXPECT_FALSE(PendingInvoice::fromJsonOpt(Json(nullptr)));
}

TEST(Models, FileListingAndShellFrame) {
    auto l = FileListing::fromJson(Json::parse(
        R"({"entries":[{"name":"a","size":1,"mod_ts":2,"is_dir":false,"is_file":true},{"name":"l","size":3,"mod_ts":4,"is_dir":false,"is_file":false,"is_symlink":true}],"total_entries":2,"truncated":false})"));
    ASSERT_EQ(l.entries.size(), 2u);
    EXPECT_TRUE(l.entries[0].is_file);
    EXPECT_TRUE(l.entries[1].is_symlink);
    auto f = ShellFrame::fromJson(Json::parse(R"({"type":"exit","data":"","code":3})"));
    EXPECT_EQ(f.code, 3);
}

TEST(Cancel, SleepWakesEarlyAndCallbacksRun) {
    CancelToken token;
    bool called = false;
    token.onCancel([&] { called = true; });
    std::thread t([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        token.cancel();
    });
    auto start = std::chrono::steady_clock::now();
    EXPECT_FALSE(token.sleepFor(std::chrono::seconds(20)));
    t.join();
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
    EXPECT_TRUE(called);
    EXPECT_TRUE(token.cancelled());
    bool late = false;
    token.onCancel([&] { late = true; });
    EXPECT_TRUE(late);
}

TEST(Cancel, CheckHookLatches) {
    CancelToken token;
    int calls = 0;
    token.setCheck([&] { return ++calls >= 3; });
    EXPECT_FALSE(token.cancelled());
    EXPECT_FALSE(token.cancelled());
    EXPECT_TRUE(token.cancelled());
    EXPECT_TRUE(token.cancelled());
    EXPECT_EQ(calls, 3);
    EXPECT_FALSE(CancelToken::none().cancelled());
}
