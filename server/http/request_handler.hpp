// The one Poco request handler: rate limit, routing, body limits, JSON parsing, dispatch, error
// envelope, common headers and the stderr request log (docs/protocol.md §1.2, §3, §11.1).
#pragma once

#include "api/api_call.hpp"
#include "http/request_body.hpp"
#include "http/router.hpp"
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
    /// Step 1 of §3.4: true when the 429 was sent.
    bool rateLimited(const Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response, const ApiCall& call,
                     const std::string& query_token, const std::string& body_token);
    /// Runs the checked request's route and sends its answer; returns the status sent.
    int dispatch(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                 const RouteMatch& match, const std::string& method, const std::string& path,
                 RequestBody& body, ApiCall& call, const std::string& request_id);

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
