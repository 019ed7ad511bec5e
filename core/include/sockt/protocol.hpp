// Protocol constants shared by every client and by `sockt serve`: the single source of truth for
// tiers, statuses, error slugs and the documented defaults (docs/protocol.md §§1-8, §12).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace sockt {

/// Library version, also reported by the CLI and the local server.
std::string_view version();

namespace protocol {

using std::chrono::milliseconds;

inline constexpr std::string_view kDefaultBaseUrl = "https://api.sockt.dev";
inline constexpr std::string_view kApiPrefix = "/v1";
inline constexpr std::string_view kSandboxHome = "/home/sandbox";
inline constexpr std::string_view kApiKeyPrefix = "sockt_live_";
inline constexpr std::string_view kSandboxTokenPrefix = "sbx_";

// Documented client constants (official Python SDK reference, "Configuration").
inline constexpr milliseconds kRequestTimeout{120'000};
inline constexpr milliseconds kExecPollInterval{500};
inline constexpr milliseconds kWaitPollInterval{2'000};
inline constexpr milliseconds kWaitTimeout{120'000};
inline constexpr milliseconds kPodStartingBackoff{2'000};
inline constexpr int kPodStartingMaxRetries = 3;
// docs/protocol.md §3.5: polling loops give up after this many consecutive 429s.
inline constexpr int kMaxConsecutiveRateLimited = 5;
inline constexpr milliseconds kDefaultRetryAfter{2'000};
// docs/protocol.md §10.12: the CLI's retries (pod starting and data-plane host errors) make at
// most this many attempts, this far apart.
inline constexpr int kCliMaxAttempts = 3;
inline constexpr milliseconds kCliRetryBackoff{2'000};
// docs/protocol.md §4.4: what our clients ask for once the server advertises `long-poll`.
// Files an upload or download moves at once unless told otherwise. 16 rather than 8: more small
// writes in flight share more of the server's directory fsyncs (docs/protocol.md §5.1).
inline constexpr int kTransferConcurrency = 16;
inline constexpr int kLongPollWaitMs = 25'000;
inline constexpr int kMaxLongPollWaitMs = 30'000;
inline constexpr std::string_view kExtensionsHeader = "Sockt-Extensions";
inline constexpr std::string_view kLongPollExtension = "long-poll";
// docs/protocol.md §4.5: numbered chunks, `since=<seq>` acknowledges and replays.
inline constexpr std::string_view kReplayExtension = "replay";
// The header value of our server: every extension it implements.
inline constexpr std::string_view kServerExtensions = "long-poll, replay";
// Our clients' cap on one response body (docs/faults.md, "The rules behind the rows"): twice the largest
// answer our server can legally send (an exec poll holding the whole 16 MiB output buffer with
// every byte escaped as \u00XX: 96 MiB; a 48 MiB files read is 64 MiB of base64). Past it the
// answer is dropped with an APIError instead of growing without bound.
inline constexpr std::int64_t kMaxResponseBodyBytes = 192LL * 1024 * 1024;

// Server-side limits (docs/protocol.md §1.2, §3.3, §4.3, §5).
inline constexpr std::int64_t kMaxRequestBodyBytes = 72LL * 1024 * 1024;
inline constexpr std::int64_t kMaxReadBytes = 48LL * 1024 * 1024;
inline constexpr std::int64_t kMaxUndeliveredOutputBytes = 16LL * 1024 * 1024;
inline constexpr std::size_t kMaxChunkBytes = 64 * 1024;
inline constexpr int kMaxRunningExecutions = 10;
inline constexpr int kMaxShellsPerSandbox = 5;
inline constexpr int kDefaultExecTimeoutMs = 30'000;
inline constexpr std::int64_t kMaxExecTimeoutMs = 86'400'000;
inline constexpr int kMaxListEntries = 10'000;
inline constexpr int kDefaultRateLimitPerMinute = 300;
inline constexpr int kMaxLabelLength = 128;
inline constexpr std::int64_t kDefaultPrepaidSats = 1000;
inline constexpr std::int64_t kMaxPrepaidSats = 10'000'000;
inline constexpr std::int64_t kSubcentsPerCent = 100'000;
inline constexpr std::chrono::seconds kInvoiceExpiry{15 * 60};
inline constexpr std::chrono::seconds kShellTicketLifetime{60};
inline constexpr std::chrono::hours kExecutionRetention{24};
inline constexpr int kLowBalanceSeconds = 60;

/// One row of docs/protocol.md §8.
struct TierSpec {
    std::string_view name;
    std::int64_t msats_per_second;
    double sats_per_second;
    double usd_cents_per_second;
    std::int64_t cost_per_minute_sats;
    std::int64_t cost_per_hour_sats;
    std::int64_t cost_per_day_sats;
    double cost_per_hour_usd;
    std::int64_t cents_per_hour;  // exact credits accrual (§7.2)
};

inline constexpr TierSpec kTiers[] = {
    {"nano", 500, 0.5, 0.000277, 30, 1800, 43200, 0.01, 1},
    {"micro", 1000, 1.0, 0.000555, 60, 3600, 86400, 0.02, 2},
    {"small", 2500, 2.5, 0.001388, 150, 9000, 216000, 0.05, 5},
    {"medium", 5000, 5.0, 0.002777, 300, 18000, 432000, 0.1, 10},
    {"large", 10000, 10.0, 0.005555, 600, 36000, 864000, 0.2, 20},
    {"gpu-small", 25000, 25.0, 0.013888, 1500, 90000, 2160000, 0.5, 50},
};
inline constexpr std::string_view kTiersNote =
    "usd_cents_per_second applies to credits billing; msats_per_second to lightning billing.";

/// The tier called `name`, or nullptr.
const TierSpec* findTier(std::string_view name);

// Sandbox statuses (§1.7) and how clients classify them (§12 rule 5).
enum class StatusClass { Runnable, Booting, NeedsAction, Final, Unknown };
StatusClass classifyStatus(std::string_view status);
bool isTerminalExecutionStatus(std::string_view status);

/// One row of the slug table (§3.2).
struct SlugSpec {
    std::string_view code;
    int http_status;
    std::string_view label;  // the envelope's `error`
};
inline constexpr SlugSpec kSlugs[] = {
    {"invalid_params", 400, "invalid params"},
    {"bad_request", 400, "bad request"},
    {"pod_unreachable", 400, "pod unreachable"},
    {"unauthorized", 401, "unauthorized"},
    {"insufficient_credits", 402, "insufficient credits"},
    {"payment_required", 402, "payment required"},
    {"forbidden", 403, "forbidden"},
    {"not_found", 404, "not found"},
    {"file_not_found", 404, "file not found"},
    {"method_not_allowed", 405, "method not allowed"},
    {"sandbox_paused", 409, "sandbox paused"},
    {"invalid_state", 409, "invalid state"},
    {"sandbox_terminated", 410, "sandbox terminated"},
    {"invoice_expired", 410, "invoice expired"},
    {"payload_too_large", 413, "payload too large"},
    {"too_many_executions", 429, "too many executions"},
    {"internal_error", 500, "internal error"},
    {"host_error", 502, "host error"},
    {"no_capacity", 503, "no capacity"},
    {"pod_starting", 503, "pod unreachable"},
};
/// The slug row for `code`, or nullptr.
const SlugSpec* findSlug(std::string_view code);

// Retry classification (docs/protocol.md §3.5, §10.12), shared by the SDK core and the CLI.
/// The slug of an error body: `code`, else `error`; empty when the body is not a JSON object.
std::string errorSlug(std::string_view body);
/// The pod is still starting: a 503 whose body mentions `starting` (`pod_starting` included), or,
/// when `pod_unreachable_too` (§3.5; the CLI's §10.12 rule leaves it out), a 400 pod_unreachable.
bool isPodStarting(int status, std::string_view body, std::string_view slug,
                   bool pod_unreachable_too);
/// §10.12 host error of a data-plane call: 502, 503, or slug host_error / pod_starting /
/// pod_unreachable (never a body substring).
bool isHostError(int status, std::string_view slug);
/// §3.5 answers that guarantee the request had no effect, so a client resends it unchanged even
/// when it may start something (exec start, files write): 503 pod_starting, 400 pod_unreachable.
bool isNoEffectRetry(int status, std::string_view slug);

// The checks of a caller's durations, so that every front reports a bad one the same way (an
// InvalidArgumentError naming the parameter). A front that was given nothing passes nothing on:
// the option structs of options.hpp hold the defaults above.
/// Seconds (Python): finite and >= 0, rounded to milliseconds.
milliseconds secondsArg(double seconds, std::string_view name);
/// Milliseconds (Node): a whole number >= 0 that a double holds exactly.
milliseconds millisArg(double millis, std::string_view name);

/// `sockt_live_…abcd` / `sbx_…abcd` / `…abcd` / `…` (§12 rule 7).
std::string redact(std::string_view secret);
/// Replaces the value of every `sandbox_token=` query parameter in `text` with its redaction.
std::string redactUrl(std::string_view text);

}  // namespace protocol
}  // namespace sockt
