// Concurrent files/write into one directory (docs/protocol.md §5.1): the writes share fsyncs of the
// directory (server/files/dir_sync.hpp), and none may answer before its own file is in place,
// carry another's bytes, or fail because a neighbour failed.
#include "server_fixture.hpp"
#include "sockt/models.hpp"

#include <atomic>
#include <set>
#include <thread>
#include <vector>

namespace sockt::testing {
namespace {

class ConcurrentWrites : public ServerTest {};

// Bytes no other write of the test carries: writer, round and a fill that covers all 256 values.
std::string bytesOf(int writer, int round) {
    std::string s = "writer " + std::to_string(writer) + " round " + std::to_string(round) + "\n";
    for (int i = 0; i < 3000 + writer * 7 + round; ++i)
        s.push_back(static_cast<char>((i * 31 + writer * 17 + round) & 0xff));
    return s;
}

TEST_F(ConcurrentWrites, EveryWriteLandsWholeAndIsInPlaceWhenItsAnswerArrives) {
    const auto id = runningSandbox();
    const std::string write = "/v1/sandboxes/" + id + "/files/write";
    const std::string read = "/v1/sandboxes/" + id + "/files/read";
    // A directory and a file where some of the writes below must fail.
    ASSERT_EQ(post(write, Json{{"path", "batch/taken/keep.txt"}, {"content", "k"}}, key()).status,
              200);
    ASSERT_EQ(post(write, Json{{"path", "batch/plain.txt"}, {"content", "p"}}, key()).status, 200);

    constexpr int kWriters = 12;
    constexpr int kRounds = 8;
    std::vector<std::string> failures(kWriters);
    std::atomic<int> refused{0};
    std::vector<std::thread> threads;
    for (int w = 0; w < kWriters; ++w) {
        threads.emplace_back([&, w] {
            std::string& fail = failures[w];
            for (int r = 0; r < kRounds && fail.empty(); ++r) {
                // Odd writers write a new file each round, even ones replace their one file.
                const std::string path = "batch/w" + std::to_string(w) +
                                         (w % 2 ? "-r" + std::to_string(r) : std::string()) +
                                         ".bin";
                const std::string bytes = bytesOf(w, r);
                auto ok = post(write,
                               Json{{"path", path},
                                    {"content", base64Encode(bytes)},
                                    {"encoding", "base64"}},
                               key());
                if (ok.status != 200) {
                    fail = path + ": " + std::to_string(ok.status) + " " + ok.body;
                    break;
                }
                // The answer promises the file is in place: the next read sees exactly it.
                auto back = post(read, Json{{"path", path}, {"encoding", "base64"}}, key());
                if (back.status != 200 ||
                    base64Decode(back.json()["content"].get<std::string>()) != bytes)
                    fail = path + ": read back after the answer gave other bytes: " +
                           back.body.substr(0, 200);
                // Writes failing among them: onto a directory, below a file.
                const std::string bad = r % 2 ? "batch/taken" : "batch/plain.txt/below.txt";
                auto no = post(write, Json{{"path", bad}, {"content", "x"}}, key());
                if (no.status == 400 && no.code() == "invalid_params")
                    ++refused;
                else if (fail.empty())
                    fail = bad + ": " + std::to_string(no.status) + " " + no.body;
            }
        });
    }
    for (auto& t : threads)
        t.join();
    for (int w = 0; w < kWriters; ++w)
        EXPECT_EQ(failures[w], "") << "writer " << w;
    EXPECT_EQ(refused.load(), kWriters * kRounds);

    // Exactly the files written, no temporary names left behind, each with its last bytes.
    auto listed = get("/v1/sandboxes/" + id + "/files?path=batch", key());
    ASSERT_EQ(listed.status, 200) << listed.body;
    const Json entries = listed.json()["entries"];
    std::set<std::string> names;
    for (const auto& e : entries)
        names.insert(e["name"].get<std::string>());
    std::set<std::string> want = {"taken", "plain.txt"};
    for (int w = 0; w < kWriters; ++w)
        for (int r = 0; r < (w % 2 ? kRounds : 1); ++r)
            want.insert("w" + std::to_string(w) + (w % 2 ? "-r" + std::to_string(r) : "") +
                        ".bin");
    EXPECT_EQ(names, want);
    for (int w = 0; w < kWriters; w += 2) {
        auto back = post(read, Json{{"path", "batch/w" + std::to_string(w) + ".bin"},
                                    {"encoding", "base64"}},
                         key());
        ASSERT_EQ(back.status, 200) << back.body;
        EXPECT_EQ(base64Decode(back.json()["content"].get<std::string>()), bytesOf(w, kRounds - 1));
    }
}

} // namespace
} // namespace sockt::testing
