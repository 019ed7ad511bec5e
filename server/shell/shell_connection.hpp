// One shell WebSocket bridged to one PTY (docs/protocol.md §6.2-§6.4). The calling server thread
// reads client frames; a reader thread turns PTY output into `stdout` frames and reports the exit.
// Sends from any thread go through one mutex.
#pragma once

#include "common/api_error.hpp"
#include "wire/ws_message.hpp"

#include <Poco/Net/WebSocket.h>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace sockt::server {

namespace ws = sockt::detail::ws;
class PtyProcess;

class ShellConnection {
public:
    struct Settings {
        std::chrono::milliseconds ping_interval{30'000};
        std::size_t max_frame_bytes = 1 << 20;
    };

    ShellConnection(Poco::Net::WebSocket socket, std::shared_ptr<PtyProcess> pty,
                    Settings settings);
    ~ShellConnection();
    ShellConnection(const ShellConnection&) = delete;
    ShellConnection& operator=(const ShellConnection&) = delete;

    /// Runs the session to its end on the calling thread; `first_frame` is sent before anything.
    void run(const std::optional<OJson>& first_frame);

    /// Thread-safe; false when the frame could not be sent (session ending or socket broken).
    bool sendFrame(const OJson& frame);
    /// `{"type":"error","data":reason}` (when reason is non-empty), then close with `code`; the
    /// session ends (and its shell is hung up) once the client answers or 2 s pass.
    void terminate(int code, const std::string& reason);

private:
    bool sendText(const std::string& text);
    void sendClose(int code, const std::string& reason);
    void readerLoop();
    /// Returns false when the session ends (the client's close frame was answered).
    bool handleMessage(ws::Message message);
    void writeInput(const std::string& bytes);
    void wakeReader();

    Poco::Net::WebSocket socket_;
    std::shared_ptr<PtyProcess> pty_;
    Settings settings_;
    std::mutex send_mutex_;
    bool close_sent_ = false;         // guarded by send_mutex_
    std::atomic<bool> ending_{false}; // no more frames but the close handshake
    std::atomic<long long> close_deadline_ms_{0};
    std::atomic<bool> stop_reader_{false};
    int stop_fd_ = -1;
};

} // namespace sockt::server
