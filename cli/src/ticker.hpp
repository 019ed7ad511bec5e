// Redraws a LiveLine from a helper thread while a blocking call runs (elapsed time on a
// terminal during --wait polls and large file transfers).
#pragma once

#include "terminal.hpp"

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace sockt::cli {

class Ticker {
public:
    /// `render(elapsed_seconds)` produces the line; called every 200 ms until stop().
    Ticker(LiveLine& line, std::function<std::string(double)> render);
    ~Ticker();
    void stop();

private:
    LiveLine& line_;
    std::function<std::string(double)> render_;
    std::mutex mutex_;
    std::condition_variable cv_;
    bool stop_ = false;
    std::thread thread_;
};

} // namespace sockt::cli
