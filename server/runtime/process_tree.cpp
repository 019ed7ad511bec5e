#include "runtime/process_tree.hpp"

#include <cstdlib>
#include <dirent.h>
#include <fstream>
#include <map>
#include <set>
#include <signal.h>
#include <sstream>
#include <thread>

namespace sockt::server::process_tree {
namespace {

struct Entry {
    int ppid;
    char state;
};

std::map<int, Entry> snapshot() {
    std::map<int, Entry> table;
    DIR* dir = ::opendir("/proc");
    if (!dir)
        return table;
    while (dirent* d = ::readdir(dir)) {
        char* end = nullptr;
        long pid = std::strtol(d->d_name, &end, 10);
        if (!end || *end || pid <= 0)
            continue;
        std::ifstream in("/proc/" + std::string(d->d_name) + "/stat");
        std::string line;
        if (!std::getline(in, line))
            continue;
        // The command name may contain spaces and parentheses: parse after the last ')'.
        auto close = line.rfind(')');
        if (close == std::string::npos || close + 4 > line.size())
            continue;
        std::istringstream rest(line.substr(close + 2));
        char st = 0;
        int ppid = 0;
        rest >> st >> ppid;
        table[static_cast<int>(pid)] = {ppid, st};
    }
    ::closedir(dir);
    return table;
}

std::vector<int> below(const std::map<int, Entry>& table, int root, bool with_zombies) {
    std::map<int, std::vector<int>> children;
    for (const auto& [pid, e] : table)
        children[e.ppid].push_back(pid);
    std::vector<int> out, stack{root};
    while (!stack.empty()) {
        int p = stack.back();
        stack.pop_back();
        auto it = children.find(p);
        if (it == children.end())
            continue;
        for (int c : it->second) {
            stack.push_back(c);
            if (with_zombies || table.at(c).state != 'Z')
                out.push_back(c);
        }
    }
    return out;
}

} // namespace

std::vector<int> descendants(int root) {
    if (root <= 0)
        return {};
    return below(snapshot(), root, false);
}

int findDescendantWithArg(int root, const std::string& arg1) {
    for (int pid : descendants(root)) {
        std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
        std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        auto first = all.find('\0');
        if (first == std::string::npos)
            continue;
        auto second = all.find('\0', first + 1);
        if (all.substr(first + 1, second - first - 1) == arg1)
            return pid;
    }
    return -1;
}

char state(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(in, line))
        return 0;
    auto close = line.rfind(')');
    return close != std::string::npos && close + 2 < line.size() ? line[close + 2] : 0;
}

void stopAll(int root) {
    std::set<int> stopped;
    // A process may fork between our scan and its SIGSTOP: repeat until a pass finds nothing new.
    for (int pass = 0; pass < 100; ++pass) {
        bool fresh = false;
        for (int pid : descendants(root)) {
            if (stopped.insert(pid).second) {
                ::kill(pid, SIGSTOP);
                fresh = true;
            }
        }
        if (!fresh)
            break;
    }
    // SIGSTOP is asynchronous; callers (and tests) expect a frozen tree when we return.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    for (int pid : stopped) {
        while (std::chrono::steady_clock::now() < deadline) {
            char s = state(pid);
            if (s == 0 || s == 'T' || s == 't' || s == 'Z' || s == 'X')
                break;
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
    }
}

void continueAll(int root) {
    for (int pid : descendants(root))
        ::kill(pid, SIGCONT);
}

bool killAll(int root, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        auto table = snapshot();
        auto live = below(table, root, false);
        bool zombies = below(table, root, true).size() != live.size();
        if (live.empty() && !zombies)
            return true;
        for (int pid : live)
            ::kill(pid, SIGKILL);
        if (std::chrono::steady_clock::now() >= deadline)
            return live.empty();
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

} // namespace sockt::server::process_tree
