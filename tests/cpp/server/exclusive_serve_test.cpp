// One server per port and per data dir (docs/protocol.md §11.1, §11.4): a second `sockt serve` on a
// port in use, or on a data dir in use, refuses to start with a clear message and a non-zero exit
// before it prints the export line; the data dir and the sandbox directories in it are 0700.
#include "server_fixture.hpp"

#include <filesystem>
#include <set>
#include <sys/stat.h>

namespace sockt::testing {
namespace {

namespace fs = std::filesystem;

unsigned modeOf(const fs::path& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
    return st.st_mode & 07777;
}

/// Starts `serve`, expecting it to refuse: returns its stderr.
std::string refusedStart(ServeProcess& serve) {
    const auto started = std::chrono::steady_clock::now();
    try {
        serve.start();
        ADD_FAILURE() << "the second server started: " << serve.exportLine();
    } catch (const std::runtime_error&) {
    }
    EXPECT_NE(serve.exitCode(), 0);
    EXPECT_NE(serve.exitCode(), -1);
    EXPECT_TRUE(serve.exportLine().empty());
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
    return serve.stderrText();
}

class ExclusiveServe : public ServerTest {};

TEST_F(ExclusiveServe, ASecondServerOnThePortRefusesToStart) {
    ServeProcess second(ServeOptions{{}, true, {}, serve_->port()});
    const auto err = refusedStart(second);
    EXPECT_NE(err.find("Error: cannot listen on 127.0.0.1:" + std::to_string(serve_->port()) +
                       ": address already in use"),
              std::string::npos)
        << err;
    // Every request still reaches the first server.
    std::set<std::string> dirs;
    for (int i = 0; i < 20; ++i)
        dirs.insert(get("/local/v1/health", "").json()["data_dir"].get<std::string>());
    EXPECT_EQ(dirs, std::set<std::string>{fs::canonical(serve_->dataDir()).string()});
}

TEST_F(ExclusiveServe, ASecondServerOnTheDataDirRefusesUntilTheFirstIsGone) {
    // A running sandbox with a background process: none of its processes may hold the lock.
    const auto id = runningSandbox();
    EXPECT_EQ(run(id, "nohup sleep 61.5 >/dev/null 2>&1 & echo started").out, "started\n");

    ServeProcess second(ServeOptions{{}, true, {}, 0, serve_->dataDir()});
    const auto err = refusedStart(second);
    const auto dir = fs::canonical(serve_->dataDir()).string();
    EXPECT_NE(err.find("Error: the data dir " + dir + " is in use by another sockt serve (pid " +
                       std::to_string(serve_->pid()) + ")"),
              std::string::npos)
        << err;
    EXPECT_EQ(err.find("listening"), std::string::npos); // refused before the port was bound
    EXPECT_EQ(get("/v1/sandboxes/" + id, key()).json()["status"], "running");

    serve_->kill9();
    second.start();
    EXPECT_EQ(httpGet(second.url(), "/v1/sandboxes/" + id, second.apiKey()).json()["status"],
              "running");
}

TEST_F(ExclusiveServe, TheDataDirAndTheSandboxDirsArePrivate) {
    const fs::path data = serve_->dataDir();
    const auto id = runningSandbox();
    EXPECT_EQ(modeOf(data), 0700u);
    EXPECT_EQ(modeOf(data / "sandboxes"), 0700u);
    EXPECT_EQ(modeOf(data / "sandboxes" / id), 0700u);
    // A dir an older server left 0755 is tightened at the next start.
    serve_->stop();
    fs::permissions(data, fs::perms(0755));
    fs::permissions(data / "sandboxes" / id, fs::perms(0755));
    serve_->restart();
    EXPECT_EQ(modeOf(data), 0700u);
    EXPECT_EQ(modeOf(data / "sandboxes" / id), 0700u);
    EXPECT_EQ(run(id, "echo still").out, "still\n");
}

} // namespace
} // namespace sockt::testing
