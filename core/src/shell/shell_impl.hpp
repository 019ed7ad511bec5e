// INTERNAL: the state behind ShellSession (docs/protocol.md §6). One I/O thread owns the socket:
// it writes queued frames, reads messages (ws_message.hpp reassembles them), answers pings, runs
// listeners and queues frames for recv(). Every other thread only touches the queues under mutex_.
#pragma once

#include "async/fiber.hpp"
#include "client_core.hpp"
#include "sockt/shell.hpp"
#include "wire/ws_frame.hpp"
#include "wire/ws_message.hpp"

#include <Poco/Net/StreamSocket.h>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace sockt::detail {

class ShellImpl {
public:
    static constexpr std::size_t kMaxMessageBytes = 16 * 1024 * 1024;
    static constexpr std::size_t kMaxQueuedBytes = 64 * 1024 * 1024;

    ShellImpl(std::shared_ptr<ClientCore> core, std::shared_ptr<SandboxState> state);
    ~ShellImpl();
    ShellImpl(const ShellImpl&) = delete;
    ShellImpl& operator=(const ShellImpl&) = delete;

    void connect(const CancelToken& cancel);
    void close();
    bool connected() const;

    void sendInput(const std::string& text);
    void resize(int cols, int rows);
    std::optional<ShellFrame> recv(Duration timeout, const CancelToken& cancel);

    std::uint64_t on(const std::string& type, ShellSession::Listener listener);
    bool off(const std::string& type, std::uint64_t id);

    std::optional<int> exitCode() const;
    int closeCode() const;
    std::string describe() const;

    const std::string& sandboxId() const { return state_->id; }
    void setState(std::shared_ptr<SandboxState> state) { state_ = std::move(state); }

private:
    void sendFrame(std::uint8_t opcode, const std::string& payload, bool urgent = false);
    void sendJson(const Json& frame);
    std::string fetchShellUrl(const std::optional<Credential>& credential,
                              const CancelToken& cancel);
    void dial(const std::string& url, const std::optional<Credential>& credential,
              const CancelToken& cancel);
    void ioLoop();
    bool flushOutgoing();
    /// Returns false when the session must end.
    bool handleMessage(ws::Message message);
    void deliver(ShellFrame frame);
    void finish(int close_code);
    void wake();

    std::shared_ptr<ClientCore> core_;
    std::shared_ptr<SandboxState> state_;

    mutable std::mutex mutex_;
    // Signals a new frame or the end of the session. A Notifier rather than a condition variable
    // so that recv() and close() can also wait on a fiber (sockt::runAsync).
    fiber::Notifier changed_;
    std::deque<std::string> outgoing_; // encoded frames
    std::deque<ShellFrame> incoming_;
    std::size_t incoming_bytes_ = 0;
    std::map<std::string, std::vector<std::pair<std::uint64_t, ShellSession::Listener>>> listeners_;
    std::uint64_t next_listener_id_ = 1;
    // The listener the I/O thread is calling (0: none); off() waits on listener_done_ until it is
    // not the one being removed.
    std::uint64_t calling_listener_ = 0;
    std::condition_variable listener_done_;
    std::optional<int> exit_code_;
    int close_code_ = 0;
    bool started_ = false;
    bool ended_ = false;
    bool close_sent_ = false;
    bool close_received_ = false;
    Clock::time_point close_deadline_{};

    Poco::Net::StreamSocket socket_;
    std::string initial_bytes_; // read together with the 101 answer
    int wake_fd_ = -1;
    std::thread io_thread_;
    std::thread::id io_thread_id_;
};

} // namespace sockt::detail
