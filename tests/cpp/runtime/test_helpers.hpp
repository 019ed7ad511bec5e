// Shared helpers of the runtime tests: temporary sandbox roots and output collection.
#pragma once

#include "runtime/isolation.hpp"
#include "runtime/sandbox_runtime.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <random>
#include <string>
#include <thread>
#include <unistd.h>

namespace sockt::server::testing {

namespace fs = std::filesystem;

/// A fresh directory under the build tree's temp dir, removed at the end of the test.
class TempDir {
public:
    TempDir() {
        std::random_device rd;
        path_ = fs::temp_directory_path() /
                ("sockt-rt-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
        fs::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

inline bool bwrapUsable() {
    try {
        return resolveIsolation("auto", nullptr) == IsolationMode::Bwrap;
    } catch (...) {
        return false;
    }
}

inline std::string readAll(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

inline void writeAll(const fs::path& p, const std::string& data) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << data;
}

/// Polls `pred` every 10 ms until it holds or `timeout` passes.
template <typename Pred>
bool eventually(Pred pred, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (pred())
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return pred();
}

inline bool pidAlive(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(in, line))
        return false;
    auto close = line.rfind(')');
    return close != std::string::npos && line[close + 2] != 'Z';
}

/// A sandbox root (<tmp>/sandboxes/<id>) with a seeded home and a started runtime.
struct RuntimeFixture {
    explicit RuntimeFixture(IsolationMode mode) {
        root = dir.path() / "sandboxes" / "sbx-test";
        SandboxRuntime::seedHome(root / "home");
        runtime = SandboxRuntime::start({"sbx-test", root, mode, dir.path()});
    }
    ~RuntimeFixture() {
        if (runtime)
            runtime->shutdown();
    }
    TempDir dir;
    fs::path root;
    std::shared_ptr<SandboxRuntime> runtime;
};

} // namespace sockt::server::testing
