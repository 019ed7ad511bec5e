// Scripted ShellSession against a real `sockt serve` (docs/protocol.md §6).
#include "serve_process.hpp"
#include "sockt/sockt.hpp"

#include <chrono>
#include <gtest/gtest.h>
#include <string>

using namespace std::chrono_literals;

namespace {

class ShellSessionTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        server_ = new sockt::testing::ServeProcess();
        server_->start();
    }
    static void TearDownTestSuite() {
        delete server_;
        server_ = nullptr;
    }

    sockt::ComputeClient client() {
        sockt::ClientOptions o;
        o.ignore_env = true;
        o.base_url = server_->url();
        o.api_key = server_->apiKey();
        return sockt::ComputeClient(o);
    }

    sockt::Sandbox runningSandbox(sockt::ComputeClient& c) {
        sockt::Sandbox sb = c.createSandbox();
        sb.waitUntilRunning();
        return sb;
    }

    // Reads frames until the accumulated stdout contains `needle` (or the deadline passes).
    static std::string readUntil(sockt::ShellSession& s, const std::string& needle,
                                 std::chrono::seconds limit = 20s) {
        std::string out;
        auto deadline = std::chrono::steady_clock::now() + limit;
        while (out.find(needle) == std::string::npos &&
               std::chrono::steady_clock::now() < deadline) {
            std::optional<sockt::ShellFrame> f;
            try {
                f = s.recv(500ms);
            } catch (const sockt::TimeoutError&) {
                continue;
            }
            if (!f)
                break;
            if (f->type == "stdout")
                out += f->data;
        }
        return out;
    }

    static sockt::testing::ServeProcess* server_;
};

sockt::testing::ServeProcess* ShellSessionTest::server_ = nullptr;

TEST_F(ShellSessionTest, EchoResizeAndExitCode) {
    auto c = client();
    auto sb = runningSandbox(c);
    sockt::ShellSession shell = sb.shell();
    shell.connect();
    EXPECT_TRUE(shell.connected());

    shell.sendLine("echo $((6*7))");
    std::string out = readUntil(shell, "42\r\n");
    EXPECT_NE(out.find("42\r\n"), std::string::npos) << out;

    shell.resize(100, 30);
    shell.sendLine("stty size");
    out = readUntil(shell, "30 100");
    EXPECT_NE(out.find("30 100"), std::string::npos) << out;

    std::optional<int> exit_from_listener;
    shell.on("exit", [&](const sockt::ShellFrame& f) { exit_from_listener = f.code; });
    shell.sendLine("exit 5");
    std::optional<sockt::ShellFrame> exit_frame;
    auto deadline = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < deadline) {
        auto f = shell.recv(20s);
        if (!f)
            break;
        if (f->type == "exit")
            exit_frame = f;
    }
    ASSERT_TRUE(exit_frame.has_value());
    EXPECT_EQ(exit_frame->code, 5);
    EXPECT_EQ(exit_frame->data, "");
    EXPECT_EQ(shell.exitCode(), 5);
    EXPECT_EQ(exit_from_listener, 5);
    EXPECT_EQ(shell.closeCode(), 1000);
    EXPECT_FALSE(shell.connected());
    // After the end every call reports it; recv returns nullopt.
    EXPECT_FALSE(shell.recv(100ms).has_value());
    EXPECT_THROW(shell.send("x"), sockt::ConnectionError);
    sb.terminate();
}

TEST_F(ShellSessionTest, ClientCloseEndsTheSession) {
    auto c = client();
    auto sb = runningSandbox(c);
    auto shell = sb.shell();
    shell.connect();
    shell.sendLine("echo ready");
    EXPECT_NE(readUntil(shell, "ready\r\n").find("ready\r\n"), std::string::npos);
    shell.close();
    EXPECT_FALSE(shell.connected());
    EXPECT_EQ(shell.closeCode(), 1000);
    shell.close(); // idempotent
    sb.terminate();
}

TEST_F(ShellSessionTest, PauseSendsErrorFrameAndClose1001) {
    auto c = client();
    auto sb = runningSandbox(c);
    auto shell = sb.shell();
    shell.connect();
    shell.sendLine("echo up");
    readUntil(shell, "up\r\n");
    sb.pause();
    std::optional<sockt::ShellFrame> error;
    while (auto f = shell.recv(20s))
        if (f->type == "error")
            error = f;
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->data, "sandbox paused");
    EXPECT_EQ(shell.closeCode(), 1001);
    sb.terminate();
}

TEST_F(ShellSessionTest, PausedSandboxIsRefusedBeforeConnecting) {
    auto c = client();
    auto sb = runningSandbox(c);
    sb.pause();
    auto shell = sb.shell();
    EXPECT_THROW(shell.connect(), sockt::SandboxNotRunningError);
    EXPECT_FALSE(shell.connected());
    sb.terminate();
}

TEST_F(ShellSessionTest, UnknownSandboxIsANotFoundApiError) {
    auto c = client();
    auto shell = c.sandbox("00000000-0000-4000-8000-000000000000").shell();
    try {
        shell.connect();
        FAIL() << "connect succeeded";
    } catch (const sockt::APIError& e) {
        EXPECT_EQ(e.statusCode(), 404);
        EXPECT_EQ(e.slug(), "not_found");
    }
}

TEST_F(ShellSessionTest, UnicodeAndLargeOutputArriveIntact) {
    auto c = client();
    auto sb = runningSandbox(c);
    auto shell = sb.shell();
    shell.connect();
    // 200 000 bytes of multi-byte characters: frames must never split a character (§6.3).
    shell.sendLine("python3 -c \"print('é€😀' * 25000)\" 2>/dev/null || "
                   "printf 'é€😀%.0s' $(seq 25000); echo; echo END-$((40+2))");
    // The marker is computed by the shell, so the echoed command line cannot match it.
    std::string out = readUntil(shell, "END-42\r\n", 60s);
    EXPECT_NE(out.find("END-42"), std::string::npos);
    std::string expected;
    for (int i = 0; i < 25000; ++i)
        expected += "é€😀";
    EXPECT_NE(out.find(expected), std::string::npos);
    shell.close();
    sb.terminate();
}

} // namespace
