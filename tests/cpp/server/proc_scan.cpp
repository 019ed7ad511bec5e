#include "server_fixture.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

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

} // namespace sockt::testing
