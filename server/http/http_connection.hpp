// The HTTP connection of `sockt serve`: Poco's HTTPServerConnection loop, plus an answer for a
// request whose header cannot be framed. Poco reads the Content-Length while it builds the
// request, before any handler runs; a value that is not a number (`abc`, or beyond 64 bits)
// makes it drop the connection without a word, and a malformed header line gets an empty 400.
// Both get 400 invalid_params here, in the §3.1 envelope with the headers of docs/protocol.md §1.2,
// and then the connection closes, since the bytes after such a header cannot be framed.
#pragma once

#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/TCPServerConnectionFactory.h>
#include <memory>

namespace sockt::server {

/// For a Poco::Net::TCPServer in place of Poco::Net::HTTPServer. Thread-safe.
class HttpConnectionFactory : public Poco::Net::TCPServerConnectionFactory {
public:
    HttpConnectionFactory(Poco::Net::HTTPServerParams::Ptr params,
                          Poco::Net::HTTPRequestHandlerFactory::Ptr handlers);

    Poco::Net::TCPServerConnection*
    createConnection(const Poco::Net::StreamSocket& socket) override;

    /// Once the server stopped accepting: shuts down the socket of every open connection (what
    /// HTTPServer::stopAll(true) does), so threads waiting on idle keep-alive connections end.
    void stopAll();

    struct Registry;

private:
    Poco::Net::HTTPServerParams::Ptr params_;
    Poco::Net::HTTPRequestHandlerFactory::Ptr handlers_;
    std::shared_ptr<Registry> registry_; // shared with the connections, which may outlive us
};

} // namespace sockt::server
