// Scripted fixture server (see fixture_server.hpp).
#include "fixture_server.hpp"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>
#include <deque>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#ifndef SOCKT_TEST_PKI_DIR
#error "SOCKT_TEST_PKI_DIR must be defined by the build"
#endif

namespace sockt::testing {

Reply Reply::error(int status, const std::string& code, const std::string& message,
                   const std::string& hint, const std::string& request_id) {
    nlohmann::json j = {
        {"code", code},
        {"error", code},
        {"message", message},
        {"hint", hint.empty() ? nlohmann::json(nullptr) : nlohmann::json(hint)},
        {"request_id", request_id.empty() ? nlohmann::json(nullptr) : nlohmann::json(request_id)}};
    return json(status, j.dump());
}

struct FixtureServer::Impl {
    mutable std::mutex mutex;
    std::condition_variable cv;
    std::deque<Reply> queue;
    std::function<Reply(const RecordedRequest&)> handler;
    std::vector<RecordedRequest> recorded;
    bool released = false;
    bool tls = false;
    std::unique_ptr<Poco::Net::HTTPServer> server;
    unsigned short port = 0;

    Reply next(const RecordedRequest& request) {
        std::function<Reply(const RecordedRequest&)> h;
        {
            std::lock_guard<std::mutex> lock(mutex);
            recorded.push_back(request);
            if (!queue.empty()) {
                Reply r = std::move(queue.front());
                queue.pop_front();
                return r;
            }
            h = handler;
        }
        if (h)
            return h(request);
        return Reply::error(599, "unscripted",
                            "no scripted reply for " + request.method + " " + request.path);
    }

    void waitReleased() {
        std::unique_lock<std::mutex> lock(mutex);
        cv.wait_for(lock, std::chrono::seconds(60), [&] { return released; });
    }
};

namespace {

class ScriptedHandler : public Poco::Net::HTTPRequestHandler {
public:
    explicit ScriptedHandler(FixtureServer::Impl& impl) : impl_(impl) {}

    void handleRequest(Poco::Net::HTTPServerRequest& request,
                       Poco::Net::HTTPServerResponse& response) override {
        RecordedRequest rec;
        rec.method = request.getMethod();
        Poco::URI uri(request.getURI());
        rec.path = uri.getPath();
        rec.raw_query = uri.getRawQuery();
        for (const auto& [k, v] : uri.getQueryParameters())
            rec.query[k] = v;
        for (const auto& [name, value] : request) {
            std::string lower = name;
            for (auto& c : lower)
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            rec.headers[lower] = value;
        }
        std::ostringstream body;
        Poco::StreamCopier::copyStream(request.stream(), body);
        rec.body = body.str();

        Reply reply = impl_.next(rec);
        if (reply.delay.count() > 0)
            std::this_thread::sleep_for(reply.delay);
        if (reply.action == Reply::Action::Stall) {
            impl_.waitReleased();
            dropConnection(request, response);
            return;
        }
        if (reply.action == Reply::Action::Drop) {
            dropConnection(request, response);
            return;
        }
        if (reply.action == Reply::Action::StallMidBody) {
            response.setStatus(Poco::Net::HTTPResponse::HTTP_OK);
            response.setContentType(reply.content_type);
            response.setContentLength64(static_cast<Poco::Int64>(reply.body.size() + 1000));
            std::ostream& out = response.send();
            out << reply.body;
            out.flush();
            impl_.waitReleased();
            dropConnection(request, response);
            return;
        }
        response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(reply.status));
        if (!reply.content_type.empty())
            response.setContentType(reply.content_type);
        for (const auto& [n, v] : reply.headers)
            response.set(n, v);
        response.setKeepAlive(!reply.close);
        response.setContentLength64(static_cast<Poco::Int64>(reply.body.size()));
        response.sendBuffer(reply.body.data(), reply.body.size());
        // The head went out saying keep-alive; Poco's connection loop reads the flag afterwards
        // and closes the connection (after flushing the answer).
        if (reply.silent_close)
            response.setKeepAlive(false);
    }

private:
    static void dropConnection(Poco::Net::HTTPServerRequest& request,
                               Poco::Net::HTTPServerResponse& response) {
        response.setKeepAlive(false);
        auto& impl = static_cast<Poco::Net::HTTPServerRequestImpl&>(request);
        // shutdown only: Poco's connection thread owns the socket and closes it afterwards.
        try {
            impl.socket().shutdown();
        } catch (...) {
        }
    }

    FixtureServer::Impl& impl_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    explicit Factory(FixtureServer::Impl& impl) : impl_(impl) {}
    Poco::Net::HTTPRequestHandler*
    createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
        return new ScriptedHandler(impl_);
    }

private:
    FixtureServer::Impl& impl_;
};

} // namespace

FixtureServer::FixtureServer(std::optional<TlsFiles> tls) : impl_(std::make_unique<Impl>()) {
    auto params = new Poco::Net::HTTPServerParams;
    params->setKeepAlive(true);
    params->setMaxKeepAliveRequests(1000);
    params->setKeepAliveTimeout(Poco::Timespan(30, 0));
    params->setMaxThreads(16);
    params->setMaxQueued(64);
    Poco::Net::SocketAddress address("127.0.0.1", 0);
    if (tls) {
        Poco::Net::initializeSSL();
        Poco::Net::Context::Ptr context =
            new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, tls->key_file,
                                   tls->cert_file, "", Poco::Net::Context::VERIFY_NONE);
        Poco::Net::SecureServerSocket socket(address, 64, context);
        impl_->port = socket.address().port();
        impl_->tls = true;
        impl_->server =
            std::make_unique<Poco::Net::HTTPServer>(new Factory(*impl_), socket, params);
    } else {
        Poco::Net::ServerSocket socket(address, 64);
        impl_->port = socket.address().port();
        impl_->server =
            std::make_unique<Poco::Net::HTTPServer>(new Factory(*impl_), socket, params);
    }
    impl_->server->start();
}

FixtureServer::~FixtureServer() {
    releaseStalls();
    impl_->server->stopAll(true);
}

std::string FixtureServer::url() const {
    return urlWithHost("127.0.0.1");
}

std::string FixtureServer::urlWithHost(const std::string& host) const {
    return std::string(impl_->tls ? "https://" : "http://") + host + ":" +
           std::to_string(impl_->port);
}

unsigned short FixtureServer::port() const {
    return impl_->port;
}

void FixtureServer::enqueue(Reply reply) {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    impl_->queue.push_back(std::move(reply));
}

void FixtureServer::setHandler(std::function<Reply(const RecordedRequest&)> handler) {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    impl_->handler = std::move(handler);
}

std::vector<RecordedRequest> FixtureServer::requests() const {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    return impl_->recorded;
}

std::size_t FixtureServer::requestCount() const {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    return impl_->recorded.size();
}

int FixtureServer::connectionsAccepted() const {
    return impl_->server->totalConnections();
}

void FixtureServer::releaseStalls() {
    {
        std::lock_guard<std::mutex> lock(impl_->mutex);
        impl_->released = true;
    }
    impl_->cv.notify_all();
}

TestPki testPki() {
    const std::string dir = SOCKT_TEST_PKI_DIR;
    return {dir + "/ca.pem",
            {dir + "/server.pem", dir + "/server.key"},
            {dir + "/wrong.pem", dir + "/wrong.key"}};
}

} // namespace sockt::testing
