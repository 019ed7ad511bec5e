// ShellImpl::connect: the running check, the shell URL and the WebSocket handshake
// (docs/protocol.md §6.1), done by hand over the client's own session so the socket can be detached
// for the I/O thread and a refusal's body read.
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
#include <cctype>
#include <cerrno>
#include <poll.h>
#include <cstring>
#include <sys/eventfd.h>
#include <unistd.h>

namespace sockt::detail {

namespace {

constexpr std::size_t kMaxRefusalBody = 1 << 20;
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
        std::ostream& sent = session->sendRequest(request);
        if (fiber::active()) {
            // Poco reads the answer with blocking calls: on a fiber, wait for it to arrive first
            // so the thread is not held for the round trip. Poco may still hold the request in
            // its buffer until it reads; flush it first, or nothing would ever arrive.
            sent.flush();
            const int fd = static_cast<int>(session->socket().impl()->sockfd());
            while (!fiber::waitFd(fd, POLLIN, deadline, cancel))
                checkDeadline(deadline, cancel, what, limit);
        }
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

} // namespace sockt::detail
