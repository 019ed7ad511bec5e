#include "shell/shell_connection.hpp"

#include "common/utf8.hpp"
#include "runtime/sandbox_runtime.hpp"
#include "shell/client_message.hpp"

#include <Poco/Net/NetException.h>
#include <Poco/Net/WebSocketImpl.h>
#include <cerrno>
#include <poll.h>
#include <sys/eventfd.h>
#include <thread>
#include <unistd.h>

namespace sockt::server {

namespace {

using Clock = std::chrono::steady_clock;
using Poco::Net::WebSocket;

long long nowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch())
        .count();
}

constexpr long long kCloseWaitMs = 2000;
// §6.4 / §4.1: after the shell exits, drain what is still in the PTY: until 50 ms without data,
// at most 500 ms.
constexpr int kDrainQuietMs = 50;
constexpr long long kDrainMaxMs = 500;

// The client's frames are parsed by the core's ws::FrameParser from the raw bytes, because
// Poco's receiveFrame() hides whether a frame was masked and passes RSV bits and reserved opcodes
// on (RFC 6455 §5.1-§5.2 want 1002 for all three). WebSocketImpl::receiveSomeBytes() is the
// reader that also hands out the bytes Poco read together with the upgrade request; it is
// protected, and a member pointer named through a derived class is the legal way to call it.
struct RawWebSocketReader : Poco::Net::WebSocketImpl {
    static int receive(Poco::Net::WebSocket& socket, char* buffer, int length) {
        auto* impl = dynamic_cast<Poco::Net::WebSocketImpl*>(socket.impl());
        if (impl == nullptr)
            throw Poco::Net::WebSocketException("not a WebSocket");
        return (impl->*&RawWebSocketReader::receiveSomeBytes)(buffer, length);
    }
};

} // namespace

ShellConnection::ShellConnection(WebSocket socket, std::shared_ptr<PtyProcess> pty,
                                 Settings settings)
    : socket_(std::move(socket)), pty_(std::move(pty)), settings_(settings) {
    stop_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    socket_.setMaxPayloadSize(static_cast<int>(settings_.max_frame_bytes));
    // A client that stops reading must not hold the sending threads forever.
    socket_.setSendTimeout(Poco::Timespan(10, 0));
    socket_.setReceiveTimeout(Poco::Timespan(30, 0));
}

ShellConnection::~ShellConnection() {
    if (stop_fd_ >= 0)
        ::close(stop_fd_);
}

bool ShellConnection::sendText(const std::string& text) {
    std::lock_guard<std::mutex> lock(send_mutex_);
    if (close_sent_)
        return false;
    try {
        socket_.sendFrame(text.data(), static_cast<int>(text.size()), WebSocket::FRAME_TEXT);
        return true;
    } catch (const Poco::Exception&) {
        ending_ = true;
        return false;
    }
}

bool ShellConnection::sendFrame(const OJson& frame) {
    if (ending_)
        return false;
    return sendText(frame.dump(-1, ' ', false, OJson::error_handler_t::replace));
}

void ShellConnection::sendClose(int code, const std::string& reason) {
    std::lock_guard<std::mutex> lock(send_mutex_);
    if (close_sent_)
        return;
    close_sent_ = true;
    close_deadline_ms_ = nowMs() + kCloseWaitMs;
    ending_ = true;
    std::string payload = ws::closePayload(code, reason);
    try {
        socket_.sendFrame(payload.data(), static_cast<int>(payload.size()),
                          WebSocket::FRAME_FLAG_FIN | WebSocket::FRAME_OP_CLOSE);
    } catch (const Poco::Exception&) {
    }
}

void ShellConnection::terminate(int code, const std::string& reason) {
    if (!reason.empty()) {
        OJson f;
        f["type"] = "error";
        f["data"] = reason;
        sendFrame(f);
    }
    sendClose(code, "");
    wakeReader();
}

void ShellConnection::wakeReader() {
    stop_reader_ = true;
    if (stop_fd_ >= 0) {
        std::uint64_t one = 1;
        (void)!::write(stop_fd_, &one, sizeof one);
    }
}

void ShellConnection::writeInput(const std::string& bytes) {
    const int fd = pty_->masterFd();
    std::size_t off = 0;
    while (off < bytes.size() && !ending_) {
        struct pollfd p = {fd, POLLOUT, 0};
        int r = ::poll(&p, 1, 100);
        if (r <= 0)
            continue; // a frozen shell fills the PTY: wait, but stay responsive
        ssize_t n = ::write(fd, bytes.data() + off, bytes.size() - off);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            return; // the shell is gone; the reader reports the exit
        }
        off += static_cast<std::size_t>(n);
    }
}

bool ShellConnection::handleMessage(ws::Message message) {
    switch (message.kind) {
    case ws::Message::Kind::Close: {
        // Echo the client's code (§5.5.1); a close frame without one is answered with 1000.
        sendClose(message.close_code == 1005 ? 1000 : message.close_code, "");
        return false;
    }
    case ws::Message::Kind::Ping: {
        std::lock_guard<std::mutex> lock(send_mutex_);
        if (!close_sent_)
            socket_.sendFrame(message.payload.data(), static_cast<int>(message.payload.size()),
                              WebSocket::FRAME_FLAG_FIN | WebSocket::FRAME_OP_PONG);
        return true;
    }
    case ws::Message::Kind::Pong:
        return true;
    case ws::Message::Kind::Data:
        break;
    }
    if (ending_)
        return true; // closing: data frames no longer matter
    // §6.2: JSON text frames `input` / `resize`; binary frames are raw input; the rest is ignored.
    ClientMessage m =
        decodeClientMessage(message.opcode == ws::kBinary, std::move(message.payload));
    if (m.kind == ClientMessage::Kind::Input)
        writeInput(m.input);
    else if (m.kind == ClientMessage::Kind::Resize)
        pty_->resize(m.cols, m.rows);
    return true;
}

void ShellConnection::readerLoop() {
    Utf8Decoder decoder;
    const int master = pty_->masterFd();
    const int exited_fd = pty_->exitEventFd();
    std::string buf(64 * 1024, '\0');
    bool exited = false;
    long long drain_until = 0;
    auto emit = [&](const std::string& text) {
        if (text.empty())
            return;
        OJson f;
        f["type"] = "stdout";
        f["data"] = text;
        sendFrame(f);
    };
    while (!stop_reader_) {
        struct pollfd fds[3] = {{master, POLLIN, 0}, {stop_fd_, POLLIN, 0}, {exited_fd, POLLIN, 0}};
        int timeout = -1;
        if (exited) {
            long long left = drain_until - nowMs();
            if (left <= 0)
                break;
            timeout = static_cast<int>(std::min<long long>(left, kDrainQuietMs));
        }
        int n = ::poll(fds, exited ? 2 : 3, timeout);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (fds[1].revents & POLLIN)
            return; // terminated from outside: no exit frame
        if (!exited && (fds[2].revents & POLLIN)) {
            exited = true;
            drain_until = nowMs() + kDrainMaxMs;
        }
        if (n == 0 && exited)
            break; // quiet for 50 ms after the exit
        if (fds[0].revents & POLLIN) {
            ssize_t r = ::read(master, buf.data(), buf.size());
            if (r > 0) {
                emit(decoder.feed(std::string_view(buf.data(), static_cast<std::size_t>(r))));
                continue;
            }
            if (r < 0 && (errno == EINTR || errno == EAGAIN))
                continue;
            // EIO: every slave descriptor is closed, i.e. the shell (and its children) ended.
            if (!exited) {
                exited = true;
                drain_until = nowMs();
            }
            break;
        }
        if (fds[0].revents & (POLLHUP | POLLERR)) {
            if (!exited) {
                exited = true;
                drain_until = nowMs();
            }
            break;
        }
    }
    if (stop_reader_)
        return;
    emit(decoder.finish());
    // The exit status: the shell may outlive the PTY's hangup for a moment.
    std::optional<int> status;
    while (!stop_reader_ && !(status = pty_->exitStatus()))
        pty_->wait(std::chrono::milliseconds(100));
    if (stop_reader_)
        return;
    OJson f;
    f["type"] = "exit";
    f["data"] = "";
    f["code"] = *status;
    sendFrame(f);
    sendClose(1000, "");
}

void ShellConnection::run(const std::optional<OJson>& first_frame) {
    if (first_frame)
        sendFrame(*first_frame);
    std::thread reader([this] { readerLoop(); });

    long long last_ping = nowMs();
    ws::FrameParser parser(ws::Sender::Client, settings_.max_frame_bytes);
    ws::MessageAssembler assembler(settings_.max_frame_bytes);
    std::vector<char> buffer(64 * 1024);
    // After a protocol violation was answered (RFC 6455 §7.1.7) the client's bytes are read and
    // dropped until it closes or the close wait ends: unread bytes at close would turn our FIN
    // into a reset that can destroy the close frame before the client reads it.
    bool failed = false;
    try {
        while (true) {
            if (ending_) {
                long long deadline = close_deadline_ms_;
                if (deadline == 0 || nowMs() >= deadline)
                    break;
            }
            if (!ending_ && nowMs() - last_ping >= settings_.ping_interval.count()) {
                std::lock_guard<std::mutex> lock(send_mutex_);
                if (!close_sent_)
                    socket_.sendFrame("", 0, WebSocket::FRAME_FLAG_FIN | WebSocket::FRAME_OP_PING);
                last_ping = nowMs();
            }
            if (!failed) {
                try {
                    if (auto frame = parser.next()) {
                        auto message = assembler.take(std::move(*frame));
                        if (message && !handleMessage(std::move(*message)))
                            break;
                        continue;
                    }
                } catch (const ws::ProtocolViolation& violation) {
                    sendClose(violation.close_code, violation.reason);
                    failed = true;
                    continue;
                }
            }
            // available() also counts bytes Poco read together with the upgrade request.
            if (socket_.available() <= 0 &&
                !socket_.poll(Poco::Timespan(0, 200 * 1000), Poco::Net::Socket::SELECT_READ))
                continue;
            int n = RawWebSocketReader::receive(socket_, buffer.data(),
                                                static_cast<int>(buffer.size()));
            if (n <= 0)
                break; // the client dropped the connection
            if (!failed)
                parser.feed(buffer.data(), static_cast<std::size_t>(n));
        }
    } catch (const Poco::Exception&) {
        // Transport failure: the client is gone.
    }
    ending_ = true;
    wakeReader();
    reader.join();
    // §6.4: client gone (or session closed from our side) → SIGHUP the shell, SIGKILL 2 s later.
    if (!pty_->exitStatus())
        pty_->hangup();
    try {
        socket_.shutdown();
    } catch (const Poco::Exception&) {
    }
    try {
        socket_.close();
    } catch (const Poco::Exception&) {
    }
}

} // namespace sockt::server
