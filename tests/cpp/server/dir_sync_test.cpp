// syncDirectory (server/files/dir_sync.hpp), the group commit behind files/write's directory fsync
// (docs/protocol.md §5.1): many callers at once, on one directory and on several, each return.
#include "files/dir_sync.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <fcntl.h>
#include <filesystem>
#include <thread>
#include <unistd.h>
#include <vector>

namespace sockt::server::testing {
namespace {

using sockt::testing::TempDir;

TEST(DirSync, ManyCallersOnSeveralDirectoriesAllReturnSuccess) {
    TempDir dir;
    constexpr int kDirs = 3;
    for (int d = 0; d < kDirs; ++d)
        std::filesystem::create_directories(dir.path() / std::to_string(d));
    std::atomic<int> failed{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 12; ++t) {
        threads.emplace_back([&, t] {
            // Each caller holds its own descriptor: the directory is what is shared.
            const auto path = dir.path() / std::to_string(t % kDirs);
            const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            for (int i = 0; i < 25; ++i) {
                const auto name = path / ("f" + std::to_string(t) + "-" + std::to_string(i));
                std::filesystem::create_directory(name);
                if (syncDirectory(fd) != 0)
                    ++failed;
            }
            ::close(fd);
        });
    }
    for (auto& t : threads)
        t.join();
    EXPECT_EQ(failed.load(), 0);
}

TEST(DirSync, AnUnusableDescriptorIsTheCallersErrorAlone) {
    TempDir dir;
    EXPECT_EQ(syncDirectory(-1), EBADF);
    const int fd = ::open(dir.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    EXPECT_EQ(syncDirectory(fd), 0);
    ::close(fd);
}

} // namespace
} // namespace sockt::server::testing
