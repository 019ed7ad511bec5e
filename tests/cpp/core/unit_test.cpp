// Pure functions of the core: protocol tables, redaction, base64, error mapping and messages,
// lenient model parsing, CancelToken.
#include <cstdint>
#include <gtest/gtest.h>
#include <random>
#include <sockt/sockt.hpp>
#include <string>
#include <string_view>
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

namespace {

// The decoder as it was before its fast path (one symbol per step): the reference the fast path
// must match byte for byte and error for error.
std::string referenceDecode(std::string_view text) {
    auto fail = [](const std::string& why) {
        throw InvalidArgumentError(
            {"invalid base64 content: " + why +
                 " (expected standard base64: A-Z a-z 0-9 + / and '=' padding)",
             "invalid_params"});
    };
    const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::uint32_t acc = 0;
    int bits = 0, symbols = 0, padding = 0;
    for (std::size_t pos = 0; pos < text.size(); ++pos) {
        const char c = text[pos];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            continue;
        if (c == '=') {
            ++padding;
            continue;
        }
        const auto v = alphabet.find(c);
        if (v == std::string::npos)
            fail("unexpected character at offset " + std::to_string(pos));
        if (padding > 0)
            fail("data after '=' padding at offset " + std::to_string(pos));
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        symbols = (symbols + 1) % 4;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((acc >> bits) & 0xFF));
        }
    }
    if (symbols == 1)
        fail("truncated input (a single trailing symbol)");
    if (padding > 0 && (symbols == 0 || symbols + padding != 4))
        fail("wrong amount of '=' padding");
    return out;
}

// "ok:<bytes>" or "error:<message>", for comparing both decoders.
std::string outcome(std::string (*decode)(std::string_view), std::string_view text) {
    try {
        return "ok:" + decode(text);
    } catch (const InvalidArgumentError& e) {
        return std::string("error:") + e.what();
    }
}

std::string decodeMessage(std::string_view text) {
    try {
        base64Decode(text);
    } catch (const InvalidArgumentError& e) {
        return e.what();
    }
    return "no error";
}

} // namespace

TEST(Base64, EncodedLengthAndEncodeIntoMatchEncode) {
    const std::size_t lengths[] = {0, 4, 4, 4, 8, 8, 8, 12};
    for (std::size_t n = 0; n < 8; ++n)
        EXPECT_EQ(base64EncodedLength(n), lengths[n]) << n;
    std::mt19937 rng(7);
    for (std::size_t n : {0, 1, 2, 3, 4, 5, 6, 7, 100, 65537}) {
        std::string bytes(n, '\0');
        for (auto& c : bytes)
            c = static_cast<char>(rng());
        // Guard chars either side: base64EncodeInto writes exactly base64EncodedLength chars.
        std::string buffer(base64EncodedLength(n) + 2, '#');
        base64EncodeInto(bytes, buffer.data() + 1);
        EXPECT_EQ(buffer.front(), '#');
        EXPECT_EQ(buffer.back(), '#');
        EXPECT_EQ(buffer.substr(1, buffer.size() - 2), base64Encode(bytes)) << n;
        EXPECT_EQ(base64Decode(buffer.substr(1, buffer.size() - 2)), bytes) << n;
    }
}

TEST(Base64, DecodeIntoStaysWithinItsMaxLength) {
    // readFileBytesInto hands out exactly base64DecodedMaxLength bytes: the decoder must never
    // write past it, whatever whitespace or padding the text has. Guard bytes catch an overrun.
    std::mt19937 rng(7);
    for (std::size_t size = 0; size < 40; ++size) {
        std::string bytes(size, '\0');
        for (auto& b : bytes)
            b = static_cast<char>(rng());
        const std::string text = sockt::base64Encode(bytes);
        std::string unpadded = text;
        while (!unpadded.empty() && unpadded.back() == '=')
            unpadded.pop_back();
        std::string wrapped;
        for (std::size_t i = 0; i < text.size(); ++i)
            wrapped += (i % 5 == 4 ? std::string("\r\n") : std::string()) + text[i];
        for (const std::string& form : {text, unpadded, wrapped, text + "\n"}) {
            const std::size_t most = sockt::base64DecodedMaxLength(form);
            std::string out(most + 8, '#');
            const std::size_t n = sockt::base64DecodeInto(form, out.data());
            ASSERT_LE(n, most) << form;
            EXPECT_EQ(out.substr(most), std::string(8, '#')) << form;
            EXPECT_EQ(out.substr(0, n), bytes) << form;
        }
        EXPECT_EQ(sockt::base64DecodedMaxLength(text), size);
    }
}

TEST(Base64, FastPathBoundaries) {
    // Whole quanta, then whitespace inside and between quanta.
    EXPECT_EQ(base64Decode("QUJDREVG"), "ABCDEF");
    EXPECT_EQ(base64Decode("QUJD REVG"), "ABCDEF");
    EXPECT_EQ(base64Decode("QU JDREVG"), "ABCDEF");
    EXPECT_EQ(base64Decode("QUJDR\r\nEVG\n"), "ABCDEF");
    EXPECT_EQ(base64Decode("\tQUJDREVG"), "ABCDEF");
    // An invalid symbol in the middle of a quantum is reported at its own offset.
    EXPECT_EQ(
        decodeMessage("QUJDRE*G")
            .rfind("invalid base64 content: unexpected character at offset 6 (expected standard "
                   "base64: A-Z a-z 0-9 + / and '=' padding)",
                   0),
        0u);
    EXPECT_NE(decodeMessage("QUJD-EVG").find("at offset 4"), std::string::npos);
    EXPECT_NE(decodeMessage("QUJDREV\x80").find("at offset 7"), std::string::npos);
    EXPECT_NE(decodeMessage(std::string("QU\0D", 4)).find("at offset 2"), std::string::npos);
    // Padding forms.
    EXPECT_EQ(base64Decode("QQ=="), "A");
    EXPECT_EQ(base64Decode("QUI="), "AB");
    EXPECT_EQ(base64Decode("QQ"), "A");
    EXPECT_EQ(base64Decode("QUI"), "AB");
    EXPECT_EQ(base64Decode("QUJDQQ=="), "ABCA");
    EXPECT_EQ(base64Decode("QUJDQQ= =\n"), "ABCA");
    EXPECT_NE(decodeMessage("QQ=").find("wrong amount of '=' padding"), std::string::npos);
    EXPECT_NE(decodeMessage("QUI==").find("wrong amount of '=' padding"), std::string::npos);
    EXPECT_NE(decodeMessage("====").find("wrong amount of '=' padding"), std::string::npos);
    EXPECT_NE(decodeMessage("QUJD====").find("wrong amount of '=' padding"), std::string::npos);
    EXPECT_NE(decodeMessage("Q===").find("single trailing symbol"), std::string::npos);
    EXPECT_NE(decodeMessage("QUJDQ").find("single trailing symbol"), std::string::npos);
    EXPECT_NE(decodeMessage("QQ==QUJD").find("data after '=' padding at offset 4"),
              std::string::npos);
    EXPECT_EQ(base64Decode(""), "");
    EXPECT_EQ(base64Decode(" \n"), "");
}

TEST(Base64, FastPathMatchesTheSymbolAtATimeDecoder) {
    // Random valid base64 with whitespace, padding and junk sprinkled in at random places: both
    // decoders must agree on every byte and every error message.
    std::mt19937 rng(12345);
    const std::string extras = " \t\r\n=*-A";
    for (int round = 0; round < 3000; ++round) {
        std::string bytes(rng() % 40, '\0');
        for (auto& c : bytes)
            c = static_cast<char>(rng());
        std::string text = base64Encode(bytes);
        const int edits = static_cast<int>(rng() % 4);
        for (int e = 0; e < edits; ++e) {
            const std::size_t at = text.empty() ? 0 : rng() % (text.size() + 1);
            text.insert(at, 1, extras[rng() % extras.size()]);
        }
        if (rng() % 4 == 0) { // unpadded
            while (!text.empty() && text.back() == '=')
                text.pop_back();
        }
        EXPECT_EQ(outcome(base64Decode, text), outcome(referenceDecode, text)) << text;
    }
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

TEST(Models, ANullOrMissingKeyFallsBackToItsCapitalisedSpellingOnly) {
    // §12 rule 4: PascalCase (or camelCase) keys are read as a fallback for a snake_case key that
    // is missing or null; other spellings of a snake_case answer are not aliases.
    auto a = SandboxStatus::fromJson(Json::parse(
        R"({"status":"running","status_reason":null,"StatusReason":"boot","warningLevel":"low"})"));
    EXPECT_EQ(a.status_reason, "boot");
    EXPECT_EQ(a.warning_level, "low");
    auto b = SandboxStatus::fromJson(
        Json::parse(R"({"status":"running","status_reason":null,"statusreason":"x"})"));
    EXPECT_FALSE(b.status_reason);
    auto c = SandboxStatus::fromJson(
        Json::parse(R"({"status":"running","status_reason":"own","StatusReason":"other"})"));
    EXPECT_EQ(c.status_reason, "own");
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
