// Option structs (defaults from the official Python SDK reference) and the cancellation token.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "sockt/models.hpp"
#include "sockt/protocol.hpp"

namespace sockt {

using Duration = std::chrono::milliseconds;

/// Cooperative cancellation for blocking calls. Copies share one state; thread-safe.
///
/// Blocking calls wait in short slices (≤ 50 ms) and check the token between slices, so a binding
/// can honour Ctrl-C (Python: a check hook calling PyErr_CheckSignals) or an AbortSignal (Node:
/// cancel() from the JS thread). A cancelled call throws CancelledError.
class CancelToken {
public:
    CancelToken();

    void cancel();
    /// True once cancel() was called or the check hook returned true (the hook is then not called
    /// again: the token latches).
    bool cancelled() const;
    /// Hook polled by cancelled(); runs on the waiting thread. Set before the call starts.
    void setCheck(std::function<bool()> check);
    /// Sleeps up to `d`, waking early on cancel(). Returns false when cancelled.
    bool sleepFor(Duration d) const;
    /// Calls `f` when cancelled (immediately if already cancelled). Used to abort socket waits.
    /// Returns an id for removeCallback.
    std::uint64_t onCancel(std::function<void()> f) const;
    void removeCallback(std::uint64_t id) const;

    /// A token that is never cancelled.
    static const CancelToken& none();

private:
    struct State;
    std::shared_ptr<State> state_;
};

struct ClientOptions {
    /// Parameter > env (SOCKT_API_KEY, SOCKT_SANDBOX_TOKEN, SOCKT_API_URL) > default. An empty
    /// string counts as unset.
    std::optional<std::string> api_key;
    std::optional<std::string> sandbox_token;
    std::optional<std::string> base_url;
    /// Whole-request deadline of each HTTP request (connect, send, headers, body).
    Duration timeout = protocol::kRequestTimeout;
    /// PEM bundle to trust instead of the system CAs (env SOCKT_CA_FILE as fallback).
    std::optional<std::string> ca_file;
    /// Appended to the User-Agent `sockt-cpp/<version>` (bindings add `python/3.11` etc.).
    std::string user_agent_suffix;
    /// Replaces `sockt-cpp/<version>` entirely (the CLI sends `sockt-cli/<version>`, §10.1); the
    /// suffix is still appended.
    std::string user_agent;
    /// Keep-alive connections kept per client (one request in flight per connection).
    int max_idle_connections = 16;
    /// Pod-starting retries (docs/protocol.md §3.5); tests shorten the backoff.
    int pod_starting_retries = protocol::kPodStartingMaxRetries;
    Duration pod_starting_backoff = protocol::kPodStartingBackoff;
    /// Ignore env vars entirely (tests, and callers that manage credentials themselves).
    bool ignore_env = false;
};

struct CreateSandboxOptions {
    std::string tier = "nano";
    std::optional<std::string> billing_method;  // "credits" | "lightning"; server default credits
    std::optional<std::int64_t> prepaid_sats;
    std::optional<std::int64_t> initial_credits_cents;
    std::optional<std::string> label;
};

struct WaitOptions {
    Duration timeout = protocol::kWaitTimeout;
    Duration poll_interval = protocol::kWaitPollInterval;
};

struct ExecOptions {
    std::optional<std::string> working_dir;
    std::optional<std::int64_t> timeout_ms;  // server default 30000; 0 = none
};

/// How execSync / execWait poll (docs/protocol.md §4.4).
struct PollOptions {
    /// Upper bound of the sleep between polls; the first poll comes after ~10-20 ms and the
    /// interval backs off to this. Unused while the server offers long-poll.
    Duration poll_interval = protocol::kExecPollInterval;
    /// Give up (TimeoutError) after this long; nullopt = no client-side limit.
    std::optional<Duration> timeout;
    /// Called for every chunk in arrival order, on the calling thread.
    std::function<void(const OutputChunk&)> on_output;
    /// Use the long-poll extension when the server advertises it.
    bool allow_long_poll = true;
};

struct WriteFileOptions {
    std::string encoding = "utf8";  // "utf8" | "base64"
    bool create_dirs = true;
};

struct ReadFileOptions {
    std::string encoding = "utf8";
    std::optional<std::int64_t> max_bytes;
};

/// Sandbox::upload / Sandbox::download.
struct TransferOptions {
    /// Files moving at once, each in a request of its own (on the core's I/O threads, whichever
    /// thread called). Large files also share a memory budget, so a few of them move at a time.
    int concurrency = protocol::kTransferConcurrency;
    /// Called on the calling thread as bytes move (several times per large file) and once at the
    /// end; it must not call back into the transfer.
    std::function<void(const TransferProgress&)> on_progress;
    /// Mode bits: the file routes carry none, so an upload applies the local files' modes with one
    /// `chmod` command in the sandbox (only for modes other than 0644, directories other than
    /// 0755), and a download reads the remote modes with one `find` command and applies them
    /// locally. false: uploads get 0644/0755, downloads the local umask.
    bool preserve_mode = true;
};

struct ListFilesOptions {
    std::string path = ".";
    bool recursive = false;
    std::optional<std::int64_t> max_depth;
};

}  // namespace sockt
