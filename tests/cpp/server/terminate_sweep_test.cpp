// Terminate survives a kill -9 (docs/protocol.md §2.6, §11.2): the sandbox's directory leaves
// `sandboxes/` in one rename into the data dir's trash once the record says terminated, and a
// restart deletes whatever a crash left: the trash, and the directory of any terminated record.
// Deleting never follows a link the sandbox left in its home.
#include "server_fixture.hpp"

#include <filesystem>
#include <fstream>
#include <future>

namespace sockt::testing {
namespace {

namespace fs = std::filesystem;

bool emptyOrMissing(const fs::path& dir) {
    std::error_code ec;
    return !fs::exists(dir, ec) || fs::is_empty(dir, ec);
}

class TerminateSweep : public ServerTest {
protected:
    fs::path data() const { return serve_->dataDir(); }
};

TEST_F(TerminateSweep, LeftoversOfACrashAreSweptAtTheNextStart) {
    const auto id = runningSandbox();
    ASSERT_EQ(del("/v1/sandboxes/" + id, key()).status, 200);
    EXPECT_FALSE(fs::exists(data() / "sandboxes" / id));
    EXPECT_TRUE(emptyOrMissing(data() / "trash"));
    serve_->stop();

    // What a kill -9 can leave: the terminated sandbox's directory (killed before the rename)
    // and a half-deleted one in the trash, deeper than the delete's descriptor budget and with
    // links out of it, whose targets must survive.
    const auto outside = data().parent_path() / "outside";
    fs::create_directories(outside / "dir");
    std::ofstream(outside / "dir" / "keep") << "keep";
    fs::create_directories(data() / "sandboxes" / id / "home" / "sub");
    std::ofstream(data() / "sandboxes" / id / "home" / "sub" / "left.txt") << "left";
    auto deep = data() / "trash" / "cut-short.0123abcd" / "home";
    fs::create_directories(deep);
    fs::create_symlink(outside / "dir", deep / "link_out");
    fs::create_symlink(outside / "dir" / "keep", deep / "file_link_out");
    for (int i = 0; i < 300; ++i)
        deep /= "d";
    fs::create_directories(deep); // a relative walk: each level opened from the one above
    std::ofstream(deep / "bottom") << "x";

    serve_->restart();
    EXPECT_FALSE(fs::exists(data() / "sandboxes" / id));
    EXPECT_TRUE(emptyOrMissing(data() / "trash"));
    EXPECT_EQ(fs::file_size(outside / "dir" / "keep"), 4u);
    const auto st = get("/v1/sandboxes/" + id, key());
    EXPECT_EQ(st.json()["status"], "terminated");
    EXPECT_EQ(del("/v1/sandboxes/" + id, key()).json()["already_terminated"], true);
}

TEST_F(TerminateSweep, KillNineDuringTerminateLeavesNothingAfterRestart) {
    const auto id = runningSandbox();
    // A home whose delete takes a moment (written from here: quicker than any sandbox command).
    const auto dir = data() / "sandboxes" / id;
    fs::create_directories(dir / "home" / "big");
    for (int i = 0; i < 20000; ++i)
        std::ofstream(dir / "home" / "big" / std::to_string(i));
    auto terminate = std::async(std::launch::async, [&] {
        try {
            return del("/v1/sandboxes/" + id, key()).status;
        } catch (const std::exception&) {
            return 0; // the server was killed before it answered
        }
    });
    // Kill the server as soon as the directory has left `sandboxes/`.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (fs::exists(dir) && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    serve_->kill9();
    // How far the delete got (for the record; any point is right).
    RecordProperty("trash_was_empty_at_kill", emptyOrMissing(data() / "trash") ? 1 : 0);
    terminate.get();
    ASSERT_FALSE(fs::exists(dir));

    serve_->restart();
    EXPECT_EQ(get("/v1/sandboxes/" + id, key()).json()["status"], "terminated");
    EXPECT_FALSE(fs::exists(dir));
    EXPECT_TRUE(emptyOrMissing(data() / "trash"));
}

} // namespace
} // namespace sockt::testing
