// ShellImpl: connect (PROTOCOL.md §6.1), the I/O thread, frames (§6.2-§6.4).
#include "shell/shell_impl.hpp"

#include "http_errors.hpp"
#include "sandbox_internal.hpp"
#include "sockt/protocol.hpp"
#include "transport/transport_errors.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/URI.h>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace sockt::detail {

namespace {

constexpr std::size_t kMaxRefusalBody = 1 << 20;
constexpr auto kCloseWait = std::chrono::seconds(2);
const Poco::Timespan kSocketOpTimeout(30, 0);

std::string lower(std::string s) {
    for (auto& c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

bool containsToken(const std::string& header, const std::string& token) {
    return lower(header).find(token) != std::string::npos;
}

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

// ---- connect -------------------------------------------------------------------------------

void ShellImpl::connect(const CancelToken& cancel) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (started_)
            throw InvalidArgumentError(
                {"this shell session was already connected; open a new one with sandbox.shell()",
                 "", 0});
    }
    core_->ensureOpen();
    auto credential = sandboxCredential(*core_, *state_);
    // §6.1 step 1: the sandbox must be running.
    SandboxStatus status = fetchStatus(*core_, *state_, cancel);
    if (status.status != "running") {
        SocktError::Details d;
        d.message = "sandbox " + state_->id + " is " +
                    (status.status.empty() ? std::string("in an unknown state") : status.status) +
                    "; a shell needs a running sandbox";
        throw SandboxNotRunningError(d);
    }
    std::string url = fetchShellUrl(credential, cancel);
    dial(url, credential, cancel);

    wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wake_fd_ < 0) {
        socket_.close();
        throw ConnectionError({std::string("eventfd: ") + std::strerror(errno), "", 0});
    }
    {
        std::lock_guard<std::mutex> lock(mutex_);
        started_ = true;
    }
    std::lock_guard<std::mutex> lock(mutex_); // off() and close() read io_thread_id_
    io_thread_ = std::thread([this] { ioLoop(); });
    io_thread_id_ = io_thread_.get_id();
}

std::string ShellImpl::fetchShellUrl(const std::optional<Credential>& credential,
                                     const CancelToken& cancel) {
    HttpRequest request{"GET", sandboxPath(*state_, "/shell-url")};
    HttpResponse response = core_->sendAs(request, credential, cancel);
    if (response.status >= 400)
        throwForResponse(response);
    Json body = Json::parse(response.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
        SocktError::Details d;
        d.message = "parse response: the shell-url answer is not a JSON object";
        d.status_code = response.status;
        d.body = response.body;
        throw APIError(d);
    }
    auto it = body.find("url");
    if (it == body.end() || !it->is_string() || it->get<std::string>().empty()) {
        SocktError::Details d;
        d.message = "parse response: the shell-url answer has no `url`";
        d.status_code = response.status;
        d.body = response.body;
        throw APIError(d);
    }
    return it->get<std::string>();
}

void ShellImpl::dial(const std::string& url, const std::optional<Credential>& credential,
                     const CancelToken& cancel) {
    const Duration limit = core_->timeout();
    const Deadline deadline = Clock::now() + limit;
    const std::string what = "websocket " + protocol::redactUrl(url);
    Poco::URI uri;
    try {
        uri = Poco::URI(url);
    } catch (const Poco::Exception& e) {
        throw ConnectionError({"websocket: invalid shell URL: " + e.displayText(), "", 0});
    }
    if (uri.getScheme() != "ws" && uri.getScheme() != "wss")
        throw ConnectionError(
            {"websocket: unsupported shell URL scheme '" + uri.getScheme() + "'", "", 0});

    auto session = core_->openSession(uri, deadline, cancel);
    SocketAbortGuard guard(cancel, session->socket());
    const std::string key = ws::randomKey();
    try {
        std::string target = uri.getPathEtc();
        if (target.empty())
            target = "/";
        Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, target,
                                       Poco::Net::HTTPMessage::HTTP_1_1);
        request.set("Connection", "Upgrade");
        request.set("Upgrade", "websocket");
        request.set("Sec-WebSocket-Version", "13");
        request.set("Sec-WebSocket-Key", key);
        request.set("User-Agent", core_->userAgent());
        if (credential)
            request.set("Authorization", "Bearer " + credential->value);
        request.setChunkedTransferEncoding(false);
        session->setKeepAlive(true);
        session->setTimeout(Poco::Timespan(std::max<long long>(1, remainingMs(deadline)) * 1000));
        session->sendRequest(request);
        Poco::Net::HTTPResponse response;
        std::istream& in = session->receiveResponse(response);
        if (response.getStatus() != Poco::Net::HTTPResponse::HTTP_SWITCHING_PROTOCOLS) {
            HttpResponse r;
            r.status = static_cast<int>(response.getStatus());
            for (const auto& [k, v] : response)
                r.headers[lower(k)] = v;
            char buf[8192];
            while (in && r.body.size() < kMaxRefusalBody) {
                in.read(buf, sizeof buf);
                r.body.append(buf, static_cast<std::size_t>(in.gcount()));
                if (in.gcount() == 0)
                    break;
            }
            SocktError::Details d = detailsFromResponse(r);
            d.message = "websocket: bad handshake (HTTP " + std::to_string(r.status) + ")" +
                        (d.message.empty() ? std::string() : ": " + d.message);
            SocktError::raise(errorKindFor(r.status, d.slug), d);
        }
        if (!containsToken(response.get("Upgrade", ""), "websocket") ||
            response.get("Sec-WebSocket-Accept", "") != ws::acceptKey(key))
            throw ConnectionError(
                {"websocket: bad handshake (the server's Sec-WebSocket-Accept does not match)", "",
                 0});
        Poco::Buffer<char> leftover(0);
        session->drainBuffer(leftover);
        initial_bytes_.assign(leftover.begin(), leftover.size());
        socket_ = session->detachSocket();
    } catch (const SocktError&) {
        throw;
    } catch (const Poco::Exception& e) {
        rethrowTransport(e, deadline, cancel, what, limit);
    }
    socket_.setReceiveTimeout(kSocketOpTimeout);
    socket_.setSendTimeout(kSocketOpTimeout);
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
    std::unique_lock<std::mutex> lock(mutex_);
    cv_.wait_for(lock, kCloseWait + std::chrono::milliseconds(500), [this] { return ended_; });
}

// ---- receiving (any thread) ----------------------------------------------------------------

std::optional<ShellFrame> ShellImpl::recv(Duration timeout, const CancelToken& cancel) {
    const auto deadline = Clock::now() + timeout;
    std::unique_lock<std::mutex> lock(mutex_);
    if (!started_)
        throw ConnectionError({"the shell is not connected; call connect() first", "", 0});
    while (true) {
        if (!incoming_.empty()) {
            ShellFrame f = std::move(incoming_.front());
            incoming_.pop_front();
            incoming_bytes_ -= std::min(incoming_bytes_, f.data.size());
            return f;
        }
        if (ended_)
            return std::nullopt;
        if (cancel.cancelled())
            throw CancelledError({"shell recv was cancelled", "", 0});
        auto now = Clock::now();
        if (now >= deadline)
            throw TimeoutError(
                {"no shell frame within " + std::to_string(timeout.count()) + " ms", "", 0});
        cv_.wait_for(lock,
                     std::min<Clock::duration>(deadline - now, std::chrono::milliseconds(50)));
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
    cv_.notify_all();
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
    cv_.notify_all();
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
