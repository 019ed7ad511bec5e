// Paths from a hostile client and a hostile sandbox (docs/protocol.md §1.6, §3.4 steps 7 and 10):
// path handling is linear with PATH_MAX and NAME_MAX limits; files are read, written and listed
// race-free while the sandbox's own code swaps directories for links out of its home; what the
// server creates in a home belongs to the home's owner.
#include "eventually.hpp"
#include "files/beneath.hpp"
#include "server_fixture.hpp"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace sockt::testing {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

class HostilePaths : public ServerTest {
protected:
    void SetUp() override {
        ServerTest::SetUp();
        id_ = runningSandbox();
        home_ = fs::path(serve_->dataDir()) / "sandboxes" / id_ / "home";
    }

    HttpReply write(const std::string& path, const std::string& content, bool create = true) {
        return post("/v1/sandboxes/" + id_ + "/files/write",
                    Json{{"path", path}, {"content", content}, {"create_dirs", create}}, key());
    }
    HttpReply read(const std::string& path) {
        return post("/v1/sandboxes/" + id_ + "/files/read", Json{{"path", path}}, key());
    }
    HttpReply list(const std::string& path, bool recursive = false) {
        return get("/v1/sandboxes/" + id_ + "/files?path=" + path +
                       (recursive ? "&recursive=true" : ""),
                   key());
    }

    std::string id_;
    fs::path home_;
};

TEST_F(HostilePaths, OverlongPathsAreRefusedBeforeAnyWork) {
    std::string huge;
    while (huge.size() < 32 * 1024)
        huge += "a/";
    huge += "f";
    const auto exec = [&] {
        return post("/v1/sandboxes/" + id_ + "/exec",
                    Json{{"command", "true"}, {"working_dir", huge}}, key());
    };
    // A list path travels in the query, where Poco allows 16 KiB of request line.
    const std::string query_path = huge.substr(0, 8 * 1024);
    for (const auto& call : std::vector<std::function<HttpReply()>>{
             [&] { return write(huge, "x"); }, [&] { return read(huge); },
             [&] { return list(query_path); }, exec}) {
        const auto m = measure(call);
        EXPECT_EQ(m.reply.status, 400) << m.reply.body.substr(0, 300);
        EXPECT_EQ(m.reply.code(), "invalid_params");
        EXPECT_NE(m.reply.body.find("longer than 4095 bytes"), std::string::npos);
        expectCheap(m, 2.0, 64 * 1024 * 1024);
    }
    const auto line = list(huge); // a request line over Poco's limit: 400 as well
    EXPECT_EQ(line.status, 400);
    EXPECT_EQ(line.code(), "invalid_params");
    EXPECT_FALSE(fs::exists(home_ / "a"));
    // NAME_MAX: 255 bytes per name.
    EXPECT_EQ(write(std::string(255, 'n'), "ok").status, 200);
    const auto name = write("d/" + std::string(256, 'n'), "x");
    EXPECT_EQ(name.status, 400);
    EXPECT_EQ(name.code(), "invalid_params");
    EXPECT_NE(name.body.find("name longer than 255 bytes"), std::string::npos);
}

TEST_F(HostilePaths, PathsAtTheLimitsWorkInLinearTime) {
    // 16 names of 255 bytes: 4095 bytes, the longest path there is.
    std::string wide;
    for (int i = 0; i < 16; ++i)
        wide += (i ? "/" : "") + std::string(255, static_cast<char>('a' + i));
    ASSERT_EQ(wide.size(), 4095u);
    auto w = measure([&] { return write(wide, "wide"); });
    ASSERT_EQ(w.reply.status, 200) << w.reply.body.substr(0, 300);
    EXPECT_EQ(w.reply.json()["created_dirs"], true);
    EXPECT_EQ(read(wide).json()["content"], "wide");
    EXPECT_EQ(write(wide + "/x", "x").code(), "invalid_params");
    // 2047 directories deep: every step of the walk is one system call from the one before.
    std::string deep;
    for (int i = 0; i < 2047; ++i)
        deep += "a/";
    deep += "f";
    ASSERT_EQ(deep.size(), 4095u);
    const auto made = measure([&] { return write(deep, "deep"); });
    ASSERT_EQ(made.reply.status, 200) << made.reply.body.substr(0, 300);
    // Bounds for work that is legitimately done (2047 directories), on a loaded machine.
    expectCheap(made, 20.0, 64 * 1024 * 1024);
    const auto got = measure([&] { return read(deep); });
    ASSERT_EQ(got.reply.status, 200) << got.reply.body.substr(0, 300);
    EXPECT_EQ(got.reply.json()["content"], "deep");
    EXPECT_EQ(got.reply.json()["path"], "/home/sandbox/" + deep);
    expectCheap(got, 20.0, 64 * 1024 * 1024);
    const auto listed = measure([&] { return list("", true); });
    ASSERT_EQ(listed.reply.status, 200);
    const auto entries = listed.reply.json()["entries"];
    EXPECT_EQ(std::count_if(entries.begin(), entries.end(),
                            [&](const Json& e) { return e["name"] == deep || e["name"] == wide; }),
              2);
    expectCheap(listed, 20.0, 64 * 1024 * 1024);
    // Terminate removes such a tree too, though its host path is beyond PATH_MAX.
    ASSERT_EQ(del("/v1/sandboxes/" + id_, key()).status, 200);
    EXPECT_FALSE(fs::exists(home_.parent_path()));
}

TEST_F(HostilePaths, LinksSwappedInDuringCallsNeverLeadOutOfTheHome) {
    // A directory of the host the sandbox names in its links, and /etc/shadow.
    const auto outside = fs::path(serve_->dataDir()).parent_path() / "outside";
    fs::create_directories(outside);
    std::ofstream(outside / "f") << "host secret\n";
    std::ofstream(outside / "host-only-name") << "x";
    const std::string shadow = slurp("/etc/shadow");
    // The sandbox swaps `d` between a directory and links out of its home, as fast as it can.
    const std::string swap = "while :; do rm -rf d; mkdir d; echo inside > d/f; rm -rf d; "
                             "ln -s " +
                             outside.string() + " d; rm -f d; ln -s /etc d; done";
    const auto eid =
        startExec(id_, Json{{"command", swap}, {"timeout_ms", 120000}}, key());
    std::error_code ec;
    eventually([&] { return fs::exists(fs::symlink_status(home_ / "d", ec)); });

    for (int i = 0; i < 200; ++i) {
        for (const auto& r : {read("d/f"), read("d/shadow"), write("d/g", "w", false), list("d"),
                              list("", true)}) {
            ASSERT_LT(r.status, 500) << r.body;
            EXPECT_EQ(r.body.find("host secret"), std::string::npos);
            EXPECT_EQ(r.body.find("host-only-name"), std::string::npos);
            EXPECT_EQ(r.body.find("shadow\""), std::string::npos);
            if (!shadow.empty())
                EXPECT_EQ(r.body.find(shadow.substr(0, shadow.find('\n'))), std::string::npos);
            if (r.status != 200)
                EXPECT_TRUE(r.code() == "bad_request" || r.code() == "file_not_found" ||
                            r.code() == "invalid_params")
                    << r.body;
        }
    }
    del("/v1/executions/" + eid, key());
    EXPECT_FALSE(fs::exists(outside / "g"));
    EXPECT_EQ(slurp(outside / "f"), "host secret\n");
    EXPECT_EQ(slurp("/etc/shadow"), shadow);
    // Static links out are refused as §1.6 says.
    fs::create_symlink("/etc/shadow", home_ / "shadow_link");
    fs::create_symlink(outside, home_ / "out_link");
    EXPECT_EQ(read("shadow_link").code(), "bad_request");
    EXPECT_EQ(read("out_link/f").code(), "bad_request");
    EXPECT_EQ(write("out_link/g", "x").code(), "bad_request");
    EXPECT_EQ(list("out_link").code(), "bad_request");
    const auto listed = list("", true);
    ASSERT_EQ(listed.status, 200);
    EXPECT_EQ(listed.body.find("host-only-name"), std::string::npos);
    EXPECT_FALSE(fs::exists(outside / "g"));
}

TEST_F(HostilePaths, WhatTheServerCreatesBelongsToTheHomesOwner) {
    ASSERT_EQ(::chown(home_.c_str(), 4242, 4343), 0);
    ASSERT_EQ(write("new/dirs/file.txt", "x").status, 200);
    for (const auto& p : {home_ / "new", home_ / "new/dirs", home_ / "new/dirs/file.txt"}) {
        struct stat st;
        ASSERT_EQ(::stat(p.c_str(), &st), 0) << p;
        EXPECT_EQ(st.st_uid, 4242u) << p;
        EXPECT_EQ(st.st_gid, 4343u) << p;
        EXPECT_EQ(st.st_mode & 07777, S_ISDIR(st.st_mode) ? 0755u : 0644u) << p;
    }
    // A replaced file is a new one: the home's owner's too.
    std::ofstream(home_ / "old.txt") << "root's";
    ASSERT_EQ(write("old.txt", "replaced").status, 200);
    struct stat st;
    ASSERT_EQ(::stat((home_ / "old.txt").c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, 4242u);
    EXPECT_EQ(slurp(home_ / "old.txt"), "replaced");
}

/// openat2's component walk and its fallback refuse the same things with the same errno.
TEST(OpenBeneath, FallbackAnswersAsOpenat2) {
    const auto root = fs::temp_directory_path() / ("sockt-beneath-" + std::to_string(::getpid()));
    fs::remove_all(root);
    fs::create_directories(root / "home/dir/sub");
    std::ofstream(root / "home/dir/file") << "in";
    std::ofstream(root / "secret") << "out";
    fs::create_symlink("../secret", root / "home/up");
    fs::create_symlink("dir", root / "home/rel");
    fs::create_symlink("/etc", root / "home/abs");
    const server::Fd home(::open((root / "home").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    ASSERT_TRUE(home.ok());
    struct Case {
        std::string rel;
        int flags;
        int error; // 0: opens
    };
    const Case cases[] = {
        {"", O_RDONLY | O_DIRECTORY, 0},
        {"dir/file", O_RDONLY, 0},
        {"dir/sub", O_RDONLY | O_DIRECTORY, 0},
        {"dir/file/x", O_RDONLY, ENOTDIR},
        {"dir/missing", O_RDONLY, ENOENT},
        {"up", O_RDONLY, ELOOP},
        {"rel/file", O_RDONLY, ELOOP},
        {"abs/passwd", O_RDONLY, ELOOP},
        {"rel", O_PATH | O_NOFOLLOW, 0}, // the link itself
        {"up", O_WRONLY | O_CREAT, ELOOP},
        {"..", O_RDONLY, EXDEV},
        {"dir/../../secret", O_RDONLY, EXDEV},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.rel);
        for (auto* opener : {&server::openBeneath, &server::openBeneathByComponents}) {
            errno = 0;
            const server::Fd fd(opener(home.get(), c.rel, c.flags, 0600));
            EXPECT_EQ(fd.ok() ? 0 : errno, c.error);
        }
    }
    EXPECT_EQ(slurp(root / "secret"), "out");
    fs::remove_all(root);
}

} // namespace
} // namespace sockt::testing
