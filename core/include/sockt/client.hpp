// ComputeClient: the entry point (official Python SDK reference "ComputeClient").
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sockt/errors.hpp"
#include "sockt/models.hpp"
#include "sockt/options.hpp"
#include "sockt/sandbox.hpp"

namespace sockt {

namespace detail {
class ClientCore;
}

/// A raw HTTP exchange, for tools that must reproduce exact bytes (the CLI) or measure the wire.
struct HttpRequest {
    std::string method;  // "GET", "POST", "DELETE"
    std::string path;    // below "/v1", e.g. "/sandboxes/tiers"; or absolute (e.g. "/local/v1/…")
    std::vector<std::pair<std::string, std::string>> query;  // unencoded; encoded by the client
    std::optional<std::string> body;  // sent as application/json when set
    /// Credential for this request; nullopt = the client's own (token wins over key).
    std::optional<std::string> credential;
    /// Path is absolute (not prefixed with /v1).
    bool absolute_path = false;
    /// Apply the pod-starting retry of docs/protocol.md §3.5.
    bool retry_pod_starting = true;
};

struct HttpResponse {
    int status = 0;
    std::string body;
    std::map<std::string, std::string> headers;  // lower-cased names
    const std::string& header(const std::string& lower_name) const;
};

/// Thread-safe. Owns a pool of keep-alive connections (one request in flight per connection);
/// Sandbox handles share it and stay valid after the ComputeClient object is destroyed (they keep
/// the pool alive) until close() is called, after which every call throws ConnectionError.
class ComputeClient {
public:
    explicit ComputeClient(ClientOptions options = {});
    ~ComputeClient();
    ComputeClient(const ComputeClient&) = delete;
    ComputeClient& operator=(const ComputeClient&) = delete;
    ComputeClient(ComputeClient&&) noexcept;
    ComputeClient& operator=(ComputeClient&&) noexcept;

    std::vector<Tier> listTiers(const CancelToken& cancel = CancelToken::none());
    /// Credits creates send the API key even when a sandbox token is configured (docs/protocol.md
    /// §12.6).
    Sandbox createSandbox(const CreateSandboxOptions& options = {},
                          const CancelToken& cancel = CancelToken::none());
    /// Loads the status (refreshStatus) before returning.
    Sandbox getSandbox(const std::string& sandbox_id,
                       const CancelToken& cancel = CancelToken::none());
    /// A handle without a network call (status unknown until refreshStatus).
    Sandbox sandbox(const std::string& sandbox_id);

    /// Sends a request with this client's credentials, pool, deadline and retries. Error statuses
    /// are returned, not thrown; transport failures throw ConnectionError / TimeoutError.
    HttpResponse request(const HttpRequest& request,
                         const CancelToken& cancel = CancelToken::none());
    /// Throws the SocktError subclass for an error response (status >= 400); no-op otherwise.
    static void throwForStatus(const HttpResponse& response);

    /// Closes every connection. Idempotent; later calls throw ConnectionError.
    void close();
    bool closed() const;

    const std::string& baseUrl() const;
    /// Whether the server has advertised the long-poll extension (docs/protocol.md §4.4).
    bool supportsLongPoll() const;
    /// Whether the server has advertised the replay extension (docs/protocol.md §4.5).
    bool supportsReplay() const;
    /// "ComputeClient(base_url=…, credential=sockt_live_…abcd)"; never a full credential.
    std::string describe() const;

    /// Connections opened so far (tests and benchmarks check keep-alive reuse).
    std::uint64_t connectionsOpened() const;

private:
    std::shared_ptr<detail::ClientCore> core_;
};

}  // namespace sockt
