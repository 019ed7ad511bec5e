// Scripted fixture HTTP(S) server for the core tests: a Poco HTTPServer on 127.0.0.1 (free port)
// that answers from a queue of scripted replies (or a handler) and records every request.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace sockt::testing {

struct RecordedRequest {
    std::string method;
    std::string path;                           // without query
    std::string raw_query;                      // as sent (encoded)
    std::map<std::string, std::string> query;   // decoded
    std::map<std::string, std::string> headers; // lower-cased names
    std::string body;
    bool has_header(const std::string& lower) const { return headers.count(lower) > 0; }
    std::string header(const std::string& lower) const {
        auto it = headers.find(lower);
        return it == headers.end() ? std::string() : it->second;
    }
};

struct Reply {
    enum class Action {
        Respond,      // send status/headers/body
        Stall,        // read the request, never answer (until the server stops)
        Drop,         // read the request, close the connection without answering
        StallMidBody, // send the headers and part of the body, then stall
    };
    int status = 200;
    std::string body = "{}";
    std::string content_type = "application/json";
    std::vector<std::pair<std::string, std::string>> headers;
    Action action = Action::Respond;
    std::chrono::milliseconds delay{0}; // before answering
    bool close = false;                 // Connection: close after this answer
    bool silent_close = false;          // close after this answer without saying so

    static Reply json(int status, std::string body) {
        Reply r;
        r.status = status;
        r.body = std::move(body);
        return r;
    }
    static Reply error(int status, const std::string& code, const std::string& message,
                       const std::string& hint = "", const std::string& request_id = "");
    static Reply stall() {
        Reply r;
        r.action = Action::Stall;
        return r;
    }
    static Reply stallMidBody(std::string partial) {
        Reply r;
        r.action = Action::StallMidBody;
        r.body = std::move(partial);
        return r;
    }
    static Reply drop() {
        Reply r;
        r.action = Action::Drop;
        return r;
    }
    Reply& header(std::string name, std::string value) {
        headers.emplace_back(std::move(name), std::move(value));
        return *this;
    }
};

struct TlsFiles {
    std::string cert_file; // PEM chain of the server
    std::string key_file;
};

class FixtureServer {
public:
    explicit FixtureServer(std::optional<TlsFiles> tls = std::nullopt);
    ~FixtureServer();
    FixtureServer(const FixtureServer&) = delete;
    FixtureServer& operator=(const FixtureServer&) = delete;

    /// http(s)://127.0.0.1:<port>
    std::string url() const;
    /// https://localhost:<port> style URL with another host name.
    std::string urlWithHost(const std::string& host) const;
    unsigned short port() const;

    /// Replies are consumed in order; when the queue is empty the handler (if any) answers,
    /// else a 599 "unscripted request" reply.
    void enqueue(Reply reply);
    void setHandler(std::function<Reply(const RecordedRequest&)> handler);

    std::vector<RecordedRequest> requests() const;
    std::size_t requestCount() const;
    /// TCP connections the server accepted.
    int connectionsAccepted() const;
    /// Wakes stalled handlers (also done by the destructor).
    void releaseStalls();

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

/// Test PKI generated at build time (tests/cpp/core/CMakeLists.txt): a CA, a server cert for
/// 127.0.0.1/localhost and one for a wrong host, all signed by the CA.
struct TestPki {
    std::string ca_file;
    TlsFiles good;
    TlsFiles wrong_host;
};
TestPki testPki();

} // namespace sockt::testing
