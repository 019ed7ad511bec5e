// `sockt shell` (docs/protocol.md §10.13): an interactive terminal on a ShellSession.
#include "api.hpp"
#include "app.hpp"
#include "raw_terminal.hpp"
#include "sockt/errors.hpp"
#include "sockt/sandbox.hpp"
#include "sockt/shell.hpp"

#include <atomic>
#include <cstdio>
#include <iostream>
#include <poll.h>
#include <signal.h>
#include <thread>
#include <unistd.h>

namespace sockt::cli {

namespace {

// Signals reach the session through a self-pipe: 'w' = window changed, 'q' = close.
int g_signal_pipe[2] = {-1, -1};

void onSignal(int sig) {
    char c = sig == SIGWINCH ? 'w' : 'q';
    int saved = errno;
    if (g_signal_pipe[1] >= 0)
        (void)!::write(g_signal_pipe[1], &c, 1);
    errno = saved;
}

void writeAll(int fd, const std::string& data) {
    std::size_t off = 0;
    while (off < data.size()) {
        ssize_t n = ::write(fd, data.data() + off, data.size() - off);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        off += static_cast<std::size_t>(n);
    }
}

std::string connectError(const SocktError& e) {
    const std::string& m = e.message();
    if (e.kind() == ErrorKind::Connection || e.kind() == ErrorKind::Timeout ||
        m.rfind("websocket:", 0) == 0)
        return "connect: " + m;
    if (m.rfind("parse response:", 0) == 0)
        return m;
    if (e.statusCode() > 0 && !e.body().empty())
        return "API error (" + std::to_string(e.statusCode()) + "): " + e.body();
    return m;
}

struct SignalScope {
    struct sigaction old_int {
    }, old_term{}, old_hup{}, old_winch{};
    SignalScope() {
        if (::pipe(g_signal_pipe) != 0)
            throw CliError("pipe: " + std::string(strerror(errno)));
        struct sigaction sa {};
        sa.sa_handler = onSignal;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESTART;
        ::sigaction(SIGINT, &sa, &old_int);
        ::sigaction(SIGTERM, &sa, &old_term);
        ::sigaction(SIGHUP, &sa, &old_hup);
        ::sigaction(SIGWINCH, &sa, &old_winch);
    }
    ~SignalScope() {
        ::sigaction(SIGINT, &old_int, nullptr);
        ::sigaction(SIGTERM, &old_term, nullptr);
        ::sigaction(SIGHUP, &old_hup, nullptr);
        ::sigaction(SIGWINCH, &old_winch, nullptr);
        ::close(g_signal_pipe[0]);
        ::close(g_signal_pipe[1]);
        g_signal_pipe[0] = g_signal_pipe[1] = -1;
    }
};

int runShell(Invocation& inv) {
    Api api(inv);
    const std::string& id = inv.args[0];
    api.precheck(id);
    Sandbox sandbox = api.client().sandbox(id);
    ShellSession session = sandbox.shell();
    try {
        session.connect();
    } catch (const SocktError& e) {
        throw CliError(connectError(e));
    }

    SignalScope signals;
    std::optional<RawTerminal> raw;
    try {
        raw.emplace(STDIN_FILENO);
    } catch (const std::runtime_error& e) {
        session.close();
        throw CliError(std::string("terminal raw mode: ") + e.what());
    }
    int cols = 80, rows = 24;
    terminalSize(STDIN_FILENO, cols, rows);
    session.resize(cols, rows);

    // Keystrokes and signals: one thread multiplexes stdin and the signal pipe.
    std::atomic<bool> done{false};
    std::thread input([&] {
        std::string pending;
        char buf[4096];
        bool stdin_open = true;
        while (!done.load()) {
            struct pollfd fds[2];
            nfds_t nf = 0;
            fds[nf++] = {g_signal_pipe[0], POLLIN, 0};
            if (stdin_open)
                fds[nf++] = {STDIN_FILENO, POLLIN, 0};
            int n = ::poll(fds, nf, 100);
            if (n <= 0)
                continue;
            if (fds[0].revents & POLLIN) {
                char c;
                if (::read(g_signal_pipe[0], &c, 1) == 1) {
                    if (c == 'w') {
                        terminalSize(STDIN_FILENO, cols, rows);
                        session.resize(cols, rows);
                    } else {
                        session.close();
                        return;
                    }
                }
            }
            if (nf > 1 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
                ssize_t r = ::read(STDIN_FILENO, buf, sizeof buf);
                if (r <= 0) {
                    if (r < 0 && errno == EINTR)
                        continue;
                    stdin_open = false;
                    continue;
                }
                pending.append(buf, static_cast<std::size_t>(r));
                // Never split a UTF-8 character across input frames.
                std::size_t tail = incompleteUtf8Tail(pending);
                std::string now = pending.substr(0, pending.size() - tail);
                pending.erase(0, pending.size() - tail);
                if (!now.empty())
                    session.send(now);
            }
        }
    });

    int exit_code = 0;
    try {
        for (;;) {
            std::optional<ShellFrame> frame;
            try {
                frame = session.recv(std::chrono::hours(24 * 365));
            } catch (const TimeoutError&) {
                continue;
            }
            if (!frame)
                break;
            const bool well_formed = frame->raw.is_object() && frame->raw.contains("data") &&
                                     frame->raw["data"].is_string();
            if (!well_formed) {
                writeAll(STDOUT_FILENO, frame->data);
                continue;
            }
            const std::string& t = frame->type;
            if (t == "stdout" || t == "stderr")
                writeAll(STDOUT_FILENO, frame->data);
            else if (t == "error")
                writeAll(STDERR_FILENO, "\r\nShell error: " + frame->data + "\r\n");
            else if (t == "low_balance")
                writeAll(STDERR_FILENO, "\r\n[warning] Low balance\r\n");
            else if (t == "deposit_required")
                writeAll(STDERR_FILENO, "\r\n[warning] Deposit required\r\n");
            else if (t == "exit" && frame->code)
                exit_code = *frame->code;
        }
    } catch (const SocktError& e) {
        done = true;
        input.join();
        session.close();
        raw->restore();
        throw CliError(e.message());
    }
    done = true;
    input.join();
    session.close();
    writeAll(STDERR_FILENO, "\r\nConnection closed.\r\n");
    raw->restore();
    if (jsonMode(inv)) {
        nlohmann::ordered_json r;
        r["sandbox_id"] = id;
        r["exit_code"] = session.exitCode() ? nlohmann::ordered_json(*session.exitCode())
                                            : nlohmann::ordered_json(nullptr);
        r["close_code"] = session.closeCode();
        *inv.out << r.dump() << "\n";
    }
    (void)exit_code; // official behaviour: exit 0 even after a non-zero `exit` frame
    return 0;
}

} // namespace

std::unique_ptr<Command> makeShellCommand() {
    auto c = std::make_unique<Command>(
        "shell [sandbox-id]", "Open an interactive shell to a sandbox",
        "Connect to the sandbox via WebSocket for a live terminal session.");
    c->args = ArgsRule::exact(1);
    c->example = "  sockt shell $ID\n"
                 "  # Ctrl-C goes to the remote program; Ctrl-D or `exit` ends the session";
    c->run = runShell;
    return c;
}

} // namespace sockt::cli
