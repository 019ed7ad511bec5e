// Shared helpers of the runtime tests: sandbox roots with a started runtime, process checks.
#pragma once

#include "eventually.hpp"
#include "runtime/isolation.hpp"
#include "runtime/sandbox_runtime.hpp"
#include "temp_dir.hpp"

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

using sockt::testing::eventually;
using sockt::testing::readAll;
using sockt::testing::TempDir;
using sockt::testing::writeAll;

inline bool bwrapUsable() {
    try {
        return resolveIsolation("auto", nullptr) == IsolationMode::Bwrap;
    } catch (...) {
        return false;
    }
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
