// Durability across kill -9 (docs/protocol.md §11.2).
#include "eventually.hpp"
#include "server_fixture.hpp"
#include "temp_dir.hpp"

#include <filesystem>

namespace sockt::testing {
namespace {

namespace fs = std::filesystem;

class Persistence : public ServerTest {};

TEST_F(Persistence, RestartAfterKill9KeepsFilesRecordsAndKeys) {
    const auto key_before = key();
    const auto id = runningSandbox();
    ASSERT_EQ(post("/v1/sandboxes/" + id + "/files/write",
                   Json{{"path", "keep.txt"}, {"content", "kept"}}, key())
                  .status,
              200);
    const auto eid = startExec(id, Json{{"command", "echo finished"}}, key());
    // Finished and on disk before the kill (a poll would take its output, which the restarted
    // server must still hand out).
    const std::string executions = serve_->dataDir() + "/executions/";
    ASSERT_TRUE(eventually([&] {
        return readAll(executions + eid + ".json").find(R"("status":"completed")") !=
               std::string::npos;
    }));
    const auto lost = startExec(id, Json{{"command", "sleep 432.1"}, {"timeout_ms", 0}}, key());
    auto paused = post("/v1/sandboxes", Json::object(), key()).json();
    const std::string pid = paused["sandbox_id"];
    waitStatus(pid, "running", key());
    post("/v1/sandboxes/" + pid + "/pause", Json::object(), key());
    auto light = post("/v1/sandboxes", Json{{"billing_method", "lightning"}}, "").json();
    // Everything above is on disk before the kill: the records and the running execution.
    ASSERT_TRUE(eventually([&] {
        return readAll(serve_->dataDir() + "/state.json")
                       .find(light["sandbox_id"].get<std::string>()) != std::string::npos &&
               fs::exists(executions + lost + ".json");
    }));

    serve_->kill9();
    serve_->restart();
    EXPECT_EQ(key(), key_before);
    auto st = waitStatus(id, "running", key());
    EXPECT_EQ(st["status"], "running");
    auto r = post("/v1/sandboxes/" + id + "/files/read", Json{{"path", "keep.txt"}}, key());
    EXPECT_EQ(r.json()["content"], "kept");
    auto done = waitExec(eid, key());
    EXPECT_EQ(done.status, "completed");
    EXPECT_EQ(done.out, "finished\n");
    auto gone = waitExec(lost, key());
    EXPECT_EQ(gone.status, "failed");
    EXPECT_EQ(gone.error, "execution lost: server restarted");
    EXPECT_EQ(get("/v1/sandboxes/" + pid, key()).json()["status"], "paused");
    EXPECT_EQ(post("/v1/sandboxes/" + pid + "/resume", Json::object(), key()).json()["status"],
              "running");
    EXPECT_EQ(run(pid, "echo back").out, "back\n");
    EXPECT_EQ(get("/v1/sandboxes/" + light["sandbox_id"].get<std::string>(), light["sandbox_token"])
                  .json()["status"],
              "awaiting_payment");
    EXPECT_EQ(run(id, "echo alive").out, "alive\n");
}

} // namespace
} // namespace sockt::testing
