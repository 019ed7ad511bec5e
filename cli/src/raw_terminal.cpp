#include "raw_terminal.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

namespace sockt::cli {

namespace {
// One saved state for the whole process: a signal handler or atexit hook may need it.
struct termios g_saved;
volatile int g_saved_fd = -1;

void restoreAtExit() {
    restoreTerminalNow();
}
} // namespace

void restoreTerminalNow() {
    int fd = g_saved_fd;
    if (fd >= 0) {
        // TCSANOW like Go's term.Restore: TCSADRAIN would block until the terminal side has
        // read our last output (forever when nobody reads the PTY master).
        ::tcsetattr(fd, TCSANOW, &g_saved);
        g_saved_fd = -1;
    }
}

RawTerminal::RawTerminal(int fd) : fd_(fd) {
    struct termios t;
    if (::tcgetattr(fd, &t) != 0) {
        std::string reason = std::strerror(errno);
        if (!reason.empty())
            reason[0] = static_cast<char>(std::tolower(reason[0]));
        throw std::runtime_error(reason);
    }
    g_saved = t;
    g_saved_fd = fd;
    static bool hooked = false;
    if (!hooked) {
        std::atexit(restoreAtExit);
        hooked = true;
    }
    ::cfmakeraw(&t);
    // TCSANOW, not TCSAFLUSH: keystrokes typed while connecting must reach the remote shell.
    if (::tcsetattr(fd, TCSANOW, &t) != 0) {
        std::string reason = std::strerror(errno);
        g_saved_fd = -1;
        throw std::runtime_error(reason);
    }
    active_ = true;
}

RawTerminal::~RawTerminal() {
    restore();
}

void RawTerminal::restore() {
    if (!active_)
        return;
    restoreTerminalNow();
    active_ = false;
}

void terminalSize(int fd, int& cols, int& rows) {
    struct winsize ws {};
    if (::ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0) {
        cols = ws.ws_col;
        rows = ws.ws_row;
    } else {
        cols = 80;
        rows = 24;
    }
}

std::size_t incompleteUtf8Tail(const std::string& data) {
    // Look back at most 3 bytes for the lead byte of the last sequence.
    for (std::size_t back = 1; back <= 3 && back <= data.size(); ++back) {
        unsigned char c = static_cast<unsigned char>(data[data.size() - back]);
        if ((c & 0xC0) == 0x80)
            continue; // continuation byte: keep looking
        std::size_t need = (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
        return need > back ? back : 0;
    }
    return 0;
}

} // namespace sockt::cli
