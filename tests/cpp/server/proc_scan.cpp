#include "server_fixture.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace sockt::testing {

std::vector<int> pidsWithCmdline(const std::string& needle) {
    std::vector<int> out;
    for (const auto& e : std::filesystem::directory_iterator("/proc")) {
        const auto name = e.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos)
            continue;
        std::ifstream in(e.path() / "cmdline", std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        std::string cmd = ss.str();
        for (auto& c : cmd)
            if (c == '\0')
                c = ' ';
        // A zombie keeps no command line; a stopped or running process does.
        if (cmd.find(needle) != std::string::npos)
            out.push_back(std::stoi(name));
    }
    return out;
}

ProcUsage procUsage(int pid) {
    ProcUsage u;
    const auto dir = "/proc/" + std::to_string(pid);
    std::ifstream status(dir + "/status");
    for (std::string line; std::getline(status, line);) {
        auto kib = [&] { return std::stoll(line.substr(line.find(':') + 1)) * 1024; };
        if (line.rfind("VmRSS:", 0) == 0)
            u.rss_bytes = kib();
        else if (line.rfind("VmHWM:", 0) == 0)
            u.peak_bytes = kib();
    }
    std::ifstream stat_file(dir + "/stat");
    std::string stat((std::istreambuf_iterator<char>(stat_file)), {});
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    std::istringstream rest(stat.substr(stat.rfind(')') + 2));
    std::string field;
    long long ticks = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i)
        if (i == 14 || i == 15)
            ticks += std::stoll(field);
    u.cpu_secs = static_cast<double>(ticks) / static_cast<double>(::sysconf(_SC_CLK_TCK));
    return u;
}

void resetPeak(int pid) {
    std::ofstream("/proc/" + std::to_string(pid) + "/clear_refs") << "5";
}

} // namespace sockt::testing
