#include "http/http_connection.hpp"

#include "api/envelope.hpp"
#include "http/request_body.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponseImpl.h>
#include <Poco/Net/HTTPServerSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/TCPServerConnection.h>
#include <Poco/Timestamp.h>
#include <cstdio>
#include <memory>
#include <cerrno>
#include <mutex>
#include <poll.h>
#include <set>

namespace sockt::server {

using namespace Poco::Net;

namespace {
class HttpConnection;

/// Poco 1.11's Socket::poll makes, arms and closes an epoll instance on every call: four system
/// calls and a file allocation per keep-alive request, a quarter of the server's CPU for a status
/// answer. Waiting for the next request of a keep-alive connection is one poll(2) here; the first
/// request, which also starts Poco's keep-alive accounting, still goes through Poco.
class KeepAliveSession : public HTTPServerSession {
public:
    KeepAliveSession(const StreamSocket& socket, HTTPServerParams::Ptr params)
        : HTTPServerSession(socket, params), keep_alive_timeout_(params->getKeepAliveTimeout()) {}

    bool nextRequest() {
        if (first_) {
            first_ = false;
            return hasMoreRequests();
        }
        if (!socket().impl()->initialized() || !canKeepAlive() || !getKeepAlive())
            return false;
        if (buffered() > 0)
            return true; // pipelined: the next request is read already
        pollfd p{socket().impl()->sockfd(), POLLIN, 0};
        const auto ms = static_cast<int>(keep_alive_timeout_.totalMilliseconds());
        int rc;
        do
            rc = ::poll(&p, 1, ms);
        while (rc < 0 && errno == EINTR);
        // Readable, closed or failed: reading the request tells which (as Poco's poll does).
        return rc > 0;
    }

private:
    Poco::Timespan keep_alive_timeout_;
    bool first_ = true;
};
} // namespace

struct HttpConnectionFactory::Registry {
    std::mutex mutex;
    std::set<HttpConnection*> open;
    bool stopped = false;
};

namespace {

class HttpConnection : public TCPServerConnection {
public:
    using Registry = HttpConnectionFactory::Registry;

    HttpConnection(const StreamSocket& socket, HTTPServerParams::Ptr params,
                   HTTPRequestHandlerFactory::Ptr handlers, std::shared_ptr<Registry> registry)
        : TCPServerConnection(socket), params_(std::move(params)), handlers_(std::move(handlers)),
          registry_(std::move(registry)) {
        std::lock_guard<std::mutex> lock(registry_->mutex);
        registry_->open.insert(this);
    }

    ~HttpConnection() override {
        // Before the socket goes: stopAll() shuts sockets down under the same mutex.
        std::lock_guard<std::mutex> lock(registry_->mutex);
        registry_->open.erase(this);
    }

    /// Called under the registry's mutex.
    void shutdownSocket() {
        try {
            socket().shutdown();
        } catch (...) {
        }
    }

    void run() override {
        KeepAliveSession session(socket(), params_);
        while (session.nextRequest()) {
            try {
                {
                    std::lock_guard<std::mutex> lock(registry_->mutex);
                    if (registry_->stopped)
                        break;
                }
                if (!serve(session))
                    break;
            } catch (const NoMessageException&) {
                break;
            } catch (const Poco::Exception&) {
                if (session.networkException())
                    session.networkException()->rethrow();
                throw;
            }
        }
    }

private:
    /// One request; false when the connection must end.
    bool serve(HTTPServerSession& session) {
        HTTPServerResponseImpl response(session);
        std::unique_ptr<HTTPServerRequestImpl> request;
        try {
            request = std::make_unique<HTTPServerRequestImpl>(response, session, params_.get());
        } catch (const NoMessageException&) {
            return false; // the client closed an idle keep-alive connection
        } catch (const MessageException& e) {
            refuse(session, ApiError("invalid_params",
                                     "the request header could not be read (" + e.message() + ")",
                                     "send an HTTP/1.1 request with a well-formed header"));
            return false;
        } catch (const Poco::SyntaxException&) {
            refuse(session, badContentLength()); // the one number Poco parses while it reads
            return false;
        }
        response.setDate(Poco::Timestamp());
        response.setVersion(request->getVersion());
        response.setKeepAlive(params_->getKeepAlive() && request->getKeepAlive() &&
                              session.canKeepAlive());
        const std::string software = params_->getSoftwareVersion();
        if (!software.empty())
            response.set("Server", software);
        // The handler answers every failure itself; what escapes it is a broken connection.
        std::unique_ptr<HTTPRequestHandler> handler(handlers_->createRequestHandler(*request));
        if (request->getExpectContinue() && response.getStatus() == HTTPResponse::HTTP_OK)
            response.sendContinue();
        handler->handleRequest(*request, response);
        session.setKeepAlive(params_->getKeepAlive() && response.getKeepAlive() &&
                             session.canKeepAlive());
        return true;
    }

    /// 400 invalid_params in the envelope, then the connection closes.
    void refuse(HTTPServerSession& session, const ApiError& error) {
        const std::string request_id = requestIdFor("");
        const std::string body = dumpJson(errorEnvelope(error, request_id));
        HTTPServerResponseImpl response(session);
        response.setVersion(HTTPMessage::HTTP_1_1);
        response.setStatusAndReason(HTTPResponse::HTTP_BAD_REQUEST);
        response.setKeepAlive(false);
        response.set("X-Request-Id", request_id);
        response.set(std::string(protocol::kExtensionsHeader),
                     std::string(protocol::kServerExtensions));
        response.setContentType("application/json");
        response.setContentLength64(static_cast<std::int64_t>(body.size()));
        response.send().write(body.data(), static_cast<std::streamsize>(body.size())).flush();
        session.setKeepAlive(false);
        // Closing with unread request bytes would send a reset, which can destroy the answer
        // before the client reads it: end our side, then read (a bounded amount of) the rest.
        try {
            socket().shutdownSend();
            socket().setReceiveTimeout(Poco::Timespan(1, 0));
            char buf[16 * 1024];
            for (int drained = 0; drained < (1 << 20);) {
                const int n = socket().receiveBytes(buf, sizeof buf);
                if (n <= 0)
                    break;
                drained += n;
            }
        } catch (const Poco::Exception&) {
            // the client is gone or slow: nothing more to do for it
        }
        // §11.1's request line; the method and path of a header that could not be read are
        // unknown.
        std::fprintf(stderr, "- - 400 0ms %s\n", request_id.c_str());
    }

    HTTPServerParams::Ptr params_;
    HTTPRequestHandlerFactory::Ptr handlers_;
    std::shared_ptr<Registry> registry_;
};

} // namespace

HttpConnectionFactory::HttpConnectionFactory(HTTPServerParams::Ptr params,
                                             HTTPRequestHandlerFactory::Ptr handlers)
    : params_(std::move(params)), handlers_(std::move(handlers)),
      registry_(std::make_shared<Registry>()) {}

TCPServerConnection* HttpConnectionFactory::createConnection(const StreamSocket& socket) {
    return new HttpConnection(socket, params_, handlers_, registry_);
}

void HttpConnectionFactory::stopAll() {
    std::lock_guard<std::mutex> lock(registry_->mutex);
    registry_->stopped = true;
    for (auto* connection : registry_->open)
        connection->shutdownSocket();
}

} // namespace sockt::server
