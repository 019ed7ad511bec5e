// The processes a sandbox runs (an exec child, a shell under a PTY): exit status, signals to the
// process group, PTY size and hangup (docs/protocol.md §4, §6.4).
#include "runtime/agent_client.hpp"
#include "runtime/sandbox_runtime.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <thread>
#include <unistd.h>

namespace sockt::server {
namespace {

constexpr auto kHangupGrace = std::chrono::seconds(2); // §6.4

} // namespace

// ---- SandboxProcess ---------------------------------------------------------------------------

SandboxProcess::SandboxProcess(std::shared_ptr<AgentClient> agent, int pid)
    : agent_(std::move(agent)), pid_(pid), state_(std::make_shared<ExitState>()) {
    if (::pipe2(state_->event, O_CLOEXEC | O_NONBLOCK) != 0)
        throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
}

SandboxProcess::~SandboxProcess() {
    for (int fd : state_->event)
        if (fd >= 0)
            ::close(fd);
}

void SandboxProcess::markExited(int raw) {
    int code = WIFEXITED(raw) ? WEXITSTATUS(raw) : WIFSIGNALED(raw) ? 128 + WTERMSIG(raw) : raw;
    {
        std::lock_guard lock(state_->mutex);
        if (state_->status)
            return;
        state_->status = code;
    }
    char byte = 1;
    ssize_t ignored = ::write(state_->event[1], &byte, 1);
    (void)ignored;
    state_->cv.notify_all();
}

std::optional<int> SandboxProcess::exitStatus() const {
    std::lock_guard lock(state_->mutex);
    return state_->status;
}

bool SandboxProcess::wait(std::chrono::milliseconds timeout) const {
    std::unique_lock lock(state_->mutex);
    return state_->cv.wait_for(lock, timeout, [&] { return state_->status.has_value(); });
}

int SandboxProcess::exitEventFd() const {
    return state_->event[0];
}

void SandboxProcess::signalGroup(int sig) {
    agent_->signalGroup(pid_, sig);
}

ExecProcess::ExecProcess(std::shared_ptr<AgentClient> agent, int pid, int stdout_fd, int stderr_fd)
    : SandboxProcess(std::move(agent), pid), stdout_fd_(stdout_fd), stderr_fd_(stderr_fd) {
    for (int fd : {stdout_fd_, stderr_fd_})
        ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
}

ExecProcess::~ExecProcess() {
    ::close(stdout_fd_);
    ::close(stderr_fd_);
}

PtyProcess::PtyProcess(std::shared_ptr<AgentClient> agent, int pid, int master_fd)
    : SandboxProcess(std::move(agent), pid), master_fd_(master_fd) {}

PtyProcess::~PtyProcess() {
    ::close(master_fd_);
}

void PtyProcess::resize(int cols, int rows) {
    if (cols <= 0 || rows <= 0)
        return;
    winsize ws{};
    ws.ws_col = static_cast<unsigned short>(std::min(cols, 65535));
    ws.ws_row = static_cast<unsigned short>(std::min(rows, 65535));
    ::ioctl(master_fd_, TIOCSWINSZ, &ws); // the kernel sends SIGWINCH to the foreground group
}

void PtyProcess::hangup() {
    if (exitStatus())
        return;
    signalGroup(SIGHUP);
    std::thread([agent = agent_, pid = pid_, state = state_] {
        std::unique_lock lock(state->mutex);
        if (!state->cv.wait_for(lock, kHangupGrace, [&] { return state->status.has_value(); })) {
            lock.unlock();
            agent->signalGroup(pid, SIGKILL);
        }
    }).detach();
}

} // namespace sockt::server
