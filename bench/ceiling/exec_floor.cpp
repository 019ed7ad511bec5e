// The exec floor of `make bench`: how long `bash -lc true` takes to start and end inside a running
// sandbox when nothing but the sandbox is involved (no HTTP, no server, no agent protocol).
//
//   exec_floor --agent-pid PID [--count N]
//
// PID is the sandbox agent of the bench's sandbox (server/runtime/agent.cpp: the one process of the
// bubblewrap instance that forks every exec, docs/protocol.md §11.4). This program joins that
// agent's cgroup and namespaces (user, mount, pid, network, ipc, uts, cgroup — each one that
// differs from ours), becomes the sandbox user the agent's argv names, and then does what the agent
// does per exec, minus its socket: fork, execve("/bin/bash", {"bash","-lc","--","true"}) in
// /home/sandbox with the sandbox's environment (§4.1), waitpid. Prints {"samples":[seconds…]}.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <iostream>
#include <sched.h>
#include <sstream>
#include <stdexcept>
#include <string>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace {

[[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error(what + ": " + std::strerror(errno));
}

std::vector<std::string> cmdline(long pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
    std::vector<std::string> args;
    std::string arg;
    while (std::getline(in, arg, '\0'))
        args.push_back(arg);
    return args;
}

/// The agent's uid for sandbox processes: argv `<exe> __sandbox-agent <fd> <ppid> <uid> …`.
long sandboxUid(long pid) {
    const auto args = cmdline(pid);
    for (std::size_t i = 0; i + 3 < args.size(); ++i)
        if (args[i] == "__sandbox-agent")
            return std::stol(args[i + 3]);
    throw std::runtime_error("process " + std::to_string(pid) + " is not a sandbox agent");
}

void joinCgroup(long pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/cgroup");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("0::", 0) != 0)
            continue;
        std::ofstream procs("/sys/fs/cgroup" + line.substr(3) + "/cgroup.procs");
        procs << ::getpid() << std::flush;
        if (!procs)
            fail("joining the cgroup " + line.substr(3));
    }
}

void joinNamespaces(long pid) {
    // The user namespace last: as the host's root we may join every namespace below ours, while
    // inside the sandbox's user namespace the ones owned by an outer one would be refused.
    const char* kinds[] = {"cgroup", "ipc", "uts", "net", "pid", "mnt", "user"};
    std::vector<int> fds;
    for (const char* kind : kinds) {
        const std::string theirs = "/proc/" + std::to_string(pid) + "/ns/" + kind;
        const std::string ours = std::string("/proc/self/ns/") + kind;
        struct stat a, b;
        if (::stat(theirs.c_str(), &a) != 0 || ::stat(ours.c_str(), &b) != 0)
            fail("stat " + theirs);
        const int fd = a.st_ino == b.st_ino ? -1 : ::open(theirs.c_str(), O_RDONLY | O_CLOEXEC);
        fds.push_back(fd);
    }
    for (std::size_t i = 0; i < fds.size(); ++i) {
        if (fds[i] >= 0 && ::setns(fds[i], 0) != 0)
            fail(std::string("setns ") + kinds[i]);
        if (fds[i] >= 0)
            ::close(fds[i]);
    }
}

} // namespace

int main(int argc, char** argv) {
    try {
        long pid = 0;
        int count = 10;
        for (int i = 1; i + 1 < argc; i += 2) {
            const std::string flag = argv[i];
            if (flag == "--agent-pid")
                pid = std::stol(argv[i + 1]);
            else if (flag == "--count")
                count = std::stoi(argv[i + 1]);
            else
                throw std::invalid_argument("unknown option " + flag);
        }
        const long uid = sandboxUid(pid);
        joinCgroup(pid);
        joinNamespaces(pid);
        if (uid >= 0 && (::syscall(SYS_setgroups, 0, nullptr) != 0 ||
                         ::syscall(SYS_setresgid, uid, uid, uid) != 0 ||
                         ::syscall(SYS_setresuid, uid, uid, uid) != 0))
            fail("becoming uid " + std::to_string(uid));
        if (::chdir("/home/sandbox") != 0)
            fail("chdir /home/sandbox");
        // docs/protocol.md §4.1's environment, as the server passes it to every exec.
        const char* env[] = {"HOME=/home/sandbox",
                             "LANG=C.UTF-8",
                             "LOGNAME=sandbox",
                             "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                             "SHELL=/bin/bash",
                             "SOCKT_SANDBOX_ID=bench",
                             "USER=sandbox",
                             nullptr};
        const char* args[] = {"/bin/bash", "-lc", "--", "true", nullptr};
        std::vector<double> samples;
        for (int i = 0; i <= count; ++i) { // the first start warms the caches and is not counted
            const auto start = std::chrono::steady_clock::now();
            const pid_t child = ::fork();
            if (child < 0)
                fail("fork");
            if (child == 0) {
                ::execve(args[0], const_cast<char**>(args), const_cast<char**>(env));
                ::_exit(127);
            }
            int status = 0;
            if (::waitpid(child, &status, 0) != child || !WIFEXITED(status) ||
                WEXITSTATUS(status) != 0)
                throw std::runtime_error("bash -lc true failed in the sandbox");
            if (i > 0)
                samples.push_back(
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
                        .count());
        }
        std::ostringstream out;
        out << "{\"samples\":[";
        for (std::size_t i = 0; i < samples.size(); ++i)
            out << (i ? "," : "") << samples[i];
        out << "]}";
        std::cout << out.str() << std::endl;
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "exec_floor: " << e.what() << std::endl;
        return 1;
    }
}
