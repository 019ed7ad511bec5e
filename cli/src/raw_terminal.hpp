// Raw mode for `sockt shell` (docs/protocol.md §10.13) with a guaranteed restore: the saved
// settings are put back by the destructor, and by restoreTerminalNow() from the exit paths that
// skip destructors.
#pragma once

#include <string>

namespace sockt::cli {

class RawTerminal {
public:
    /// Puts `fd` in raw mode; throws std::runtime_error with the reason (e.g. not a terminal).
    explicit RawTerminal(int fd);
    ~RawTerminal();
    RawTerminal(const RawTerminal&) = delete;
    RawTerminal& operator=(const RawTerminal&) = delete;
    void restore();

private:
    int fd_;
    bool active_ = false;
};

/// Restores the terminal saved by the live RawTerminal, if any (async-signal-safe).
void restoreTerminalNow();

/// Columns and rows of the terminal on `fd` (80×24 when unknown).
void terminalSize(int fd, int& cols, int& rows);

/// How many bytes at the end of `data` form an incomplete UTF-8 sequence (0-3).
std::size_t incompleteUtf8Tail(const std::string& data);

} // namespace sockt::cli
