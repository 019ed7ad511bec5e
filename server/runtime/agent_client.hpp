// The server's end of one sandbox agent's socket: synchronous spawn requests, group signals, and
// a reader thread that routes exit reports to the SandboxProcess objects.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace sockt::server {

class SandboxProcess;

class AgentClient : public std::enable_shared_from_this<AgentClient> {
public:
    struct Spawned {
        int pid = -1;
        std::vector<int> fds; // owned by the caller
    };

    explicit AgentClient(int sock); // takes ownership of `sock`
    ~AgentClient();

    /// Starts the reader; waits for the agent's hello. Returns false if it never came.
    bool start(std::chrono::milliseconds timeout);
    /// Throws std::runtime_error(reason) when the agent refuses or is gone.
    Spawned spawn(bool pty, int cols, int rows, const std::string& cwd,
                  const std::vector<std::string>& argv, const std::vector<std::string>& env);
    /// Routes the exit of `pid` to `process` (also when it already happened).
    void attach(int pid, const std::shared_ptr<SandboxProcess>& process);
    void signalGroup(int pid, int sig);
    /// Closes the socket (the agent then exits) and joins the reader. Idempotent.
    void close();
    bool alive() const;

private:
    void readLoop();

    int sock_;
    std::thread reader_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::mutex send_mutex_;
    bool ready_ = false;
    bool dead_ = false;
    std::uint64_t next_request_ = 1;
    std::map<std::uint64_t, std::optional<Spawned>> replies_;
    std::map<std::uint64_t, std::string> failures_;
    std::map<int, std::weak_ptr<SandboxProcess>> processes_;
    std::map<int, int> early_exits_; // pid → raw status, reported before attach()
};

} // namespace sockt::server
