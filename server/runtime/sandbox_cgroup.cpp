#include "runtime/sandbox_cgroup.hpp"

#include "runtime/whole_file_write.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace sockt::server {
namespace {

constexpr const char* kRoot = "/sys/fs/cgroup";
constexpr const char* kParent = "sockt"; // every sandbox's group sits below this one
constexpr const char* kV1Controllers[] = {"memory", "pids", "cpu"};
constexpr std::uint64_t kCpuPeriodMicros = 100000;

bool exists(const std::string& path) {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0;
}


std::string readFile(const std::string& path) {
    std::ifstream in(path);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

bool makeDir(const std::string& path) {
    return ::mkdir(path.c_str(), 0755) == 0 || errno == EEXIST;
}

bool hasWord(const std::string& text, const std::string& word) {
    std::size_t pos = 0;
    while ((pos = text.find(word, pos)) != std::string::npos) {
        bool start = pos == 0 || text[pos - 1] == ' ' || text[pos - 1] == '\n';
        std::size_t end = pos + word.size();
        if (start && (end == text.size() || text[end] == ' ' || text[end] == '\n'))
            return true;
        pos = end;
    }
    return false;
}

bool probeV2() {
    std::string root(kRoot);
    std::string controllers = readFile(root + "/cgroup.controllers");
    for (const char* c : {"memory", "pids", "cpu"})
        if (!hasWord(controllers, c))
            return false;
    std::string parent = root + "/" + kParent;
    return writeWholeFile(root + "/cgroup.subtree_control", "+memory +pids +cpu") && makeDir(parent) &&
           writeWholeFile(parent + "/cgroup.subtree_control", "+memory +pids +cpu");
}

bool probeV1() {
    for (const char* c : kV1Controllers) {
        std::string dir = std::string(kRoot) + "/" + c;
        if (!exists(dir + "/cgroup.procs") || !makeDir(dir + "/" + kParent) ||
            ::access((dir + "/" + kParent).c_str(), W_OK) != 0)
            return false;
    }
    return true;
}

void setOrThrow(const std::string& path, const std::string& value) {
    if (!writeWholeFile(path, value))
        throw std::runtime_error("cannot set " + path + ": " + std::strerror(errno));
}

std::vector<int> tasksOf(const std::string& dir) {
    std::vector<int> pids;
    std::ifstream in(dir + "/cgroup.procs");
    int pid;
    while (in >> pid)
        pids.push_back(pid);
    return pids;
}

} // namespace

LimitsMode limitsMode() {
    static const LimitsMode mode = [] {
        if (::geteuid() != 0)
            return LimitsMode::Rlimit; // a delegated hierarchy would need the server's own group
        if (exists(std::string(kRoot) + "/cgroup.controllers") && probeV2())
            return LimitsMode::CgroupV2;
        if (probeV1())
            return LimitsMode::CgroupV1;
        return LimitsMode::Rlimit;
    }();
    return mode;
}

std::string_view limitsModeName(LimitsMode mode) {
    switch (mode) {
    case LimitsMode::CgroupV2:
        return "cgroup-v2";
    case LimitsMode::CgroupV1:
        return "cgroup-v1";
    case LimitsMode::Rlimit:
        break;
    }
    return "rlimit";
}

std::unique_ptr<SandboxCgroup> SandboxCgroup::create(unsigned slot, const TierLimits& limits) {
    LimitsMode mode = limitsMode();
    if (mode == LimitsMode::Rlimit)
        return nullptr;
    std::string memory = std::to_string(limits.memory_bytes);
    std::string pids = std::to_string(limits.processes);
    std::string quota = std::to_string(limits.cpu_millis * kCpuPeriodMicros / 1000);
    std::string period = std::to_string(kCpuPeriodMicros);
    std::string name = "slot-" + std::to_string(slot);
    std::vector<std::string> dirs;
    if (mode == LimitsMode::CgroupV2) {
        dirs.push_back(std::string(kRoot) + "/" + kParent + "/" + name);
    } else {
        for (const char* c : kV1Controllers)
            dirs.push_back(std::string(kRoot) + "/" + c + "/" + kParent + "/" + name);
    }
    std::unique_ptr<SandboxCgroup> group(new SandboxCgroup(dirs));
    for (const auto& dir : dirs)
        if (!makeDir(dir))
            throw std::runtime_error("cannot create " + dir + ": " + std::strerror(errno));
    // A crashed server's sandbox may still hold tasks here: they go before the limits change.
    group->killAll(std::chrono::seconds(2));
    if (mode == LimitsMode::CgroupV2) {
        const std::string& d = dirs[0];
        setOrThrow(d + "/memory.max", memory);
        if (exists(d + "/memory.swap.max"))
            setOrThrow(d + "/memory.swap.max", "0");
        setOrThrow(d + "/pids.max", pids);
        setOrThrow(d + "/cpu.max", quota + " " + period);
    } else {
        setOrThrow(dirs[0] + "/memory.limit_in_bytes", memory);
        if (exists(dirs[0] + "/memory.memsw.limit_in_bytes"))
            setOrThrow(dirs[0] + "/memory.memsw.limit_in_bytes", memory);
        setOrThrow(dirs[1] + "/pids.max", pids);
        setOrThrow(dirs[2] + "/cpu.cfs_period_us", period);
        setOrThrow(dirs[2] + "/cpu.cfs_quota_us", quota);
    }
    for (const auto& dir : dirs) {
        int fd = ::open((dir + "/cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC);
        if (fd < 0)
            throw std::runtime_error("cannot open " + dir + "/cgroup.procs: " +
                                     std::strerror(errno));
        group->procs_fds_.push_back(fd);
    }
    return group;
}

SandboxCgroup::SandboxCgroup(std::vector<std::string> dirs) : dirs_(std::move(dirs)) {}

SandboxCgroup::~SandboxCgroup() {
    for (int fd : procs_fds_)
        ::close(fd);
    killAll(std::chrono::seconds(5));
    for (const auto& dir : dirs_) {
        // Tasks just killed leave the group once reaped, which may take a moment.
        for (int i = 0; i < 200 && ::rmdir(dir.c_str()) != 0 && errno == EBUSY; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

bool SandboxCgroup::killAll(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        bool any = false;
        for (const auto& dir : dirs_)
            for (int pid : tasksOf(dir)) {
                any = true;
                ::kill(pid, SIGKILL);
            }
        if (!any)
            return true;
        if (std::chrono::steady_clock::now() >= deadline)
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

} // namespace sockt::server
