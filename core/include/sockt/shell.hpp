// ShellSession: the interactive shell over WebSocket (docs/protocol.md §6).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "sockt/models.hpp"
#include "sockt/options.hpp"

namespace sockt {

namespace detail {
class ClientCore;
class ShellImpl;
}  // namespace detail

/// One WebSocket shell. A single I/O thread owns the socket (Poco TLS sockets are not safe for
/// concurrent send and receive): send/sendLine/resize enqueue from any thread; recv may be called
/// from any thread. Frame callbacks (on) run on the I/O thread: they must not block and must not
/// call recv. Copies share the session; the session closes when the last copy is destroyed.
class ShellSession {
public:
    using Listener = std::function<void(const ShellFrame&)>;

    /// Checks the sandbox is running, gets the shell URL, opens the socket (Bearer header; ticket
    /// in the URL). Errors: the SocktError of the HTTP answer (401/403/409/410/429…),
    /// ConnectionError, TimeoutError.
    void connect(const CancelToken& cancel = CancelToken::none());
    /// Close handshake (1000), waits up to 2 s for the peer's close, then drops the socket.
    /// Idempotent.
    void close();
    bool connected() const;

    void send(const std::string& text);
    void sendLine(const std::string& text);
    void resize(int cols, int rows);

    /// The next frame (every type, in arrival order). TimeoutError when none arrives in `timeout`;
    /// nullopt once the session has ended and every frame was consumed.
    std::optional<ShellFrame> recv(Duration timeout = std::chrono::seconds(30),
                                   const CancelToken& cancel = CancelToken::none());

    /// `type` is a frame type ("stdout", "exit", …) or "*" for every frame. Listeners run on the
    /// session's I/O thread, one at a time.
    std::uint64_t on(const std::string& type, Listener listener);
    /// Removes a listener; false if it was not registered. When it returns, the listener is not
    /// running and is never called again: a call under way is waited for, except when off() is
    /// called from inside a listener (so a listener must not wait for a thread that calls off()).
    bool off(const std::string& type, std::uint64_t listener_id);

    /// The exit code from the `exit` frame, once received.
    std::optional<int> exitCode() const;
    /// WebSocket close status received from the server (0 if none yet).
    int closeCode() const;

    std::string describe() const;

private:
    friend class Sandbox;
    ShellSession(std::shared_ptr<detail::ClientCore> core, std::string sandbox_id);
    std::shared_ptr<detail::ShellImpl> impl_;
};

}  // namespace sockt
