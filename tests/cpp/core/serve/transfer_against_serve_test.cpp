// Sandbox::upload / Sandbox::download against a real `sockt serve`: trees both
// ways with the destination as the copy, binary content, empty directories, mode bits, progress,
// several files in flight, and the errors of a bad source.
#include "serve_process.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <random>
#include <sockt/sockt.hpp>
#include <sys/stat.h>

using namespace sockt;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

class Transfers : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        // Without isolation, because a root-run server under bubblewrap leaves the files written
        // through the API to the host's root: the sandbox user could then neither chmod them nor
        // create directories inside them, and the mode and empty-directory steps would fail for
        // reasons of the server, not of the transfer.
        sockt::testing::ServeOptions options;
        options.args = {"--isolation", "none"};
        serve_ = new sockt::testing::ServeProcess(options);
        serve_->start();
    }
    static void TearDownTestSuite() {
        delete serve_;
        serve_ = nullptr;
    }
    void SetUp() override {
        ClientOptions o;
        o.base_url = serve_->url();
        o.api_key = serve_->apiKey();
        o.ignore_env = true;
        o.timeout = 60s;
        client_ = std::make_unique<ComputeClient>(o);
        sandbox_ = std::make_unique<Sandbox>(client_->createSandbox());
        sandbox_->waitUntilRunning({30s, 100ms});
        char dir[] = "/tmp/sockt-transfer-XXXXXX";
        ASSERT_NE(::mkdtemp(dir), nullptr);
        temp_ = dir;
    }
    void TearDown() override {
        sandbox_->terminate();
        fs::remove_all(temp_);
    }
    static void writeLocal(const fs::path& p, const std::string& data, unsigned mode = 0644) {
        fs::create_directories(p.parent_path());
        std::ofstream(p, std::ios::binary) << data;
        fs::permissions(p, static_cast<fs::perms>(mode), fs::perm_options::replace);
    }
    static std::string readLocal(const fs::path& p) {
        std::ifstream in(p, std::ios::binary);
        return std::string(std::istreambuf_iterator<char>(in), {});
    }
    static unsigned localMode(const fs::path& p) {
        return static_cast<unsigned>(fs::status(p).permissions()) & 07777;
    }
    static std::string binary(std::size_t n, unsigned seed) {
        std::mt19937 rng(seed);
        std::string s(n, '\0');
        for (auto& c : s)
            c = static_cast<char>(rng() & 0xff);
        return s;
    }

    static sockt::testing::ServeProcess* serve_;
    std::unique_ptr<ComputeClient> client_;
    std::unique_ptr<Sandbox> sandbox_;
    fs::path temp_;
};
sockt::testing::ServeProcess* Transfers::serve_ = nullptr;

} // namespace

TEST_F(Transfers, DirectoryUploadMakesTheDestinationTheCopy) {
    const fs::path src = temp_ / "src";
    const std::string blob = binary(300 * 1024 + 7, 1);
    writeLocal(src / "a.txt", "alpha\n");
    writeLocal(src / "bin" / "blob.dat", blob);
    writeLocal(src / "bin" / "run.sh", "#!/bin/sh\necho ran\n", 0755);
    writeLocal(src / "deep" / "er" / "secret", "s", 0600);
    fs::create_directories(src / "empty" / "inner");
    fs::permissions(src, fs::perms(0755), fs::perm_options::replace);

    std::vector<TransferProgress> seen;
    TransferOptions options;
    options.on_progress = [&](const TransferProgress& p) { seen.push_back(p); };
    TransferResult r = sandbox_->upload(src.string(), "/home/sandbox/up", options);
    EXPECT_EQ(r.files, 4u);
    EXPECT_EQ(r.bytes, 6 + blob.size() + 19 + 1);

    // up/<files of src>, not up/src/…
    EXPECT_EQ(sandbox_->readFile("up/a.txt"), "alpha\n");
    EXPECT_EQ(sandbox_->readFileBytes("up/bin/blob.dat"), blob);
    ExecResult ran = sandbox_->execSync("./up/bin/run.sh && stat -c '%a %n' up/deep/er/secret up/empty/inner up/a.txt");
    EXPECT_EQ(ran.exit_code, 0) << ran.stderrText();
    EXPECT_EQ(ran.stdoutText(), "ran\n600 up/deep/er/secret\n755 up/empty/inner\n644 up/a.txt\n");
    ListFilesOptions list;
    list.path = "up";
    list.recursive = true;
    for (const auto& e : sandbox_->listFiles(list))
        EXPECT_NE(e.name.rfind("src", 0), 0u) << e.name;

    ASSERT_FALSE(seen.empty());
    for (std::size_t i = 1; i < seen.size(); ++i) {
        EXPECT_GE(seen[i].bytes_done, seen[i - 1].bytes_done);
        EXPECT_GE(seen[i].files_done, seen[i - 1].files_done);
    }
    EXPECT_EQ(seen.back().files_done, 4u);
    EXPECT_EQ(seen.back().files_total, 4u);
    EXPECT_EQ(seen.back().bytes_done, r.bytes);
    EXPECT_EQ(seen.back().bytes_total, r.bytes);
}

TEST_F(Transfers, DirectoryDownloadMirrorsTheRemoteTree) {
    const std::string blob = binary(200 * 1024 + 1, 2);
    sandbox_->writeFileBytes("tree/x/blob.bin", blob);
    sandbox_->writeFile("tree/readme.md", "# hi\n");
    ExecResult prep = sandbox_->execSync(
        "mkdir -p tree/void && printf '#!/bin/sh\\n' > tree/x/tool && chmod 750 tree/x/tool && "
        "ln -s readme.md tree/link");
    ASSERT_EQ(prep.exit_code, 0) << prep.stderrText();

    const fs::path dst = temp_ / "copy";
    TransferResult r = sandbox_->download("/home/sandbox/tree", dst.string());
    EXPECT_EQ(r.files, 3u);
    EXPECT_EQ(readLocal(dst / "x" / "blob.bin"), blob);
    EXPECT_EQ(readLocal(dst / "readme.md"), "# hi\n");
    EXPECT_TRUE(fs::is_directory(dst / "void"));
    EXPECT_EQ(localMode(dst / "x" / "tool"), 0750u);
    EXPECT_FALSE(fs::exists(fs::symlink_status(dst / "link"))); // symlinks are skipped
    EXPECT_FALSE(fs::exists(dst / "tree"));                      // dst is the copy itself
    // No temporary files are left behind.
    for (const auto& e : fs::recursive_directory_iterator(dst))
        EXPECT_EQ(e.path().filename().string().find(".sockt-"), std::string::npos);
}

TEST_F(Transfers, SingleBinaryFileRoundTripWithProgress) {
    const std::string data = binary(6 * 1024 * 1024 + 3, 3);
    writeLocal(temp_ / "big.bin", data, 0640);
    std::uint64_t last_up = 0;
    int up_calls = 0;
    TransferOptions up;
    up.on_progress = [&](const TransferProgress& p) {
        EXPECT_GE(p.bytes_done, last_up);
        last_up = p.bytes_done;
        ++up_calls;
    };
    TransferResult r = sandbox_->upload((temp_ / "big.bin").string(), "data/big.bin", up);
    EXPECT_EQ(r.files, 1u);
    EXPECT_EQ(r.bytes, data.size());
    EXPECT_EQ(last_up, data.size());
    EXPECT_GT(up_calls, 2); // several steps for a file of many slices
    EXPECT_EQ(sandbox_->execSync("stat -c %a data/big.bin").stdoutText(), "640\n");

    std::uint64_t last_down = 0;
    TransferOptions down;
    down.on_progress = [&](const TransferProgress& p) { last_down = p.bytes_done; };
    r = sandbox_->download("data/big.bin", (temp_ / "back.bin").string(), down);
    EXPECT_EQ(r.bytes, data.size());
    EXPECT_EQ(last_down, data.size());
    EXPECT_EQ(readLocal(temp_ / "back.bin"), data);
    EXPECT_EQ(localMode(temp_ / "back.bin"), 0640u);
}

TEST_F(Transfers, SeveralFilesMoveAtOnce) {
    const fs::path src = temp_ / "many";
    for (int i = 0; i < 40; ++i)
        writeLocal(src / ("f" + std::to_string(i) + ".txt"), std::string(1000 + i, 'a' + i % 26));
    const auto before = client_->connectionsOpened();
    TransferOptions options;
    options.concurrency = 8;
    EXPECT_EQ(sandbox_->upload(src.string(), "many", options).files, 40u);
    // One request at a time would reuse one keep-alive connection.
    EXPECT_GT(client_->connectionsOpened() - before, 1u);
    ListFilesOptions list;
    list.path = "many";
    EXPECT_EQ(sandbox_->listFiles(list).size(), 40u);
    const fs::path back = temp_ / "many-back";
    EXPECT_EQ(sandbox_->download("many", back.string(), options).files, 40u);
    for (int i = 0; i < 40; ++i)
        EXPECT_EQ(readLocal(back / ("f" + std::to_string(i) + ".txt")),
                  std::string(1000 + i, 'a' + i % 26));
}

TEST_F(Transfers, BadSourcesFailClearly) {
    EXPECT_THROW(sandbox_->upload((temp_ / "missing").string(), "x"), InvalidArgumentError);
    try {
        sandbox_->download("no/such/file", (temp_ / "out").string());
        FAIL() << "expected an error";
    } catch (const APIError& e) {
        EXPECT_EQ(e.statusCode(), 404);
    }
    EXPECT_FALSE(fs::exists(temp_ / "out"));
}

TEST_F(Transfers, UploadOnAFiberOfRunAsync) {
    writeLocal(temp_ / "one" / "a", "A");
    writeLocal(temp_ / "one" / "b", "B");
    TransferResult r;
    AsyncTask task = runAsync(
        [&](const CancelToken& t) { r = sandbox_->upload((temp_ / "one").string(), "one", {}, t); });
    task.wait();
    EXPECT_EQ(r.files, 2u);
    EXPECT_EQ(sandbox_->readFile("one/b"), "B");
}
