// The one Poco request handler: rate limit, routing, body limits, JSON parsing, dispatch, error
// envelope, common headers and the stderr request log (docs/protocol.md §1.2, §3, §11.1).
#pragma once

#include "http/server_context.hpp"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>

namespace sockt::server {

class RequestHandler : public Poco::Net::HTTPRequestHandler {
public:
    explicit RequestHandler(const ServerContext& ctx) : ctx_(ctx) {}
    void handleRequest(Poco::Net::HTTPServerRequest& request,
                       Poco::Net::HTTPServerResponse& response) override;

private:
    const ServerContext& ctx_;
};

class RequestHandlerFactory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    explicit RequestHandlerFactory(const ServerContext& ctx) : ctx_(ctx) {}
    Poco::Net::HTTPRequestHandler*
    createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
        return new RequestHandler(ctx_);
    }

private:
    const ServerContext& ctx_;
};

} // namespace sockt::server
