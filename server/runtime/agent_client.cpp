#include "runtime/agent_client.hpp"

#include "runtime/agent_protocol.hpp"
#include "runtime/sandbox_runtime.hpp"

#include <csignal>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace sockt::server {

namespace wire = agent_wire;

AgentClient::AgentClient(int sock) : sock_(sock) {}

AgentClient::~AgentClient() {
    close();
}

bool AgentClient::start(std::chrono::milliseconds timeout) {
    reader_ = std::thread([self = this] { self->readLoop(); });
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, timeout, [&] { return ready_ || dead_; });
    return ready_ && !dead_;
}

void AgentClient::readLoop() {
    for (;;) {
        wire::Message m;
        if (!wire::receive(sock_, m))
            break;
        std::unique_lock lock(mutex_);
        switch (m.type) {
        case wire::Type::Ready:
            ready_ = true;
            break;
        case wire::Type::Spawned:
            if (m.fields.size() == 2) {
                auto it = replies_.find(std::stoull(m.fields[0]));
                if (it != replies_.end()) {
                    it->second = Spawned{std::stoi(m.fields[1]), std::move(m.fds)};
                    m.fds.clear();
                }
            }
            break;
        case wire::Type::SpawnFailed:
            if (m.fields.size() == 2) {
                auto req = std::stoull(m.fields[0]);
                if (replies_.count(req))
                    failures_[req] = m.fields[1];
            }
            break;
        case wire::Type::Exited:
            if (m.fields.size() == 2) {
                int pid = std::stoi(m.fields[0]);
                int raw = std::stoi(m.fields[1]);
                auto it = processes_.find(pid);
                if (it != processes_.end()) {
                    auto process = it->second.lock();
                    processes_.erase(it);
                    lock.unlock();
                    if (process)
                        process->markExited(raw);
                    lock.lock();
                } else {
                    early_exits_[pid] = raw;
                }
            }
            break;
        default:
            break;
        }
        for (int fd : m.fds)
            ::close(fd);
        changed_.notify_all();
    }
    std::map<int, std::weak_ptr<SandboxProcess>> orphaned;
    {
        std::lock_guard lock(mutex_);
        dead_ = true;
        orphaned.swap(processes_);
    }
    changed_.notify_all();
    // The agent is gone, and with it (bwrap) the whole instance: report the processes killed.
    for (auto& [pid, weak] : orphaned)
        if (auto process = weak.lock())
            process->markExited(SIGKILL);
}

AgentClient::Spawned AgentClient::spawn(bool pty, int cols, int rows, const std::string& cwd,
                                        const std::vector<std::string>& argv,
                                        const std::vector<std::string>& env) {
    std::uint64_t req;
    {
        std::lock_guard lock(mutex_);
        if (dead_ || !ready_)
            throw std::runtime_error("the sandbox runtime is not running");
        req = next_request_++;
        replies_[req] = std::nullopt;
    }
    wire::Message m{wire::Type::Spawn,
                    {std::to_string(req), pty ? "pty" : "pipes", std::to_string(cols),
                     std::to_string(rows), cwd, std::to_string(argv.size())},
                    {}};
    m.fields.insert(m.fields.end(), argv.begin(), argv.end());
    m.fields.insert(m.fields.end(), env.begin(), env.end());
    bool sent;
    {
        std::lock_guard lock(send_mutex_);
        sent = wire::send(sock_, m);
    }
    std::unique_lock lock(mutex_);
    if (sent)
        changed_.wait(lock, [&] { return dead_ || replies_[req] || failures_.count(req); });
    std::optional<Spawned> reply = std::move(replies_[req]);
    replies_.erase(req);
    auto failure = failures_.find(req);
    if (failure != failures_.end()) {
        std::string reason = failure->second;
        failures_.erase(failure);
        throw std::runtime_error(reason);
    }
    if (!reply)
        throw std::runtime_error("the sandbox runtime is not running");
    return std::move(*reply);
}

void AgentClient::attach(int pid, const std::shared_ptr<SandboxProcess>& process) {
    std::unique_lock lock(mutex_);
    auto early = early_exits_.find(pid);
    if (early != early_exits_.end()) {
        int raw = early->second;
        early_exits_.erase(early);
        lock.unlock();
        process->markExited(raw);
        return;
    }
    if (dead_) {
        lock.unlock();
        process->markExited(SIGKILL);
        return;
    }
    processes_[pid] = process;
}

void AgentClient::signalGroup(int pid, int sig) {
    {
        std::lock_guard lock(mutex_);
        if (dead_)
            return;
    }
    std::lock_guard lock(send_mutex_);
    wire::send(sock_, {wire::Type::Signal, {std::to_string(pid), std::to_string(sig)}, {}});
}

void AgentClient::close() {
    {
        std::lock_guard lock(send_mutex_);
        if (sock_ >= 0)
            ::shutdown(sock_, SHUT_RDWR);
    }
    if (reader_.joinable() && reader_.get_id() != std::this_thread::get_id())
        reader_.join();
    std::lock_guard lock(send_mutex_);
    if (sock_ >= 0) {
        ::close(sock_);
        sock_ = -1;
    }
}

bool AgentClient::alive() const {
    std::lock_guard lock(mutex_);
    return ready_ && !dead_;
}

} // namespace sockt::server
