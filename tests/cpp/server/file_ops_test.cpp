// File write/read/list and the §1.6 path rules against a real home directory (docs/protocol.md §5).
#include "common/utf8.hpp"
#include "files/file_ops.hpp"
#include "runtime/sandbox_runtime.hpp"
#include "sockt/models.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

namespace sockt::server::testing {
namespace {

namespace fs = std::filesystem;
using sockt::testing::readAll;
using sockt::testing::TempDir;
using sockt::testing::writeAll;

class FilesTest : public ::testing::Test {
protected:
    void SetUp() override {
        home = dir.path() / "home";
        SandboxRuntime::seedHome(home);
        writeAll(dir.path() / "outside.txt", "secret");
    }

    std::string codeOf(const std::function<void()>& f) {
        try {
            f();
        } catch (const ApiError& e) {
            return e.code();
        }
        return "ok";
    }
    OJson write(const std::string& path, const std::string& content,
                OJson extra = OJson::object()) {
        OJson body{{"path", path}, {"content", content}};
        for (auto& [k, v] : extra.items())
            body[k] = v;
        return writeFile(home, body);
    }
    OJson read(const std::string& path, OJson extra = OJson::object()) {
        OJson body{{"path", path}};
        for (auto& [k, v] : extra.items())
            body[k] = v;
        return readFile(home, body);
    }

    TempDir dir;
    std::filesystem::path home;
};

TEST_F(FilesTest, SeededHomeHasExactlyTheTwoFiles) {
    auto list = listFiles(home, "", "", "");
    ASSERT_EQ(list["total_entries"], 2);
    EXPECT_EQ(list["entries"][0]["name"], ".bashrc");
    EXPECT_EQ(list["entries"][1]["name"], ".profile");
    EXPECT_EQ(readAll(home / ".bashrc"), "# ~/.bashrc: executed by bash for interactive shells.\n"
                                         "case $- in *i*) ;; *) return;; esac\n"
                                         "PS1='sandbox@sockt:\\w\\$ '\n");
}

TEST_F(FilesTest, PathRuleTable) {
    std::filesystem::create_directories(home / "data");
    writeAll(home / "data" / "x", "x");
    std::filesystem::create_symlink(dir.path() / "outside.txt", home / "abs_out");
    std::filesystem::create_symlink("../outside.txt", home / "rel_out");
    std::filesystem::create_symlink("/home/sandbox/data", home / "abs_in");
    std::filesystem::create_symlink("data/x", home / "rel_in");
    std::filesystem::create_symlink("/etc", home / "etc_link");
    struct Case {
        std::string path;
        std::string code;
    };
    std::vector<Case> reads = {
        {"../x", "bad_request"},
        {"/etc/passwd", "bad_request"},
        {"/home/sandbox/../etc/passwd", "bad_request"},
        {"/home/sandboxx/y", "bad_request"},
        {"/", "bad_request"},
        {"/tmp/x", "bad_request"},
        {"abs_out", "bad_request"},
        {"rel_out", "bad_request"},
        {"etc_link/passwd", "bad_request"},
        {std::string("a\0b", 3), "invalid_params"},
        {"", "invalid_params"},
        {"~", "file_not_found"},
        {"abs_in/x", "ok"},
        {"rel_in", "ok"},
        {"/home/sandbox//data/./x", "ok"},
        {"data/../data/x", "ok"},
        {"missing", "file_not_found"},
        {"data", "invalid_params"},
    };
    for (const auto& c : reads)
        EXPECT_EQ(codeOf([&] { read(c.path); }), c.code) << "read " << c.path;
    EXPECT_EQ(read("abs_in/x")["path"], "/home/sandbox/abs_in/x");
    EXPECT_EQ(read("/home/sandbox//data/./x")["path"], "/home/sandbox/data/x");
    // Writes through an escaping link never touch the outside file.
    EXPECT_EQ(codeOf([&] { write("abs_out", "pwned"); }), "bad_request");
    EXPECT_EQ(codeOf([&] { write("etc_link/x", "pwned"); }), "bad_request");
    EXPECT_EQ(readAll(dir.path() / "outside.txt"), "secret");
    // `~` is a literal name.
    EXPECT_EQ(write("~", "t")["path"], "/home/sandbox/~");
    EXPECT_TRUE(std::filesystem::exists(home / "~"));
    // List: "/" and "." mean home; escapes are refused.
    EXPECT_EQ(listFiles(home, "/", "", "")["total_entries"],
              listFiles(home, ".", "", "")["total_entries"]);
    EXPECT_EQ(codeOf([&] { listFiles(home, "..", "", ""); }), "bad_request");
    EXPECT_EQ(codeOf([&] { listFiles(home, "abs_out", "", ""); }), "bad_request");
    EXPECT_EQ(codeOf([&] { listFiles(home, "etc_link", "", ""); }), "bad_request");
    EXPECT_EQ(codeOf([&] { listFiles(home, std::string("\0", 1), "", ""); }), "invalid_params");
    // The lexical check alone.
    EXPECT_EQ(codeOf([&] { checkPathLexically("/home/sandbox/../../etc", false); }), "bad_request");
    EXPECT_EQ(codeOf([&] { checkPathLexically("", false); }), "invalid_params");
    EXPECT_EQ(codeOf([&] { checkPathLexically("", true); }), "ok");
    EXPECT_EQ(codeOf([&] { checkPathLexically("/", true); }), "ok");
    EXPECT_EQ(codeOf([&] { checkPathLexically("abs_out", false); }), "ok"); // needs the fs
}

TEST_F(FilesTest, WriteSemantics) {
    auto r = write("eval.py", "print('hello')");
    EXPECT_EQ(
        r,
        (OJson{{"path", "/home/sandbox/eval.py"}, {"bytes_written", 14}, {"created_dirs", false}}));
    EXPECT_EQ(r.begin().key(), "path");
    EXPECT_EQ(readAll(home / "eval.py"), "print('hello')");
    struct stat st;
    ASSERT_EQ(::stat((home / "eval.py").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0644u);

    auto nested = write("/home/sandbox/a/b/c.txt", "");
    EXPECT_EQ(nested["created_dirs"], true);
    EXPECT_EQ(nested["bytes_written"], 0);
    ASSERT_EQ(::stat((home / "a" / "b").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0755u);

    EXPECT_EQ(codeOf([&] { write("x/y.txt", "1", {{"create_dirs", false}}); }), "invalid_params");
    EXPECT_FALSE(std::filesystem::exists(home / "x"));
    EXPECT_EQ(codeOf([&] { write("a", "1"); }), "invalid_params"); // a directory
    EXPECT_EQ(codeOf([&] { write("eval.py/z", "1"); }), "invalid_params");
    EXPECT_EQ(codeOf([&] { write("f", "1", {{"encoding", "latin1"}}); }), "invalid_params");
    EXPECT_EQ(codeOf([&] { writeFile(home, OJson{{"path", "f"}}); }), "invalid_params");
    EXPECT_EQ(codeOf([&] {
                  writeFile(home, OJson{{"path", 1}, {"content", ""}});
              }),
              "invalid_params");

    // Replacing keeps no temporary files behind.
    write("eval.py", "v2", {{"encoding", "UTF-8"}});
    EXPECT_EQ(readAll(home / "eval.py"), "v2");
    for (const auto& e : std::filesystem::directory_iterator(home))
        EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos);
}

TEST_F(FilesTest, Base64RoundTripAndWhitespace) {
    std::string bytes;
    for (int i = 0; i < 256; ++i)
        bytes += static_cast<char>(i);
    bytes += std::string("\0\0\xff", 3);
    std::string b64 = sockt::base64Encode(bytes);
    // Wrapped at 76 columns with CRLF, tabs and spaces, padding removed.
    std::string unpadded = b64.substr(0, b64.find('='));
    std::string wrapped;
    for (std::size_t i = 0; i < unpadded.size(); i += 76)
        wrapped += unpadded.substr(i, 76) + "\r\n\t ";
    auto w = write("bin/data.bin", wrapped, {{"encoding", "base64"}});
    EXPECT_EQ(w["bytes_written"], static_cast<std::int64_t>(bytes.size()));
    EXPECT_EQ(readAll(home / "bin" / "data.bin"), bytes);
    auto r = read("bin/data.bin", {{"encoding", "BASE64"}});
    EXPECT_EQ(r["encoding"], "base64");
    EXPECT_EQ(r["content"], b64);
    EXPECT_EQ(r["size_bytes"], static_cast<std::int64_t>(bytes.size()));
    EXPECT_EQ(codeOf([&] { write("bad", "ab$c", {{"encoding", "base64"}}); }), "invalid_params");
    EXPECT_EQ(codeOf([&] { write("bad", "a", {{"encoding", "base64"}}); }), "invalid_params");
    EXPECT_EQ(codeOf([&] { write("bad", "QQ==QQ", {{"encoding", "base64"}}); }), "invalid_params");
    EXPECT_EQ(r["content_b64"], b64);
}

TEST_F(FilesTest, ReadSemantics) {
    writeAll(home / "t.txt", "h\xC3\xA9llo"); // 6 bytes, é at 1..2
    auto full = read("t.txt");
    std::vector<std::string> keys;
    for (auto it = full.begin(); it != full.end(); ++it)
        keys.push_back(it.key());
    EXPECT_EQ(keys, (std::vector<std::string>{"path", "size_bytes", "size", "encoding", "truncated",
                                              "content"}));
    EXPECT_EQ(full["content"], "h\xC3\xA9llo");
    EXPECT_EQ(full["truncated"], false);
    EXPECT_EQ(full["encoding"], "utf8");
    auto cut = read("t.txt", {{"max_bytes", 2}});
    EXPECT_EQ(cut["content"], "h"); // the cut é is dropped, not replaced
    EXPECT_EQ(cut["truncated"], true);
    EXPECT_EQ(cut["size_bytes"], 6);
    EXPECT_EQ(cut["size"], 6);
    EXPECT_EQ(read("t.txt", {{"max_bytes", 6}})["truncated"], false);
    EXPECT_EQ(read("t.txt", {{"max_bytes", 0}})["content"], "h\xC3\xA9llo");
    writeAll(home / "bad.txt", "a\xFF"
                               "b\xC3");
    EXPECT_EQ(read("bad.txt")["content"], "a\xEF\xBF\xBD"
                                          "b\xEF\xBF\xBD");
    EXPECT_EQ(codeOf([&] { read("t.txt", {{"max_bytes", -1}}); }), "invalid_params");
    EXPECT_EQ(codeOf([&] { read("t.txt", {{"max_bytes", "2"}}); }), "invalid_params");
    EXPECT_EQ(codeOf([&] { read("t.txt", {{"max_bytes", 60000000}}); }), "payload_too_large");
    // A sparse 49 MiB file needs max_bytes.
    {
        std::ofstream big(home / "big.bin", std::ios::binary);
        big.seekp(49 * 1024 * 1024);
        big.put('x');
    }
    EXPECT_EQ(codeOf([&] { read("big.bin"); }), "payload_too_large");
    auto part = read("big.bin", {{"max_bytes", 10}, {"encoding", "base64"}});
    EXPECT_EQ(part["truncated"], true);
    EXPECT_EQ(part["content"], sockt::base64Encode(std::string(10, '\0')));
}

TEST_F(FilesTest, ListSemantics) {
    std::filesystem::remove(home / ".bashrc");
    std::filesystem::remove(home / ".profile");
    std::filesystem::create_directories(home / "src" / "deep" / "deeper");
    writeAll(home / "src" / "app.py", "12345");
    writeAll(home / "src.txt", "1");
    writeAll(home / "src" / "deep" / "deeper" / "z", "");
    writeAll(home / ".hidden", "");
    std::filesystem::create_symlink("src", home / "link");
    auto flat = listFiles(home, "", "", "5");
    std::vector<std::string> names;
    for (const auto& e : flat["entries"])
        names.push_back(e["name"]);
    EXPECT_EQ(names, (std::vector<std::string>{".hidden", "link", "src", "src.txt"}));
    const auto& link = flat["entries"][1];
    EXPECT_EQ(link, (OJson{{"name", "link"},
                           {"size", 3},
                           {"mod_ts", link["mod_ts"]},
                           {"is_dir", false},
                           {"is_file", false},
                           {"is_symlink", true}}));
    EXPECT_EQ(flat["entries"][2]["is_dir"], true);
    EXPECT_EQ(flat["truncated"], false);

    auto all = listFiles(home, "/", "TRUE", "");
    names.clear();
    for (const auto& e : all["entries"])
        names.push_back(e["name"]);
    EXPECT_EQ(names,
              (std::vector<std::string>{".hidden", "link", "src", "src.txt", "src/app.py",
                                        "src/deep", "src/deep/deeper", "src/deep/deeper/z"}));
    EXPECT_EQ(all["total_entries"], 8);
    EXPECT_EQ(all["entries"][4]["size"], 5);
    EXPECT_EQ(all["entries"][4]["is_file"], true);

    auto two = listFiles(home, ".", "1", "2");
    EXPECT_EQ(two["total_entries"], 6); // down to src/deep, not its children
    auto sub = listFiles(home, "src", "true", "0");
    EXPECT_EQ(sub["entries"][0]["name"], "app.py");
    auto via_link = listFiles(home, "link", "", "");
    EXPECT_EQ(via_link["entries"][0]["name"], "app.py");

    EXPECT_EQ(codeOf([&] { listFiles(home, "src.txt", "", ""); }), "invalid_params");
    EXPECT_EQ(codeOf([&] { listFiles(home, "nope", "", ""); }), "file_not_found");
    EXPECT_EQ(codeOf([&] { listFiles(home, "", "yes", ""); }), "invalid_params");
    EXPECT_EQ(codeOf([&] { listFiles(home, "", "", "-1"); }), "invalid_params");
    EXPECT_EQ(codeOf([&] { listFiles(home, "", "", "x"); }), "invalid_params");
}

TEST_F(FilesTest, ListNamesAreValidUtf8) {
    writeAll(home / "bad\xFFname", "");
    auto list = listFiles(home, "", "", "");
    EXPECT_NO_THROW(list.dump());
    EXPECT_EQ(list["entries"][2]["name"], "bad\xEF\xBF\xBDname"); // after .bashrc, .profile
}

TEST_F(FilesTest, ListStopsAt10000Entries) {
    std::filesystem::create_directories(home / "many");
    for (int i = 0; i < 10050; ++i)
        writeAll(home / "many" / ("f" + std::to_string(100000 + i)), "");
    auto list = listFiles(home, "many", "", "");
    EXPECT_EQ(list["total_entries"], 10000);
    EXPECT_EQ(list["entries"].size(), 10000u);
    EXPECT_EQ(list["truncated"], true);
    EXPECT_EQ(list["entries"][0]["name"], "f100000");
    EXPECT_EQ(list["entries"][9999]["name"], "f109999");
}

TEST(Utf8DecoderTest, IncrementalAndReplacement) {
    Utf8Decoder d;
    EXPECT_EQ(d.feed("a\xE2\x82"), "a");
    EXPECT_EQ(d.pending(), 2u);
    EXPECT_EQ(d.feed("\xAC!"), "\xE2\x82\xAC!");
    EXPECT_EQ(d.feed("\xF0\x9F"), "");
    EXPECT_EQ(d.finish(), "\xEF\xBF\xBD");
    EXPECT_EQ(Utf8Decoder::decode("\xC0\xAF", false), "\xEF\xBF\xBD\xEF\xBF\xBD"); // overlong
    EXPECT_EQ(Utf8Decoder::decode("\xED\xA0\x80", false),
              "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"); // surrogate
    EXPECT_EQ(Utf8Decoder::decode("\xE2\x82x", false), "\xEF\xBF\xBDx");
    EXPECT_EQ(Utf8Decoder::decode("ok\xE2\x82", true), "ok");
    EXPECT_EQ(utf8Boundary("a\xE2\x82\xAC", 2), 1u);
}

} // namespace
} // namespace sockt::server::testing
