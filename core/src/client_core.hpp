// INTERNAL: the shared state behind ComputeClient, Sandbox and ShellSession (not installed).
//
// One ClientCore per ComputeClient; Sandbox handles and shell sessions hold a shared_ptr to it, so
// it outlives the ComputeClient object until close(). Thread-safe: the resolved configuration is
// immutable after construction, the pool and the long-poll flag have their own synchronisation.
// It sits on transport/ (TransportContext, the pool, the codec); core/src/shell/ builds on it.
#pragma once

#include "sockt/client.hpp"
#include "sockt/errors.hpp"
#include "sockt/models.hpp"
#include "sockt/options.hpp"
#include "sockt/sandbox.hpp"
#include "transport/transport_context.hpp"

#include <Poco/URI.h>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace sockt::detail {

class ConnectionPool;

/// A credential with what it is: sandbox tokens also travel as `?sandbox_token=` on GET and DELETE
/// (docs/protocol.md §12 rule 6), API keys never do. Tokens are opaque (§12 rule 2), so the kind
/// comes from where the credential was configured, not from its text.
struct Credential {
    std::string value;
    bool sandbox_token = false;
};

/// Configuration after parameter > env > default resolution (docs/protocol.md §12 rule 6).
struct ResolvedConfig {
    std::string base_url; // no trailing '/', may carry a path prefix
    std::optional<std::string> api_key;
    std::optional<std::string> sandbox_token;
    std::optional<std::string> ca_file;
    Duration timeout = protocol::kRequestTimeout;
    std::string user_agent; // "sockt-cpp/<version>[ suffix]"
    int max_idle_connections = 16;
    int pod_starting_retries = protocol::kPodStartingMaxRetries;
    Duration pod_starting_backoff = protocol::kPodStartingBackoff;
};

ResolvedConfig resolveConfig(const ClientOptions& options);

class ClientCore : public std::enable_shared_from_this<ClientCore> {
public:
    explicit ClientCore(const ClientOptions& options);
    ~ClientCore();
    ClientCore(const ClientCore&) = delete;
    ClientCore& operator=(const ClientCore&) = delete;

    /// One logical request: pool, whole-request deadline (timeout()), one safe retry of a GET or
    /// DELETE that failed on a reused keep-alive connection, pod-starting retries (§3.5). Error
    /// statuses are returned; transport failures throw ConnectionError / TimeoutError, a fired
    /// token CancelledError. `request.credential` unset = credential() of this client.
    HttpResponse send(const HttpRequest& request, const CancelToken& cancel);
    /// The same with an explicit credential (nullopt = send none).
    HttpResponse sendAs(const HttpRequest& request, const std::optional<Credential>& credential,
                        const CancelToken& cancel);
    /// sendAs + throw for status >= 400 + parse the JSON body (APIError when it is not JSON).
    Json callJson(const HttpRequest& request, const std::optional<Credential>& credential,
                  const CancelToken& cancel);
    /// The same with the body produced by `body` (`request.body` must be unset); `body` must
    /// outlive the call and produce the same bytes on every attempt.
    HttpResponse sendAs(const HttpRequest& request, const std::optional<Credential>& credential,
                        const CancelToken& cancel, const BodySource& body);
    Json callJson(const HttpRequest& request, const std::optional<Credential>& credential,
                  const CancelToken& cancel, const BodySource& body);
    /// sendAs reporting the answer's body as it arrives.
    HttpResponse sendAs(const HttpRequest& request, const std::optional<Credential>& credential,
                        const CancelToken& cancel, const BodyProgress& on_body);

    const std::string& baseUrl() const { return config_.base_url; }
    /// The credential requests carry by default: the sandbox token wins over the API key.
    std::optional<std::string> credential() const;
    std::optional<Credential> defaultCredential() const;
    bool credentialIsSandboxToken() const { return config_.sandbox_token.has_value(); }
    const std::optional<std::string>& apiKey() const { return config_.api_key; }
    const std::optional<std::string>& sandboxToken() const { return config_.sandbox_token; }
    Duration timeout() const { return config_.timeout; }
    const std::string& userAgent() const { return config_.user_agent; }
    const ResolvedConfig& config() const { return config_; }

    /// The base URL as a URI (scheme, host, port, path prefix).
    const Poco::URI& baseUri() const { return transport_.baseUri(); }
    /// The transport beneath this client (TLS context, connection count), for connections outside
    /// the pool (the shell's WebSocket upgrade).
    TransportContext& transport() { return transport_; }
    /// `<base path>/v1<path>` (or `path` when absolute).
    std::string targetPath(const std::string& path, bool absolute) const;

    bool supportsLongPoll() const { return long_poll_.load(); }
    bool supportsReplay() const { return replay_.load(); }
    void noteResponseHeaders(const HttpResponse& response);

    void close();
    bool closed() const { return closed_.load(); }
    /// Throws ConnectionError once closed.
    void ensureOpen() const;
    std::uint64_t connectionsOpened() const { return transport_.connectionsOpened(); }

    /// "ComputeClient(base_url=…, credential=sbx_…abcd)".
    std::string describe() const;

    /// What callJson makes of an answer: statuses >= 400 throw the mapped error, an empty body
    /// is `{}`, a body that is not JSON throws ProtocolError.
    static Json parseJsonAnswer(const HttpRequest& request, const HttpResponse& response);

private:
    HttpResponse sendWith(const HttpRequest& request, const std::optional<Credential>& credential,
                          const CancelToken& cancel, const BodySource* source,
                          const BodyProgress* on_body = nullptr);

    ResolvedConfig config_;
    TransportContext transport_;
    std::unique_ptr<ConnectionPool> pool_;
    std::atomic<bool> long_poll_{false};
    std::atomic<bool> replay_{false};
    std::atomic<bool> closed_{false};
};

/// Output of one execution accumulated across polls (docs/protocol.md §12 rule 10).
struct ExecBuffer {
    std::mutex mutex;
    std::vector<OutputChunk> chunks;
    bool finished = false;
    /// Chunks already handed out by Sandbox::execNext.
    std::size_t streamed = 0;
    /// Highest chunk `seq` received: the next poll's `since` once the server advertised replay
    /// (docs/protocol.md §4.5).
    std::int64_t last_seq = 0;
    /// The poll that reported the end, without its output (execNext answers from it afterwards).
    std::optional<ExecResult> final_poll;
};

/// Shared by every copy of a Sandbox handle (and by anything that acts on the sandbox).
struct SandboxState {
    explicit SandboxState(std::string sandbox_id) : id(std::move(sandbox_id)) {}

    const std::string id;

    mutable std::mutex mutex; // guards everything below; never held while calling out
    std::string status;
    /// The last status answer's text: lastStatus() re-makes the SandboxStatus from it when asked,
    /// so a status poll does not pay for a second copy of everything it parsed.
    std::optional<std::string> last_status_body;
    std::optional<CreatedSandbox> created;
    std::optional<PendingInvoice> pending_invoice;
    /// Token issued for this sandbox (lightning create, or seen in its status).
    std::optional<std::string> own_token;

    // Billing events (docs/protocol.md §12 rule 11). Each listener remembers the last invoice it
    // was given, so it hears about every invoice once, including one already outstanding when it
    // was registered (the reference's `on("pending_invoice", cb); refresh_status()` example).
    struct ListenerEntry {
        std::uint64_t id;
        Sandbox::Listener listener;
        std::string delivered_payment_hash;
    };
    std::optional<std::string> last_warning_level;
    std::map<std::string, std::vector<ListenerEntry>> listeners;
    std::uint64_t next_listener_id = 1;

    // Per-execution output buffers; finished ones are kept in a small FIFO (finished_order).
    std::map<std::string, std::shared_ptr<ExecBuffer>> exec_buffers;
    std::vector<std::string> finished_order;
};

} // namespace sockt::detail
