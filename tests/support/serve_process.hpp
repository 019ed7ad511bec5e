// A real `sockt serve` process for tests: temporary data dir, --port 0, the export
// line parsed for URL and key; stop (SIGTERM), kill -9 and restart on the same data dir.
// Not thread-safe; one per test fixture, so fixtures can run in parallel.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <sys/types.h>
#include <vector>

namespace sockt::testing {

/// Path of the binary under test (the `sockt` CLI, or the development stand-in).
std::string serveBinary();

struct ServeOptions {
    /// Extra flags after `serve` (e.g. {"--api-key", "k:0.00005"}).
    std::vector<std::string> args;
    /// Adds `--rate-limit 0 --boot-delay-ms 50` unless the test sets them in `args`.
    bool test_defaults = true;
    /// Extra environment variables.
    std::map<std::string, std::string> env;
    /// --port (0: a free one).
    int port = 0;
    /// --data-dir; empty: a temporary one of this process's own.
    std::string data_dir;
};

class ServeProcess {
public:
    explicit ServeProcess(ServeOptions options = {});
    ~ServeProcess(); // SIGKILLs a still-running server and removes the temporary directory
    ServeProcess(const ServeProcess&) = delete;
    ServeProcess& operator=(const ServeProcess&) = delete;

    /// Starts the server and waits (≤ 30 s) for its export line. Throws std::runtime_error with
    /// the server's stderr when it exits or stays silent (exitCode() then says how it ended).
    void start();
    /// SIGTERM and wait (≤ 30 s); returns the exit status (128+N for a signal).
    int stop();
    /// SIGKILL and wait.
    void kill9();
    /// start() again on the same data dir (after stop or kill9).
    void restart() { start(); }

    bool running() const { return pid_ > 0; }
    pid_t pid() const { return pid_; }
    const std::string& url() const { return url_; }
    const std::string& apiKey() const { return api_key_; }
    int port() const { return port_; }
    const std::string& dataDir() const { return data_dir_; }
    /// Everything the server wrote on stderr so far (all runs).
    std::string stderrText() const;
    /// The first stdout line of the last start.
    const std::string& exportLine() const { return export_line_; }
    /// How the last run ended: its exit status, 128+N for signal N; -1 while none ended.
    int exitCode() const { return exit_code_; }

private:
    int waitExit(std::chrono::milliseconds timeout);

    ServeOptions options_;
    std::string temp_dir_;
    std::string data_dir_;
    std::string stderr_path_;
    pid_t pid_ = -1;
    int stdout_fd_ = -1;
    std::string url_, api_key_, export_line_;
    int port_ = 0;
    int exit_code_ = -1;
};

} // namespace sockt::testing
