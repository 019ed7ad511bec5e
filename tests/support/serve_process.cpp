#include "serve_process.hpp"

#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <poll.h>
#include <signal.h>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace sockt::testing {

std::string serveBinary() {
    if (const char* env = std::getenv("SOCKT_SERVE_BIN"))
        return env;
#ifdef SOCKT_SERVE_BINARY
    return SOCKT_SERVE_BINARY;
#else
    return "sockt";
#endif
}

ServeProcess::ServeProcess(ServeOptions options) : options_(std::move(options)) {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "sockt-serve-test-XXXXXX").string();
    if (!::mkdtemp(tmpl.data()))
        throw std::runtime_error("mkdtemp failed");
    temp_dir_ = tmpl;
    data_dir_ = options_.data_dir.empty() ? temp_dir_ + "/data" : options_.data_dir;
    stderr_path_ = temp_dir_ + "/stderr.log";
}

ServeProcess::~ServeProcess() {
    if (pid_ > 0)
        kill9();
    std::error_code ec;
    std::filesystem::remove_all(temp_dir_, ec);
}

std::string ServeProcess::stderrText() const {
    std::ifstream in(stderr_path_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void ServeProcess::start() {
    if (pid_ > 0)
        throw std::runtime_error("server already running");
    std::vector<std::string> argv = {serveBinary(), "serve",     "--port",
                                     std::to_string(options_.port), "--data-dir", data_dir_};
    auto has = [&](const std::string& flag) {
        for (const auto& a : options_.args)
            if (a == flag)
                return true;
        return false;
    };
    if (options_.test_defaults) {
        if (!has("--rate-limit"))
            argv.insert(argv.end(), {"--rate-limit", "0"});
        if (!has("--boot-delay-ms"))
            argv.insert(argv.end(), {"--boot-delay-ms", "50"});
    }
    argv.insert(argv.end(), options_.args.begin(), options_.args.end());

    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0)
        throw std::runtime_error("pipe failed");
    const int err_fd =
        ::open(stderr_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    pid_t pid = ::fork();
    if (pid < 0)
        throw std::runtime_error("fork failed");
    if (pid == 0) {
        ::dup2(out[1], 1);
        ::dup2(err_fd, 2);
        ::setpgid(0, 0);
        for (const auto& [k, v] : options_.env)
            ::setenv(k.c_str(), v.c_str(), 1);
        std::vector<char*> cargv;
        for (auto& a : argv)
            cargv.push_back(a.data());
        cargv.push_back(nullptr);
        ::execv(cargv[0], cargv.data());
        ::_exit(127);
    }
    ::close(out[1]);
    ::close(err_fd);
    pid_ = pid;
    stdout_fd_ = out[0];

    std::string line;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (line.find('\n') == std::string::npos) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                              deadline - std::chrono::steady_clock::now())
                              .count();
        struct pollfd p {
            stdout_fd_, POLLIN, 0
        };
        if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0) {
            kill9();
            throw std::runtime_error("sockt serve printed no export line; stderr:\n" +
                                     stderrText());
        }
        char buf[512];
        const auto n = ::read(stdout_fd_, buf, sizeof buf);
        if (n <= 0) {
            const int code = waitExit(std::chrono::milliseconds(5000));
            throw std::runtime_error("sockt serve exited (" + std::to_string(code) +
                                     ") before its export line; stderr:\n" + stderrText());
        }
        line.append(buf, static_cast<std::size_t>(n));
    }
    export_line_ = line.substr(0, line.find('\n'));
    // export SOCKT_API_URL=http://127.0.0.1:PORT SOCKT_API_KEY=KEY
    const std::string url_tag = "SOCKT_API_URL=", key_tag = " SOCKT_API_KEY=";
    const auto u = export_line_.find(url_tag);
    const auto k = export_line_.find(key_tag);
    if (export_line_.rfind("export ", 0) != 0 || u == std::string::npos || k == std::string::npos)
        throw std::runtime_error("unexpected export line: " + export_line_);
    url_ = export_line_.substr(u + url_tag.size(), k - u - url_tag.size());
    api_key_ = export_line_.substr(k + key_tag.size());
    port_ = std::stoi(url_.substr(url_.rfind(':') + 1));
}

int ServeProcess::waitExit(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    for (;;) {
        const pid_t r = ::waitpid(pid_, &status, WNOHANG);
        if (r == pid_)
            break;
        if (r < 0) {
            status = 0;
            break;
        }
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, &status, 0);
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    pid_ = -1;
    exit_code_ = WIFEXITED(status)     ? WEXITSTATUS(status)
                 : WIFSIGNALED(status) ? 128 + WTERMSIG(status)
                                       : -1;
    if (stdout_fd_ >= 0)
        ::close(stdout_fd_);
    stdout_fd_ = -1;
    return exit_code_;
}

int ServeProcess::stop() {
    if (pid_ <= 0)
        return -1;
    ::kill(pid_, SIGTERM);
    return waitExit(std::chrono::seconds(30));
}

void ServeProcess::kill9() {
    if (pid_ <= 0)
        return;
    ::kill(pid_, SIGKILL);
    waitExit(std::chrono::seconds(30));
}

} // namespace sockt::testing
