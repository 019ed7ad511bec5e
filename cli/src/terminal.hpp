// Terminal helpers: is a stream a terminal, a live status line and a progress bar on stderr
// (docs/protocol.md §10.6, §10.11: shown only on a terminal; off it the official text is printed).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace sockt::cli {

bool stderrIsTerminal();
bool stdinIsTerminal();

/// One line on stderr rewritten in place ("\r" + erase line). Only used on a terminal.
class LiveLine {
public:
    LiveLine();
    void update(const std::string& text);
    /// Replaces the line with `text` and ends it with a newline.
    void finish(const std::string& text);
    /// Erases the line (before an error message is printed).
    void clear();
    double elapsedSeconds() const;

private:
    std::chrono::steady_clock::time_point start_;
    bool dirty_ = false;
};

/// `label [#####.....]  45%  12.0 MiB / 26.5 MiB` on a live line.
std::string progressText(const std::string& label, std::uint64_t done, std::uint64_t total);
/// 1536 → "1.5 KiB".
std::string humanBytes(std::uint64_t n);

} // namespace sockt::cli
