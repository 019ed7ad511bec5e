#include "http_probe.hpp"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/SocketStream.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/StreamCopier.h>
#include <Poco/String.h>
#include <Poco/URI.h>
#include <sstream>

namespace sockt::testing {

std::string HttpReply::header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
}

nlohmann::json HttpReply::json() const {
    return nlohmann::json::parse(body);
}

std::string HttpReply::code() const {
    auto j = nlohmann::json::parse(body, nullptr, false);
    if (j.is_object() && j.contains("code") && j["code"].is_string())
        return j["code"];
    return {};
}

HttpReply httpCall(const std::string& base_url, const HttpCall& call) {
    Poco::URI base(base_url);
    Poco::Net::HTTPClientSession session(base.getHost(), base.getPort());
    session.setTimeout(Poco::Timespan(call.timeout_secs, 0));
    Poco::Net::HTTPRequest req(call.method, call.target, Poco::Net::HTTPMessage::HTTP_1_1);
    if (!call.bearer.empty())
        req.set("Authorization", "Bearer " + call.bearer);
    for (const auto& [k, v] : call.headers)
        req.set(k, v);
    if (call.declared_length) {
        req.setContentLength64(*call.declared_length);
    } else if (call.body) {
        req.setContentType("application/json");
        if (call.chunked)
            req.setChunkedTransferEncoding(true);
        else
            req.setContentLength64(static_cast<std::int64_t>(call.body->size()));
    }
    auto& out = session.sendRequest(req);
    if (call.body && !call.declared_length)
        out.write(call.body->data(), static_cast<std::streamsize>(call.body->size()));
    Poco::Net::HTTPResponse resp;
    auto& in = session.receiveResponse(resp);
    HttpReply reply;
    reply.status = resp.getStatus();
    std::ostringstream body;
    Poco::StreamCopier::copyStream(in, body);
    reply.body = body.str();
    for (const auto& [k, v] : resp)
        reply.headers[Poco::toLower(k)] = v;
    return reply;
}

HttpReply rawHttp(const std::string& base_url, const std::string& bytes, int timeout_secs) {
    Poco::URI base(base_url);
    Poco::Net::StreamSocket socket(Poco::Net::SocketAddress(base.getHost(), base.getPort()));
    socket.setReceiveTimeout(Poco::Timespan(timeout_secs, 0));
    socket.sendBytes(bytes.data(), static_cast<int>(bytes.size()));
    Poco::Net::SocketInputStream in(socket);
    HttpReply reply;
    Poco::Net::HTTPResponse resp;
    try {
        resp.read(in);
    } catch (const Poco::Exception&) {
        return reply; // closed (or garbled) without an answer
    }
    reply.status = resp.getStatus();
    for (const auto& [k, v] : resp)
        reply.headers[Poco::toLower(k)] = v;
    if (resp.hasContentLength()) {
        reply.body.resize(static_cast<std::size_t>(resp.getContentLength64()));
        in.read(reply.body.data(), static_cast<std::streamsize>(reply.body.size()));
        reply.body.resize(static_cast<std::size_t>(in.gcount()));
    }
    return reply;
}

HttpReply httpGet(const std::string& base, const std::string& target, const std::string& bearer) {
    return httpCall(base, HttpCall{"GET", target, std::nullopt, bearer});
}

HttpReply httpPost(const std::string& base, const std::string& target, const nlohmann::json& body,
                   const std::string& bearer) {
    return httpCall(base, HttpCall{"POST", target, body.dump(), bearer});
}

HttpReply httpDelete(const std::string& base, const std::string& target,
                     const std::string& bearer) {
    return httpCall(base, HttpCall{"DELETE", target, std::nullopt, bearer});
}

} // namespace sockt::testing
