#include "runtime/execution.hpp"

#include "common/clock.hpp"
#include "runtime/discard_sink.hpp"
#include "runtime/sandbox_runtime.hpp"
#include "sockt/protocol.hpp"

#include <cerrno>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <thread>
#include <unistd.h>

namespace sockt::server {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds kDrainIdle{50};   // §4.1
constexpr milliseconds kDrainMax{500};   // §4.1
// §4.4 allows 50 ms; 10 ms still gathers one burst of writes while the first output of a
// long-poll reaches the caller about as soon as it was written.
constexpr milliseconds kBatchWindow{10}; // §4.4
constexpr milliseconds kCoalesceWindow{50}; // §4.3
constexpr milliseconds kTick{100};
constexpr auto kCancelWait = std::chrono::seconds(3);

OJson nullable(const std::optional<std::string>& v) {
    return v ? OJson(*v) : OJson(nullptr);
}

} // namespace

Execution::Execution(Info info, FinishedHook on_finished)
    : info_(std::move(info)), on_finished_(std::move(on_finished)),
      output_(static_cast<std::size_t>(protocol::kMaxUndeliveredOutputBytes)),
      active_since_(Clock::now()) {}

void Execution::attach(std::shared_ptr<ExecProcess> process) {
    {
        std::lock_guard lock(mutex_);
        process_ = process;
    }
    std::thread([self = shared_from_this(), process] { self->readLoop(process); }).detach();
}

std::int64_t Execution::activeMsLocked(Clock::time_point now) const {
    auto span = paused_ ? 0 : std::chrono::duration_cast<milliseconds>(now - active_since_).count();
    return active_before_ms_ + span;
}

void Execution::appendLocked(bool is_stderr, const char* data, std::size_t n) {
    std::string text = decoders_[is_stderr ? 1 : 0].feed(std::string_view(data, n));
    if (!text.empty()) {
        output_.append(is_stderr, text);
        changed_.notify_all();
    }
}

void Execution::readLoop(std::shared_ptr<ExecProcess> process) {
    int fds[2] = {process->stdoutFd(), process->stderrFd()};
    bool open[2] = {true, true};
    bool exited = false;
    Clock::time_point exit_time, last_data = Clock::now();
    std::vector<char> buf(protocol::kMaxChunkBytes);
    for (;;) {
        auto now = Clock::now();
        milliseconds wait = kTick;
        {
            std::unique_lock lock(mutex_);
            if (status_ != "running" || detached_)
                break; // finished elsewhere (terminate) or server shutdown: stop reading
            if (exited) {
                bool drained = (!open[0] && !open[1]) || now - last_data >= kDrainIdle ||
                               now - exit_time >= kDrainMax;
                if (drained) {
                    finalizeLocked(process->exitStatus());
                    break;
                }
                wait = kDrainIdle;
            } else if (info_.timeout_ms > 0 && outcome_ == Outcome::None && !paused_) {
                std::int64_t left = info_.timeout_ms - activeMsLocked(now);
                if (left <= 0) {
                    outcome_ = Outcome::Timeout;
                    lock.unlock();
                    process->signalGroup(SIGKILL); // §4.2: the whole group
                    continue;
                }
                wait = std::min(wait, milliseconds(left));
            }
        }
        pollfd p[3] = {{open[0] ? fds[0] : -1, POLLIN, 0},
                       {open[1] ? fds[1] : -1, POLLIN, 0},
                       {exited ? -1 : process->exitEventFd(), POLLIN, 0}};
        int rc = ::poll(p, 3, static_cast<int>(wait.count()));
        if (rc < 0 && errno != EINTR)
            break;
        for (int i = 0; i < 2; ++i) {
            if (!open[i] || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            // Bounded work per wake-up so the other stream and the clock get their turn.
            for (int round = 0; round < 16; ++round) {
                ssize_t n = ::read(fds[i], buf.data(), buf.size());
                if (n > 0) {
                    std::lock_guard lock(mutex_);
                    appendLocked(i == 1, buf.data(), static_cast<std::size_t>(n));
                    last_data = Clock::now();
                    continue;
                }
                if (n == 0 || (errno != EAGAIN && errno != EINTR))
                    open[i] = false;
                break;
            }
        }
        if (!exited && (p[2].revents & POLLIN)) {
            exited = true;
            exit_time = Clock::now();
            last_data = std::max(last_data, exit_time);
        }
    }
    // Survivors that still hold the pipes keep running; their later output is discarded (§4.1).
    for (int i = 0; i < 2; ++i)
        if (open[i])
            discard_sink::adopt(::fcntl(fds[i], F_DUPFD_CLOEXEC, 0));
    std::lock_guard lock(mutex_);
    process_.reset();
}

void Execution::finalizeLocked(std::optional<int> exit_status) {
    for (int i = 0; i < 2; ++i) {
        std::string tail = decoders_[i].finish();
        if (!tail.empty())
            output_.append(i == 1, tail);
    }
    if (outcome_ == Outcome::Timeout) {
        status_ = "failed";
        exit_code_ = 124;
        error_ = "timeout: command exceeded " + std::to_string(info_.timeout_ms) + " ms";
    } else if (outcome_ == Outcome::Cancel) {
        status_ = "cancelled";
        exit_code_ = 137;
        error_.reset();
    } else {
        status_ = "completed";
        exit_code_ = exit_status.value_or(137);
        error_.reset();
    }
    finished_ms_ = nowMs();
    changed_.notify_all();
    if (on_finished_ && !detached_) {
        auto self = shared_from_this();
        auto hook = on_finished_;
        // Persistence does I/O; run it without our lock but in order.
        mutex_.unlock();
        hook(self);
        mutex_.lock();
    }
}

void Execution::finishNow(std::optional<int> exit_code, const std::string& error) {
    std::shared_ptr<ExecProcess> process;
    {
        std::unique_lock lock(mutex_);
        if (status_ != "running")
            return;
        status_ = "failed";
        exit_code_ = exit_code;
        error_ = error;
        finished_ms_ = nowMs();
        process = process_;
        changed_.notify_all();
    }
    if (process)
        process->signalGroup(SIGKILL);
    if (on_finished_)
        on_finished_(shared_from_this());
}

std::string Execution::cancel() {
    std::shared_ptr<ExecProcess> process;
    {
        std::lock_guard lock(mutex_);
        if (status_ != "running")
            return status_;
        if (outcome_ == Outcome::None)
            outcome_ = Outcome::Cancel;
        process = process_;
    }
    if (process)
        process->signalGroup(SIGKILL);
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, kCancelWait, [&] { return status_ != "running"; });
    if (status_ == "running") {
        // The reader never saw the exit (agent gone): end it here.
        status_ = "cancelled";
        exit_code_ = 137;
        finished_ms_ = nowMs();
        changed_.notify_all();
        lock.unlock();
        if (on_finished_)
            on_finished_(shared_from_this());
        lock.lock();
    }
    return status_;
}

void Execution::pause() {
    std::lock_guard lock(mutex_);
    if (paused_)
        return;
    active_before_ms_ = activeMsLocked(Clock::now());
    paused_ = true;
}

void Execution::resume() {
    std::lock_guard lock(mutex_);
    if (!paused_)
        return;
    paused_ = false;
    active_since_ = Clock::now();
}

void Execution::detach() {
    std::lock_guard lock(mutex_);
    detached_ = true;
    changed_.notify_all();
}

bool Execution::running() const {
    std::lock_guard lock(mutex_);
    return status_ == "running";
}

std::string Execution::status() const {
    std::lock_guard lock(mutex_);
    return status_;
}

std::int64_t Execution::finishedMs() const {
    std::lock_guard lock(mutex_);
    return finished_ms_;
}

OJson Execution::poll(std::int64_t wait_ms, const OJson& pending_invoice, bool* took_output,
                      std::optional<std::int64_t> since) {
    std::unique_lock lock(mutex_);
    auto has_news = [&] { return since ? output_.hasAfter(*since) : !output_.empty(); };
    if (wait_ms > 0 && status_ == "running" && !has_news()) {
        auto deadline = Clock::now() + milliseconds(wait_ms);
        changed_.wait_until(lock, deadline,
                            [&] { return has_news() || status_ != "running" || detached_; });
        if (has_news() && status_ == "running") {
            auto batch = std::min(deadline, Clock::now() + kBatchWindow);
            changed_.wait_until(lock, batch, [&] { return status_ != "running" || detached_; });
        }
    } else if (status_ == "running" && has_news()) {
        // §4.3 coalescing: output found while the command may be exiting goes out together with
        // its terminal status, so a client that keeps only its last poll (the official SDK)
        // loses nothing of a quick command.
        changed_.wait_until(lock, Clock::now() + kCoalesceWindow,
                            [&] { return status_ != "running" || detached_; });
    }
    bool freed = false;
    auto chunks = since ? output_.since(*since, &freed) : output_.take();
    if (took_output)
        *took_output = status_ != "running" && (since ? freed : !chunks.empty());
    OJson body;
    body["execution_id"] = info_.id;
    body["sandbox_id"] = info_.sandbox_id;
    body["status"] = status_;
    body["output"] = OutputBuffer::toJson(chunks);
    body["exit_code"] = exit_code_ ? OJson(*exit_code_) : OJson(nullptr);
    body["error"] = nullable(error_);
    body["pending_invoice"] = pending_invoice.is_object() ? pending_invoice : OJson(nullptr);
    body["started_at"] = rfc3339(info_.started_ms);
    body["finished_at"] = status_ == "running" ? OJson(nullptr) : OJson(rfc3339(finished_ms_));
    return body;
}

OJson Execution::toRecord() const {
    std::lock_guard lock(mutex_);
    OJson r;
    r["execution_id"] = info_.id;
    r["sandbox_id"] = info_.sandbox_id;
    r["command"] = info_.command;
    r["working_dir"] = info_.working_dir;
    r["timeout_ms"] = info_.timeout_ms;
    r["started_ms"] = info_.started_ms;
    r["status"] = status_;
    r["exit_code"] = exit_code_ ? OJson(*exit_code_) : OJson(nullptr);
    r["error"] = nullable(error_);
    r["finished_ms"] = finished_ms_;
    r["output"] = output_.snapshot();
    return r;
}

std::shared_ptr<Execution> Execution::fromRecord(const OJson& r, FinishedHook on_finished) {
    Info info;
    info.id = r.at("execution_id").get<std::string>();
    info.sandbox_id = r.at("sandbox_id").get<std::string>();
    info.command = r.value("command", "");
    info.working_dir = r.value("working_dir", std::string(protocol::kSandboxHome));
    info.timeout_ms = r.value("timeout_ms", std::int64_t{0});
    info.started_ms = r.value("started_ms", std::int64_t{0});
    auto e = std::make_shared<Execution>(std::move(info), std::move(on_finished));
    e->status_ = r.value("status", "failed");
    if (r.contains("exit_code") && r["exit_code"].is_number_integer())
        e->exit_code_ = r["exit_code"].get<int>();
    if (r.contains("error") && r["error"].is_string())
        e->error_ = r["error"].get<std::string>();
    e->finished_ms_ = r.value("finished_ms", std::int64_t{0});
    if (r.contains("output"))
        e->output_.restore(r["output"]);
    return e;
}

} // namespace sockt::server
