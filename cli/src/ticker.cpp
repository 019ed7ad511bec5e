#include "ticker.hpp"

namespace sockt::cli {

Ticker::Ticker(LiveLine& line, std::function<std::string(double)> render)
    : line_(line), render_(std::move(render)) {
    thread_ = std::thread([this] {
        std::unique_lock<std::mutex> lock(mutex_);
        while (!stop_) {
            // An empty text means "nothing to show yet" (quick transfers never draw a line).
            std::string text = render_(line_.elapsedSeconds());
            if (!text.empty())
                line_.update(text);
            cv_.wait_for(lock, std::chrono::milliseconds(200));
        }
    });
}

Ticker::~Ticker() {
    stop();
}

void Ticker::stop() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable())
        thread_.join();
}

} // namespace sockt::cli
