// Raw HTTP exchanges for tests that assert exact statuses, headers and bytes (Poco client, one
// connection per call so a test never depends on keep-alive state).
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace sockt::testing {

struct HttpReply {
    int status = 0;
    std::string body;
    std::map<std::string, std::string> headers; // lower-cased names
    std::string header(const std::string& lower_name) const;
    /// The body parsed as JSON (throws when it is not JSON).
    nlohmann::json json() const;
    /// The envelope's `code` ("" when the body is not an error envelope).
    std::string code() const;
};

struct HttpCall {
    std::string method = "GET";
    std::string target; // path + query, e.g. "/v1/sandboxes/tiers"
    std::optional<std::string> body;
    std::string bearer; // Authorization: Bearer <bearer> when non-empty
    std::vector<std::pair<std::string, std::string>> headers;
    bool chunked = false; // send the body with chunked transfer encoding
    /// Declare this Content-Length but send no body (tests of the size limit).
    std::optional<std::int64_t> declared_length;
    int timeout_secs = 60;
};

/// Sends one request to `base_url` (http://host:port).
HttpReply httpCall(const std::string& base_url, const HttpCall& call);
/// Sends `bytes` as they are (a request no HTTP client library would write, such as a negative
/// Content-Length) and reads one answer; status 0 when the server closed without one.
HttpReply rawHttp(const std::string& base_url, const std::string& bytes, int timeout_secs = 30);

// Shorthands.
HttpReply httpGet(const std::string& base, const std::string& target,
                  const std::string& bearer = {});
HttpReply httpPost(const std::string& base, const std::string& target, const nlohmann::json& body,
                   const std::string& bearer = {});
HttpReply httpDelete(const std::string& base, const std::string& target,
                     const std::string& bearer = {});

} // namespace sockt::testing
