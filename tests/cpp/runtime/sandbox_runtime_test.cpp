// SandboxRuntime against real processes: both isolation modes where available (docs/protocol.md
// §11.4).
#include "test_helpers.hpp"

#include <algorithm>

#include <fcntl.h>
#include <poll.h>
#include <set>
#include <signal.h>
#include <unistd.h>

namespace sockt::server::testing {
namespace {

/// Reads both pipes of `p` until EOF; returns stdout + "|" + stderr.
std::string collect(ExecProcess& p) {
    std::string out, err;
    bool out_open = true, err_open = true;
    while (out_open || err_open) {
        pollfd fds[2] = {{out_open ? p.stdoutFd() : -1, POLLIN, 0},
                         {err_open ? p.stderrFd() : -1, POLLIN, 0}};
        if (::poll(fds, 2, 10000) <= 0)
            break;
        char buf[4096];
        for (int i = 0; i < 2; ++i) {
            if (!fds[i].revents)
                continue;
            ssize_t n = ::read(fds[i].fd, buf, sizeof(buf));
            if (n > 0)
                (i == 0 ? out : err).append(buf, static_cast<std::size_t>(n));
            else if (n == 0 || (errno != EAGAIN && errno != EINTR))
                (i == 0 ? out_open : err_open) = false;
        }
    }
    return out + "|" + err;
}

class RuntimeTest : public ::testing::TestWithParam<IsolationMode> {
protected:
    void SetUp() override {
        if (GetParam() == IsolationMode::Bwrap && !bwrapUsable())
            GTEST_SKIP() << "bubblewrap cannot create namespaces on this machine";
        fx = std::make_unique<RuntimeFixture>(GetParam());
    }
    std::unique_ptr<RuntimeFixture> fx;
};

TEST_P(RuntimeTest, RunsBashWithSeparateStreamsAndExitCode) {
    auto p = fx->runtime->spawn("echo out; echo err >&2; exit 7", "/home/sandbox");
    EXPECT_EQ(collect(*p), "out\n|err\n");
    ASSERT_TRUE(p->wait(std::chrono::seconds(10)));
    EXPECT_EQ(*p->exitStatus(), 7);
}

TEST_P(RuntimeTest, EnvironmentAndWorkingDirectory) {
    std::filesystem::create_directories(fx->root / "home" / "sub");
    auto p = fx->runtime->spawn(
        "printf '%s|%s|%s|%s|%s|' \"$USER\" \"$LOGNAME\" \"$SHELL\" \"$LANG\" "
        "\"$SOCKT_SANDBOX_ID\";"
        " test \"$PWD\" = \"$HOME/sub\" && echo cwd-ok; cat < /dev/stdin | wc -c",
        "/home/sandbox/sub");
    EXPECT_EQ(collect(*p), "sandbox|sandbox|/bin/bash|C.UTF-8|sbx-test|cwd-ok\n0\n|");
}

TEST_P(RuntimeTest, SignalDeathReports128PlusN) {
    auto p = fx->runtime->spawn("kill -TERM $$", "/home/sandbox");
    ASSERT_TRUE(p->wait(std::chrono::seconds(10)));
    EXPECT_EQ(*p->exitStatus(), 128 + SIGTERM);
}

TEST_P(RuntimeTest, SpawnErrorForMissingDirectory) {
    EXPECT_THROW(fx->runtime->spawn("true", "/home/sandbox/nope"), std::runtime_error);
}

TEST_P(RuntimeTest, BackgroundProcessSurvivesItsCommand) {
    auto p = fx->runtime->spawn("sleep 30 > /dev/null 2>&1 & echo started", "/home/sandbox");
    EXPECT_EQ(collect(*p), "started\n|");
    ASSERT_TRUE(p->wait(std::chrono::seconds(10)));
    EXPECT_TRUE(eventually([&] { return !fx->runtime->processIds().empty(); }));
    auto pids = fx->runtime->processIds();
    ASSERT_FALSE(pids.empty());
    // A process killed with its starter would be gone within 200 ms.
    EXPECT_FALSE(eventually(
        [&] { return !std::all_of(pids.begin(), pids.end(), pidAlive); },
        std::chrono::milliseconds(200)));
    for (int pid : pids)
        EXPECT_TRUE(pidAlive(pid));
}

TEST_P(RuntimeTest, FreezeStopsALoopAndThawResumesIt) {
    auto file = fx->root / "home" / "ticks";
    auto p = fx->runtime->spawn(
        "setsid bash -c 'while true; do echo x >> ticks; sleep 0.02; done' >/dev/null 2>&1 &",
        "/home/sandbox");
    ASSERT_TRUE(p->wait(std::chrono::seconds(10)));
    ASSERT_TRUE(eventually([&] { return readAll(file).size() >= 4; }));
    fx->runtime->freeze();
    auto frozen = readAll(file).size();
    // The loop appends every 20 ms while it runs: 400 ms without a byte says it is stopped.
    EXPECT_FALSE(eventually([&] { return readAll(file).size() != frozen; },
                            std::chrono::milliseconds(400)));
    EXPECT_EQ(readAll(file).size(), frozen);
    fx->runtime->thaw();
    EXPECT_TRUE(eventually([&] { return readAll(file).size() > frozen + 4; }));
}

TEST_P(RuntimeTest, ShutdownLeavesNoProcess) {
    auto p = fx->runtime->spawn("sleep 100 & setsid sleep 100 & nohup sleep 100 >/dev/null & "
                                "sleep 100",
                                "/home/sandbox");
    ASSERT_TRUE(eventually([&] { return fx->runtime->processIds().size() >= 5; }));
    auto pids = fx->runtime->processIds();
    fx->runtime->freeze();
    fx->runtime->shutdown();
    for (int pid : pids)
        EXPECT_FALSE(pidAlive(pid)) << pid;
    EXPECT_TRUE(p->wait(std::chrono::seconds(5)));
    EXPECT_THROW(fx->runtime->spawn("true", "/home/sandbox"), std::runtime_error);
    fx->runtime->shutdown(); // idempotent
}

TEST_P(RuntimeTest, GroupSignalKillsTheWholeGroup) {
    auto p = fx->runtime->spawn("sleep 100 & sleep 100 & wait", "/home/sandbox");
    ASSERT_TRUE(eventually([&] { return fx->runtime->processIds().size() >= 3; }));
    auto pids = fx->runtime->processIds();
    p->signalGroup(SIGKILL);
    ASSERT_TRUE(p->wait(std::chrono::seconds(5)));
    EXPECT_EQ(*p->exitStatus(), 137);
    EXPECT_TRUE(eventually([&] {
        for (int pid : pids)
            if (pidAlive(pid))
                return false;
        return true;
    }));
}

std::string readPty(PtyProcess& pty, const std::string& until) {
    std::string out;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (out.find(until) == std::string::npos && std::chrono::steady_clock::now() < deadline) {
        pollfd fd{pty.masterFd(), POLLIN, 0};
        if (::poll(&fd, 1, 100) > 0) {
            char buf[4096];
            ssize_t n = ::read(pty.masterFd(), buf, sizeof(buf));
            if (n <= 0)
                break;
            out.append(buf, static_cast<std::size_t>(n));
        }
    }
    return out;
}

void writePty(PtyProcess& pty, const std::string& text) {
    ASSERT_EQ(::write(pty.masterFd(), text.data(), text.size()), static_cast<ssize_t>(text.size()));
}

TEST_P(RuntimeTest, PtyShellEchoesAndResizes) {
    auto pty = fx->runtime->openShell(80, 24);
    // The terminal echoes the input line, so the expected output must not appear in it.
    writePty(*pty, "stty size; echo \"ter\"\"m=$TERM at=$PWD\"\n");
    auto out = readPty(*pty, "at=/");
    out += readPty(*pty, "\n");
    EXPECT_NE(out.find("24 80"), std::string::npos) << out;
    EXPECT_NE(out.find("term=xterm-256color"), std::string::npos) << out;
    pty->resize(132, 40);
    writePty(*pty, "stty size\n");
    EXPECT_NE(readPty(*pty, "40 132").find("40 132"), std::string::npos);
    writePty(*pty, "exit 3\n");
    ASSERT_TRUE(pty->wait(std::chrono::seconds(10)));
    EXPECT_EQ(*pty->exitStatus(), 3);
}

TEST_P(RuntimeTest, PtyHangupEndsTheShell) {
    auto pty = fx->runtime->openShell(0, 0);
    writePty(*pty, "trap '' HUP; echo re\"\"ady\n");
    readPty(*pty, "ready\r\n");
    pty->hangup();
    ASSERT_TRUE(pty->wait(std::chrono::seconds(6)));
    EXPECT_EQ(*pty->exitStatus(), 128 + SIGKILL);
}

INSTANTIATE_TEST_SUITE_P(Isolation, RuntimeTest,
                         ::testing::Values(IsolationMode::Bwrap, IsolationMode::None),
                         [](const auto& info) { return std::string(isolationName(info.param)); });

class BwrapOnlyTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (!bwrapUsable())
            GTEST_SKIP() << "bubblewrap cannot create namespaces on this machine";
        fx = std::make_unique<RuntimeFixture>(IsolationMode::Bwrap);
    }
    std::unique_ptr<RuntimeFixture> fx;
};

TEST_F(BwrapOnlyTest, RunsAsSandboxUserWithReadOnlyHost) {
    auto p = fx->runtime->spawn("whoami; id -u; hostname; pwd; touch /usr/sockt-x 2>/dev/null "
                                "|| echo ro; echo hi > /home/sandbox/f; echo t > /tmp/t; cat "
                                "/tmp/t",
                                "/home/sandbox");
    EXPECT_EQ(collect(*p), "sandbox\n1000\nsockt\n/home/sandbox\nro\nt\n|");
    EXPECT_EQ(readAll(fx->root / "home" / "f"), "hi\n");
    EXPECT_EQ(readAll(fx->root / "tmp" / "t"), "t\n");
    EXPECT_FALSE(std::filesystem::exists("/usr/sockt-x"));
}

TEST_F(BwrapOnlyTest, DataDirIsHidden) {
    writeAll(fx->dir.path() / "secret", "key");
    auto p = fx->runtime->spawn("cat " + (fx->dir.path() / "secret").string() +
                                    " 2>/dev/null || echo hidden",
                                "/home/sandbox");
    EXPECT_EQ(collect(*p), "hidden\n|");
}

} // namespace
} // namespace sockt::server::testing
