// One execution (docs/protocol.md §4): its record, its undelivered output, and the reader thread
// that drains the pipes (even when nobody polls, so a chatty process never blocks), enforces the
// timeout on the running clock (stopped while paused) and applies the drain rule of §4.1.
#pragma once

#include "common/api_error.hpp"
#include "common/utf8.hpp"
#include "runtime/output_buffer.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace sockt::server {

class ExecProcess;

class Execution : public std::enable_shared_from_this<Execution> {
public:
    struct Info {
        std::string id, sandbox_id, command, working_dir, credential;
        std::int64_t timeout_ms = 0;
        std::int64_t started_ms = 0;
    };
    using FinishedHook = std::function<void(const std::shared_ptr<Execution>&)>;

    Execution(Info info, FinishedHook on_finished);

    const Info& info() const { return info_; }

    /// Starts the reader thread for `process`.
    void attach(std::shared_ptr<ExecProcess> process);
    /// Ends it at once as failed with `error` and `exit_code` (spawn errors, terminate, restart).
    void finishNow(std::optional<int> exit_code, const std::string& error);
    /// Cancel (§2.9): SIGKILL to the group, then waits for the terminal state; returns the status.
    std::string cancel();
    void pause();
    void resume();
    /// Server shutdown: stop reading without a terminal state.
    void detach();

    bool running() const;
    std::string status() const;
    std::int64_t finishedMs() const;

    /// §2.8 body. Without `since` it takes the undelivered output (§4.3); with it, it frees the
    /// chunks up to `since` and answers the rest, which stay until acknowledged (§4.5).
    /// `wait_ms` > 0 = long poll (§4.4). `*took_output` tells whether a terminal execution's
    /// buffer changed (the caller re-persists).
    OJson poll(std::int64_t wait_ms, const OJson& pending_invoice, bool* took_output,
               std::optional<std::int64_t> since = std::nullopt);
    /// The persisted form (undelivered output included) and back.
    OJson toRecord() const;
    static std::shared_ptr<Execution> fromRecord(const OJson& record, FinishedHook on_finished);

private:
    enum class Outcome { None, Timeout, Cancel };

    void readLoop(std::shared_ptr<ExecProcess> process);
    void appendLocked(bool is_stderr, const char* data, std::size_t n);
    void finalizeLocked(std::optional<int> exit_status);
    std::int64_t activeMsLocked(std::chrono::steady_clock::time_point now) const;

    Info info_;
    FinishedHook on_finished_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::string status_ = "running";
    std::optional<int> exit_code_;
    std::optional<std::string> error_;
    std::int64_t finished_ms_ = 0;
    OutputBuffer output_;
    Utf8Decoder decoders_[2];
    Outcome outcome_ = Outcome::None;
    bool detached_ = false;
    std::shared_ptr<ExecProcess> process_;
    // The timeout clock (§2.4): running time accumulated before the current pause/resume span.
    std::int64_t active_before_ms_ = 0;
    std::chrono::steady_clock::time_point active_since_;
    bool paused_ = false;
};

} // namespace sockt::server
