// Waiting in tests: for an observable condition, with a deadline, never for a fixed time.
#pragma once

#include <chrono>
#include <thread>

namespace sockt::testing {

/// Polls `pred` every 10 ms until it holds (true) or `timeout` passes (false, after one last
/// look). Assert on the result: EXPECT_TRUE(eventually([&] { return …; })).
template <typename Pred>
bool eventually(Pred pred, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (pred())
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return pred();
}

/// The value `read` settles on: polled every `step` until two reads in a row agree (or
/// `timeout` passes, then the last read). For "what is there once the writer stopped" (a paused
/// sandbox's file), where no event says the last write landed.
template <typename Read>
auto settled(Read read, std::chrono::milliseconds step = std::chrono::milliseconds(100),
             std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    auto last = read();
    while (std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(step);
        auto now = read();
        if (now == last)
            return now;
        last = now;
    }
    return last;
}

} // namespace sockt::testing
