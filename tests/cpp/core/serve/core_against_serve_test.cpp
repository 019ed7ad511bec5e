// The core against a real `sockt serve`: the flows of the official Python SDK
// reference end to end — create-then-exec on a booting sandbox, long-poll, files as text and
// bytes, pause/resume state errors, lightning with its token, pay and billing events, terminate.
#include "serve_process.hpp"

#include <gtest/gtest.h>
#include <sockt/sockt.hpp>

using namespace sockt;
using namespace std::chrono_literals;

namespace {

class CoreAgainstServe : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        serve_ = new sockt::testing::ServeProcess();
        serve_->start();
    }
    static void TearDownTestSuite() {
        delete serve_;
        serve_ = nullptr;
    }
    ClientOptions options(bool with_key = true) const {
        ClientOptions o;
        o.base_url = serve_->url();
        if (with_key)
            o.api_key = serve_->apiKey();
        o.ignore_env = true;
        o.timeout = 30s;
        return o;
    }
    static sockt::testing::ServeProcess* serve_;
};
sockt::testing::ServeProcess* CoreAgainstServe::serve_ = nullptr;

} // namespace

TEST_F(CoreAgainstServe, CreateThenExecWorksOnABootingSandbox) {
    ComputeClient client(options());
    Sandbox sb = client.createSandbox();
    EXPECT_EQ(sb.status(), "starting");
    // No waitUntilRunning: the data-plane call waits for `running` itself.
    ExecResult r = sb.execSync("echo out; echo err >&2; exit 3");
    EXPECT_EQ(r.status, "completed");
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_EQ(r.stdoutText(), "out\n");
    EXPECT_EQ(r.stderrText(), "err\n");
    EXPECT_TRUE(client.supportsLongPoll());
    sb.terminate();
}

TEST_F(CoreAgainstServe, ExecSyncStreamsIncrementalOutputInOrder) {
    ComputeClient client(options());
    Sandbox sb = client.createSandbox();
    sb.waitUntilRunning({30s, 100ms});
    std::string streamed;
    PollOptions poll;
    poll.on_output = [&](const OutputChunk& c) { streamed += c.chunk; };
    ExecResult r = sb.execSync("for i in 1 2 3 4 5; do echo line$i; sleep 0.1; done", {}, poll);
    EXPECT_EQ(r.stdoutText(), "line1\nline2\nline3\nline4\nline5\n");
    EXPECT_EQ(streamed, r.stdoutText());
    sb.terminate();
}

TEST_F(CoreAgainstServe, FilesTextBytesAndListing) {
    ComputeClient client(options());
    Sandbox sb = client.createSandbox();
    auto w = sb.writeFile("dir/hello.txt", "héllo\n");
    EXPECT_EQ(w.bytes_written, 7);
    EXPECT_TRUE(w.created_dirs);
    EXPECT_EQ(sb.readFile("dir/hello.txt"), "héllo\n");
    std::string bytes;
    for (int i = 0; i < 256; ++i)
        bytes.push_back(static_cast<char>(i));
    sb.writeFileBytes("bin.dat", bytes);
    EXPECT_EQ(sb.readFileBytes("bin.dat"), bytes);
    EXPECT_EQ(sb.readFileBytes("bin.dat", 10), bytes.substr(0, 10));
    ListFilesOptions lo;
    lo.recursive = true;
    bool found = false;
    for (const auto& e : sb.listFiles(lo))
        found = found || e.name == "dir/hello.txt";
    EXPECT_TRUE(found);
    try {
        sb.readFile("missing.txt");
        FAIL();
    } catch (const APIError& e) {
        EXPECT_EQ(e.statusCode(), 404);
        EXPECT_EQ(e.slug(), "file_not_found");
        EXPECT_NE(std::string(e.what()).find("[request_id: "), std::string::npos);
    }
    sb.terminate();
}

TEST_F(CoreAgainstServe, PausedAndTerminatedSandboxesRaiseStoppedErrors) {
    ComputeClient client(options());
    Sandbox sb = client.createSandbox();
    sb.waitUntilRunning({30s, 100ms});
    EXPECT_EQ(sb.pause(), "paused");
    EXPECT_THROW(sb.exec("true"), SandboxStoppedError);
    EXPECT_EQ(sb.resume(), "running");
    EXPECT_EQ(sb.execSync("echo back").stdoutText(), "back\n");
    EXPECT_EQ(sb.terminate().status, "terminated");
    try {
        sb.exec("true");
        FAIL();
    } catch (const SandboxNotRunningError& e) {
        EXPECT_EQ(e.statusCode(), 410);
    }
    EXPECT_THROW(sb.waitUntilRunning({5s, 100ms}), SandboxNotRunningError);
}

TEST_F(CoreAgainstServe, LightningFlowUsesTheSandboxToken) {
    ComputeClient anonymous(options(false));
    CreateSandboxOptions co;
    co.billing_method = "lightning";
    co.prepaid_sats = 1000;
    Sandbox sb = anonymous.createSandbox(co);
    EXPECT_EQ(sb.status(), "awaiting_payment");
    ASSERT_TRUE(sb.pendingInvoice());
    ASSERT_TRUE(sb.sandboxToken());
    EXPECT_THROW(sb.exec("true"), TopUpFailedError);

    HttpRequest pay{"POST", "/local/v1/invoices/" + sb.pendingInvoice()->payment_hash + "/pay"};
    pay.absolute_path = true;
    HttpResponse paid = anonymous.request(pay);
    ASSERT_EQ(paid.status, 200) << paid.body;
    sb.waitUntilRunning({30s, 100ms});
    EXPECT_EQ(sb.execSync("echo paid").stdoutText(), "paid\n");

    // A second client holding only the token reaches the sandbox, not others.
    ClientOptions token_only = options(false);
    token_only.sandbox_token = sb.sandboxToken();
    ComputeClient by_token(token_only);
    EXPECT_EQ(by_token.getSandbox(sb.id()).status(), "running");
    EXPECT_THROW(by_token.createSandbox(), AuthenticationError);
    sb.terminate();
}

TEST_F(CoreAgainstServe, UnknownSandboxAndBadCredentials) {
    ComputeClient client(options());
    EXPECT_THROW(client.getSandbox("00000000-0000-4000-8000-000000000000"), APIError);
    ClientOptions bad = options(false);
    bad.api_key = "sockt_live_00000000-0000-4000-8000-000000000000";
    ComputeClient stranger(bad);
    try {
        stranger.createSandbox();
        FAIL();
    } catch (const AuthenticationError& e) {
        EXPECT_EQ(std::string(e.what()).find("00000000-0000-4000-8000-000000000000"),
                  std::string::npos);
    }
    auto tiers = client.listTiers();
    ASSERT_EQ(tiers.size(), 6u);
    EXPECT_EQ(tiers[0].name, "nano");
}

TEST_F(CoreAgainstServe, ShellConnectsAndReceivesOnAFiber) {
    ComputeClient client(options());
    Sandbox sb = client.createSandbox();
    sb.waitUntilRunning({30s, 100ms});
    ShellSession shell = sb.shell();
    std::string seen;
    std::optional<int> code;
    AsyncTask task = runAsync([&](const CancelToken& t) {
        shell.connect(t);
        shell.sendLine("echo fiber-$((6*7)); exit 3");
        while (auto frame = shell.recv(10s, t)) {
            if (frame->type == "stdout")
                seen += frame->data;
            if (frame->type == "exit")
                code = frame->code;
        }
        shell.close();
    });
    task.wait();
    EXPECT_NE(seen.find("fiber-42"), std::string::npos) << seen;
    EXPECT_EQ(code, 3);
    sb.terminate();
}

TEST_F(CoreAgainstServe, OutputCallbackSeesTheFirstChunkWhileTheCommandRuns) {
    ComputeClient client(options());
    Sandbox sb = client.createSandbox();
    sb.waitUntilRunning({30s, 100ms});
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    std::vector<std::pair<std::string, Clock::duration>> seen;
    PollOptions poll;
    poll.on_output = [&](const OutputChunk& c) { seen.emplace_back(c.chunk, Clock::now() - start); };
    ExecResult r = sb.execSync("echo a; sleep 1; echo b", {}, poll);
    const auto ended = Clock::now() - start;
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[0].first, "a\n");
    EXPECT_EQ(r.stdoutText(), "a\nb\n");
    // Long-poll hands the first chunk over while the command still sleeps, not with the end.
    EXPECT_LT(seen[0].second, ended - 500ms);
    sb.terminate();
}
