// ShellImpl::connect: the running check, the shell URL and the WebSocket handshake
// (docs/protocol.md §6.1). The handshake is an HTTP/1.1 upgrade through the core's own transport
// (transport/http_upgrade.hpp: the same connect, codec and deadlines as REST), which hands back the
// socket for the I/O thread, a refusal's body and the bytes that came with the 101.
#include "shell/shell_impl.hpp"

#include "http_errors.hpp"
#include "sandbox_internal.hpp"
#include "sockt/protocol.hpp"
#include "transport/http_upgrade.hpp"

#include <Poco/Exception.h>
#include <Poco/URI.h>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <sys/eventfd.h>
#include <unistd.h>

namespace sockt::detail {

namespace {

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
    const Deadline deadline = Clock::now() + core_->timeout();
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

    const std::string key = ws::randomKey();
    std::vector<std::pair<std::string, std::string>> headers{
        {"Connection", "Upgrade"},
        {"Upgrade", "websocket"},
        {"Sec-WebSocket-Version", "13"},
        {"Sec-WebSocket-Key", key},
        {"User-Agent", core_->userAgent()},
    };
    if (credential)
        headers.emplace_back("Authorization", "Bearer " + credential->value);
    UpgradeResult answer =
        upgrade(core_->transport(), uri, std::move(headers), what, deadline, cancel);
    const HttpResponse& r = answer.response;
    if (r.status != 101) {
        SocktError::Details d = detailsFromResponse(r);
        d.message = "websocket: bad handshake (HTTP " + std::to_string(r.status) + ")" +
                    (d.message.empty() ? std::string() : ": " + d.message);
        SocktError::raise(errorKindFor(r.status, d.slug), d);
    }
    if (!containsToken(r.header("upgrade"), "websocket") ||
        r.header("sec-websocket-accept") != ws::acceptKey(key))
        throw ConnectionError(
            {"websocket: bad handshake (the server's Sec-WebSocket-Accept does not match)", "", 0});
    initial_bytes_ = std::move(answer.early_bytes);
    socket_ = answer.socket;
    socket_.setReceiveTimeout(kSocketOpTimeout);
    socket_.setSendTimeout(kSocketOpTimeout);
}

} // namespace sockt::detail
