// ShellImpl: sending, receiving, listeners and the I/O thread (docs/protocol.md §6.2-§6.4); the
// connection itself is in shell_connect.cpp.
#include "shell/shell_impl.hpp"

#include <Poco/Exception.h>
#include <algorithm>
#include <cerrno>
#include <poll.h>
#include <unistd.h>

namespace sockt::detail {

namespace {

constexpr auto kCloseWait = std::chrono::seconds(2);

} // namespace

ShellImpl::ShellImpl(std::shared_ptr<ClientCore> core, std::shared_ptr<SandboxState> state)
    : core_(std::move(core)), state_(std::move(state)) {}

ShellImpl::~ShellImpl() {
    close();
    if (io_thread_.joinable()) {
        // The last copy may be dropped from a listener, i.e. on the I/O thread itself.
        if (std::this_thread::get_id() == io_thread_id_)
            io_thread_.detach();
        else
            io_thread_.join();
    }
    if (wake_fd_ >= 0)
        ::close(wake_fd_);
}

std::string ShellImpl::describe() const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::string s = "ShellSession(sandbox_id=" + state_->id + ", state=";
    s += !started_ ? "new" : ended_ ? "closed" : "open";
    if (exit_code_)
        s += ", exit_code=" + std::to_string(*exit_code_);
    return s + ")";
}

bool ShellImpl::connected() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return started_ && !ended_ && !close_sent_;
}

std::optional<int> ShellImpl::exitCode() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return exit_code_;
}

int ShellImpl::closeCode() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return close_code_;
}

// ---- sending (any thread) ------------------------------------------------------------------

void ShellImpl::wake() {
    if (wake_fd_ < 0)
        return;
    std::uint64_t one = 1;
    (void)!::write(wake_fd_, &one, sizeof one);
}

void ShellImpl::sendFrame(std::uint8_t opcode, const std::string& payload, bool urgent) {
    std::string encoded = ws::encodeClientFrame(opcode, payload);
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!started_)
            throw ConnectionError({"the shell is not connected; call connect() first", "", 0});
        if (ended_ || close_sent_)
            throw ConnectionError({"the shell session has ended", "", 0});
        if (urgent)
            outgoing_.push_front(std::move(encoded));
        else
            outgoing_.push_back(std::move(encoded));
    }
    wake();
}

void ShellImpl::sendJson(const Json& frame) {
    sendFrame(ws::kText, frame.dump(-1, ' ', false, Json::error_handler_t::replace));
}

void ShellImpl::sendInput(const std::string& text) {
    if (text.empty())
        return;
    sendJson(Json{{"type", "input"}, {"data", text}});
}

void ShellImpl::resize(int cols, int rows) {
    if (cols <= 0 || rows <= 0)
        throw InvalidArgumentError({"resize needs positive cols and rows (got " +
                                        std::to_string(cols) + "x" + std::to_string(rows) + ")",
                                    "", 0});
    sendJson(Json{{"type", "resize"}, {"cols", cols}, {"rows", rows}});
}

void ShellImpl::close() {
    bool wait = false;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!started_ || ended_)
            return;
        if (!close_sent_) {
            outgoing_.push_back(ws::encodeClientFrame(ws::kClose, ws::closePayload(1000)));
            close_sent_ = true;
            close_deadline_ = Clock::now() + kCloseWait;
        }
        wait = std::this_thread::get_id() != io_thread_id_;
    }
    wake();
    if (!wait)
        return;
    const auto until = Clock::now() + kCloseWait + std::chrono::milliseconds(500);
    while (Clock::now() < until) {
        std::uint64_t seen;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (ended_)
                return;
            seen = changed_.generation();
        }
        changed_.wait(seen, until, CancelToken::none());
    }
}

// ---- receiving (any thread) ----------------------------------------------------------------

std::optional<ShellFrame> ShellImpl::recv(Duration timeout, const CancelToken& cancel) {
    const auto deadline = Clock::now() + timeout;
    while (true) {
        std::uint64_t seen;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (!started_)
                throw ConnectionError({"the shell is not connected; call connect() first", "", 0});
            if (!incoming_.empty()) {
                ShellFrame f = std::move(incoming_.front());
                incoming_.pop_front();
                incoming_bytes_ -= std::min(incoming_bytes_, f.data.size());
                return f;
            }
            if (ended_)
                return std::nullopt;
            seen = changed_.generation();
        }
        if (cancel.cancelled())
            throw CancelledError({"shell recv was cancelled", "", 0});
        if (Clock::now() >= deadline)
            throw TimeoutError(
                {"no shell frame within " + std::to_string(timeout.count()) + " ms", "", 0});
        changed_.wait(seen, deadline, cancel);
    }
}

std::uint64_t ShellImpl::on(const std::string& type, ShellSession::Listener listener) {
    if (type.empty())
        throw InvalidArgumentError({"frame type must be a type name or \"*\"", "", 0});
    std::lock_guard<std::mutex> lock(mutex_);
    std::uint64_t id = next_listener_id_++;
    listeners_[type].emplace_back(id, std::move(listener));
    return id;
}

bool ShellImpl::off(const std::string& type, std::uint64_t id) {
    std::unique_lock<std::mutex> lock(mutex_);
    auto it = listeners_.find(type);
    if (it == listeners_.end())
        return false;
    auto& v = it->second;
    auto before = v.size();
    v.erase(std::remove_if(v.begin(), v.end(), [id](const auto& p) { return p.first == id; }),
            v.end());
    // Once off() returns the listener is not running and never runs again: a call already under
    // way on the I/O thread is waited for. From inside a listener (on the I/O thread) that call
    // could be our caller, so there is nothing to wait for. The Python binding releases the GIL
    // around off(), so a Python listener can finish.
    if (std::this_thread::get_id() != io_thread_id_)
        listener_done_.wait(lock, [this, id] { return calling_listener_ != id; });
    return v.size() != before;
}

// ---- the I/O thread ------------------------------------------------------------------------

bool ShellImpl::flushOutgoing() {
    while (true) {
        std::string frame;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (outgoing_.empty())
                return true;
            frame = std::move(outgoing_.front());
            outgoing_.pop_front();
        }
        std::size_t off = 0;
        while (off < frame.size()) {
            int n = socket_.sendBytes(frame.data() + off, static_cast<int>(frame.size() - off));
            if (n <= 0)
                return false;
            off += static_cast<std::size_t>(n);
        }
    }
}

void ShellImpl::deliver(ShellFrame frame) {
    struct Call {
        std::string key;
        std::uint64_t id;
        ShellSession::Listener fn;
    };
    std::vector<Call> calls;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (frame.type == "exit" && frame.code)
            exit_code_ = frame.code;
        for (const std::string& key : {frame.type, std::string("*")}) {
            auto it = listeners_.find(key);
            if (it == listeners_.end())
                continue;
            for (const auto& [id, fn] : it->second)
                calls.push_back({key, id, fn});
        }
    }
    // Listeners run without the lock, so they may send, resize or register listeners.
    for (const auto& call : calls) {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            const auto& live = listeners_[call.key];
            if (std::none_of(live.begin(), live.end(),
                             [&](const auto& p) { return p.first == call.id; }))
                continue; // removed by off() (maybe by an earlier listener) since the frame came
            calling_listener_ = call.id;
        }
        try {
            call.fn(frame);
        } catch (...) {
            // A listener's failure must not kill the session's I/O thread.
        }
        {
            std::lock_guard<std::mutex> lock(mutex_);
            calling_listener_ = 0;
        }
        listener_done_.notify_all();
    }
    {
        std::lock_guard<std::mutex> lock(mutex_);
        incoming_bytes_ += frame.data.size();
        incoming_.push_back(std::move(frame));
        // Bound memory when nobody calls recv (listener-only use): drop the oldest frames.
        while (incoming_bytes_ > kMaxQueuedBytes && incoming_.size() > 1) {
            incoming_bytes_ -= std::min(incoming_bytes_, incoming_.front().data.size());
            incoming_.pop_front();
        }
    }
    changed_.notifyAll();
}

bool ShellImpl::handleMessage(ws::Message m) {
    switch (m.kind) {
    case ws::Message::Kind::Ping: {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!close_sent_)
            outgoing_.push_front(ws::encodeClientFrame(ws::kPong, m.payload));
        return true;
    }
    case ws::Message::Kind::Pong:
        return true;
    case ws::Message::Kind::Close: {
        // The echo goes last in the queue, which the I/O thread flushes before it ends: frames
        // queued before it go out first, and nothing can be queued after it (§5.5.1).
        std::lock_guard<std::mutex> lock(mutex_);
        close_received_ = true;
        close_code_ = m.close_code;
        if (!close_sent_) {
            close_sent_ = true;
            const int code = m.close_code == 1005 ? 1000 : m.close_code;
            outgoing_.push_back(ws::encodeClientFrame(ws::kClose, ws::closePayload(code)));
        }
        return false;
    }
    case ws::Message::Kind::Data:
        break;
    }
    ShellFrame frame;
    if (m.opcode == ws::kBinary) {
        // Not sent by our server; raw bytes are terminal output for the caller.
        frame.type = "stdout";
        frame.data = std::move(m.payload);
    } else {
        Json j = Json::parse(m.payload, nullptr, false);
        if (j.is_object()) {
            frame = ShellFrame::fromJson(j);
            frame.raw_text = m.payload;
        } else {
            // §12 rule 1 / §10.13: a message that is not a JSON object is passed on as is.
            frame.data = std::move(m.payload);
        }
    }
    deliver(std::move(frame));
    return true;
}

void ShellImpl::finish(int close_code) {
    try {
        socket_.close();
    } catch (const Poco::Exception&) {
    }
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (close_code_ == 0)
            close_code_ = close_code;
        ended_ = true;
    }
    changed_.notifyAll();
}

void ShellImpl::ioLoop() {
    ws::FrameParser parser(ws::Sender::Server, kMaxMessageBytes);
    ws::MessageAssembler assembler(kMaxMessageBytes);
    if (!initial_bytes_.empty())
        parser.feed(initial_bytes_.data(), initial_bytes_.size());
    std::vector<char> buf(64 * 1024);
    int abnormal = 1006;
    try {
        while (true) {
            // Frames already buffered (with the 101, or several in one read).
            while (auto frame = parser.next()) {
                auto message = assembler.take(std::move(*frame));
                if (message && !handleMessage(std::move(*message))) {
                    flushOutgoing();
                    finish(0);
                    return;
                }
            }
            if (!flushOutgoing())
                break;
            int timeout_ms = 1000;
            {
                std::lock_guard<std::mutex> lock(mutex_);
                if (close_sent_) {
                    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                                    close_deadline_ - Clock::now())
                                    .count();
                    if (left <= 0) {
                        abnormal = 1000; // we closed; the peer did not answer in time
                        break;
                    }
                    timeout_ms = static_cast<int>(std::min<long long>(left, 1000));
                }
            }
            // TLS may hold decrypted bytes the fd no longer signals.
            bool readable = socket_.available() > 0;
            if (!readable) {
                struct pollfd fds[2] = {{static_cast<int>(socket_.impl()->sockfd()), POLLIN, 0},
                                        {wake_fd_, POLLIN, 0}};
                int n = ::poll(fds, 2, timeout_ms);
                if (n < 0 && errno != EINTR)
                    break;
                if (n > 0 && (fds[1].revents & POLLIN)) {
                    std::uint64_t v;
                    (void)!::read(wake_fd_, &v, sizeof v);
                }
                readable = n > 0 && (fds[0].revents & (POLLIN | POLLHUP | POLLERR));
            }
            if (!readable)
                continue;
            int n = socket_.receiveBytes(buf.data(), static_cast<int>(buf.size()));
            if (n <= 0)
                break; // EOF without a close frame
            parser.feed(buf.data(), static_cast<std::size_t>(n));
        }
    } catch (const ws::ProtocolViolation& v) {
        std::string frame =
            ws::encodeClientFrame(ws::kClose, ws::closePayload(v.close_code, v.reason));
        try {
            socket_.sendBytes(frame.data(), static_cast<int>(frame.size()));
        } catch (const Poco::Exception&) {
        }
        abnormal = v.close_code;
    } catch (const Poco::Exception&) {
    } catch (const std::exception&) {
    }
    finish(abnormal);
}

} // namespace sockt::detail
