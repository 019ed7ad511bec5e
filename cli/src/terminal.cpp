#include "terminal.hpp"

#include <cstdio>
#include <unistd.h>

namespace sockt::cli {

bool stderrIsTerminal() {
    return ::isatty(STDERR_FILENO) == 1;
}
bool stdinIsTerminal() {
    return ::isatty(STDIN_FILENO) == 1;
}

LiveLine::LiveLine() : start_(std::chrono::steady_clock::now()) {}

void LiveLine::update(const std::string& text) {
    std::fputs(("\r\033[K" + text).c_str(), stderr);
    std::fflush(stderr);
    dirty_ = true;
}

void LiveLine::finish(const std::string& text) {
    std::fputs(("\r\033[K" + text + "\n").c_str(), stderr);
    std::fflush(stderr);
    dirty_ = false;
}

void LiveLine::clear() {
    if (!dirty_)
        return;
    std::fputs("\r\033[K", stderr);
    std::fflush(stderr);
    dirty_ = false;
}

double LiveLine::elapsedSeconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

std::string humanBytes(std::uint64_t n) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = static_cast<double>(n);
    int u = 0;
    while (v >= 1024 && u < 4) {
        v /= 1024;
        ++u;
    }
    char buf[32];
    if (u == 0)
        std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(n));
    else
        std::snprintf(buf, sizeof buf, "%.1f %s", v, units[u]);
    return buf;
}

std::string progressText(const std::string& label, std::uint64_t done, std::uint64_t total) {
    const int width = 30;
    double frac = total ? static_cast<double>(done) / static_cast<double>(total) : 1.0;
    if (frac > 1)
        frac = 1;
    int filled = static_cast<int>(frac * width);
    std::string bar = "[" + std::string(filled, '#') + std::string(width - filled, '.') + "]";
    char pct[16];
    std::snprintf(pct, sizeof pct, "%3d%%", static_cast<int>(frac * 100));
    return label + " " + bar + " " + pct + "  " + humanBytes(done) + " / " + humanBytes(total);
}

} // namespace sockt::cli
