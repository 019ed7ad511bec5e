// ShellService: the upgrade, the PTY and the registry of live shells (docs/protocol.md §6).
#include "shell/shell_service.hpp"

#include "runtime/sandbox_runtime.hpp"
#include "shell/shell_connection.hpp"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/WebSocket.h>
#include <condition_variable>
#include <map>
#include <set>

namespace sockt::server {

struct ShellService::Impl {
    Options options;
    mutable std::mutex mutex;
    std::condition_variable cv;
    std::map<std::string, std::set<std::shared_ptr<ShellConnection>>> sessions;
    std::map<std::string, int> slots; // taken slots per sandbox (no entry: none)
    bool shut_down = false;

    std::vector<std::shared_ptr<ShellConnection>> of(const std::string& id) const {
        std::lock_guard<std::mutex> lock(mutex);
        auto it = sessions.find(id);
        if (it == sessions.end())
            return {};
        return {it->second.begin(), it->second.end()};
    }
};

ShellService::Slot::Slot(std::shared_ptr<Impl> impl, std::string sandbox_id)
    : impl_(std::move(impl)), sandbox_id_(std::move(sandbox_id)) {}

ShellService::Slot::Slot(Slot&& other) noexcept
    : impl_(std::move(other.impl_)), sandbox_id_(std::move(other.sandbox_id_)) {}

ShellService::Slot::~Slot() {
    if (!impl_)
        return; // moved from
    std::lock_guard<std::mutex> lock(impl_->mutex);
    auto it = impl_->slots.find(sandbox_id_);
    if (it != impl_->slots.end() && --it->second <= 0)
        impl_->slots.erase(it);
}

ShellService::Slot ShellService::reserve(const std::string& sandbox_id, int limit) {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    int& taken = impl_->slots[sandbox_id];
    if (taken >= limit) {
        if (taken == 0)
            impl_->slots.erase(sandbox_id);
        throw ApiError("too_many_executions",
                       "at most " + std::to_string(limit) + " concurrent shells per sandbox",
                       "close a shell of this sandbox first");
    }
    ++taken;
    return Slot(impl_, sandbox_id);
}

ShellService::ShellService() : ShellService(Options{}) {}

ShellService::ShellService(Options options) : impl_(std::make_shared<Impl>()) {
    impl_->options = options;
}

ShellService::~ShellService() {
    shutdown();
}

void ShellService::run(Poco::Net::HTTPServerRequest& request,
                       Poco::Net::HTTPServerResponse& response, Slot slot,
                       std::shared_ptr<SandboxRuntime> runtime,
                       std::optional<OJson> connect_billing_frame) {
    const std::string& sandbox_id = slot.sandboxId();
    {
        std::lock_guard<std::mutex> lock(impl_->mutex);
        if (impl_->shut_down)
            throw ApiError("host_error", "the server is shutting down");
    }
    if (!runtime)
        throw ApiError("host_error", "the sandbox runtime is not available");
    // The PTY first: a failure to start the shell is still an ordinary HTTP error.
    std::shared_ptr<PtyProcess> pty;
    try {
        pty = runtime->openShell(impl_->options.initial_cols, impl_->options.initial_rows);
    } catch (const std::exception& e) {
        throw ApiError("host_error", std::string("could not start the shell: ") + e.what());
    }
    std::optional<Poco::Net::WebSocket> socket;
    try {
        socket.emplace(request, response);
    } catch (const Poco::Net::WebSocketException& e) {
        pty->hangup();
        throw ApiError("invalid_params", "expected a WebSocket upgrade (" + e.message() + ")",
                       "connect with a WebSocket client: GET with Connection: Upgrade, "
                       "Upgrade: websocket, Sec-WebSocket-Version: 13 and a Sec-WebSocket-Key");
    }
    ShellConnection::Settings settings;
    settings.ping_interval = impl_->options.ping_interval;
    settings.max_frame_bytes = impl_->options.max_frame_bytes;
    auto connection = std::make_shared<ShellConnection>(std::move(*socket), pty, settings);
    bool refused = false;
    {
        std::lock_guard<std::mutex> lock(impl_->mutex);
        if (impl_->shut_down)
            refused = true;
        else
            impl_->sessions[sandbox_id].insert(connection);
    }
    if (refused) {
        connection->terminate(1001, "");
    } else {
        connection->run(connect_billing_frame);
    }
    {
        std::lock_guard<std::mutex> lock(impl_->mutex);
        auto it = impl_->sessions.find(sandbox_id);
        if (it != impl_->sessions.end()) {
            it->second.erase(connection);
            if (it->second.empty())
                impl_->sessions.erase(it);
        }
    }
    impl_->cv.notify_all();
    if (refused)
        pty->hangup();
}

int ShellService::count(const std::string& sandbox_id) const {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    auto it = impl_->slots.find(sandbox_id);
    return it == impl_->slots.end() ? 0 : it->second;
}

void ShellService::closeAll(const std::string& sandbox_id, const std::string& reason) {
    for (const auto& c : impl_->of(sandbox_id))
        c->terminate(1001, reason);
}

void ShellService::broadcast(const std::string& sandbox_id, const OJson& frame) {
    for (const auto& c : impl_->of(sandbox_id))
        c->sendFrame(frame);
}

void ShellService::shutdown() {
    std::vector<std::shared_ptr<ShellConnection>> all;
    {
        std::lock_guard<std::mutex> lock(impl_->mutex);
        impl_->shut_down = true;
        for (const auto& [id, set] : impl_->sessions)
            all.insert(all.end(), set.begin(), set.end());
    }
    for (const auto& c : all)
        c->terminate(1001, "");
    // Give the sessions their close handshake (2 s) before the server tears the runtimes down.
    std::unique_lock<std::mutex> lock(impl_->mutex);
    impl_->cv.wait_for(lock, std::chrono::seconds(3), [this] { return impl_->sessions.empty(); });
}

} // namespace sockt::server
