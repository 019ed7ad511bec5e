// Result types of the Sockt API (official Python SDK reference "Data models", docs/protocol.md §2).
//
// Parsing is lenient (docs/protocol.md §12): unknown keys are ignored, integers may arrive as
// integral floats and floats as integers, `null` means "not applicable", and the documented aliases
// are honoured (`name`/`tier`, `size_bytes`/`size`, `sandbox_id`/`ID`/`id`). Every model keeps the
// object it was parsed from in `raw`. Plain values: safe to copy between threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sockt {

using Json = nlohmann::json;

struct Tier {
    std::string name;  // `name` when non-empty, else `tier`
    std::int64_t msats_per_second = 0;
    double sats_per_second = 0;
    double usd_cents_per_second = 0;
    double cost_per_minute_sats = 0;
    double cost_per_hour_sats = 0;
    double cost_per_day_sats = 0;
    double cost_per_hour_usd = 0;
    Json raw;

    static Tier fromJson(const Json& j);
};

struct PendingInvoice {
    std::string bolt11;
    std::string payment_hash;
    std::int64_t amount_msats = 0;
    std::optional<std::string> expires_at;
    Json raw;

    static PendingInvoice fromJson(const Json& j);
    /// nullopt for null, a missing key, or an object without bolt11 and payment_hash.
    static std::optional<PendingInvoice> fromJsonOpt(const Json& j);
};

struct SandboxStatus {
    std::string sandbox_id;
    std::string status;
    std::string tier;
    std::string runtime;
    std::string billing_method;
    std::string template_name;  // JSON `template`
    std::optional<std::string> label;
    std::optional<std::string> status_reason;
    std::optional<std::string> created_at;
    std::optional<std::string> terminated_at;
    std::int64_t consumed_msats = 0;
    std::optional<std::int64_t> msats_per_second;
    std::optional<double> sats_per_second;
    std::optional<std::int64_t> prepaid_balance_msats;
    std::optional<std::int64_t> seconds_remaining;
    std::optional<std::string> warning_level;
    std::optional<std::int64_t> next_poll_secs;
    bool metrics_stale = false;
    std::optional<std::int64_t> runtime_consumed_total;
    std::optional<PendingInvoice> pending_invoice;
    std::optional<std::string> invoice;
    std::optional<std::string> sandbox_token;
    std::optional<double> usd_cents_per_second;
    std::optional<std::int64_t> consumed_subcents;
    std::optional<std::int64_t> prepaid_balance_subcents;
    Json raw;  // the full response body

    static SandboxStatus fromJson(const Json& j);
    /// As above; the body is moved into `raw` instead of copied (status polls).
    static SandboxStatus fromJson(Json&& j);
};

/// The `POST /v1/sandboxes` answer (the superset of docs/protocol.md §2.2, both shapes).
struct CreatedSandbox {
    std::string sandbox_id;  // `sandbox_id`, else `ID`, else `id`
    std::string status;
    std::string tier;
    std::string billing_method;
    std::optional<std::string> label;
    std::optional<std::string> sandbox_token;
    std::optional<std::string> invoice;
    std::optional<std::string> payment_hash;
    std::optional<std::int64_t> amount_msats;
    std::optional<std::int64_t> amount_sats;
    std::optional<std::int64_t> msats_per_second;
    std::optional<std::int64_t> prepaid_seconds;
    std::optional<std::string> expires_at;
    std::optional<PendingInvoice> pending_invoice;  // falls back to invoice/payment_hash/amount
    std::optional<std::int64_t> prepaid_balance_subcents;
    std::optional<std::string> created_at;
    Json raw;

    static CreatedSandbox fromJson(const Json& j);
};

/// The answer to `POST …/exec`.
struct Execution {
    std::string execution_id;
    std::string status;
    std::string sandbox_id;
    std::string command;
    std::optional<std::string> working_dir;
    std::optional<std::int64_t> timeout_ms;
    std::optional<std::string> started_at;
    Json raw;

    static Execution fromJson(const Json& j);
};

struct OutputChunk {
    std::string stream;  // "stdout" | "stderr" (others tolerated)
    std::string chunk;
};

/// One poll of `GET /v1/executions/{id}` (new chunks only) or an accumulated result (execSync).
struct ExecResult {
    std::string execution_id;
    std::string status;
    std::vector<OutputChunk> output;
    std::optional<int> exit_code;
    std::optional<std::string> error;
    std::optional<PendingInvoice> pending_invoice;
    std::optional<std::string> sandbox_id;
    std::optional<std::string> started_at;
    std::optional<std::string> finished_at;
    Json raw;  // the last poll's body

    /// Concatenation of every `stdout` chunk (named so to avoid the C `stdout` macro).
    std::string stdoutText() const;
    /// Concatenation of every chunk whose stream is not `stdout`.
    std::string stderrText() const;
    bool finished() const;  // any status but `running` (docs/protocol.md §12 rule 5)

    static ExecResult fromJson(const Json& j);
    /// As above; the body is moved into `raw` instead of copied (execution polls).
    static ExecResult fromJson(Json&& j);
    /// Throws APIError when a poll answer's members have the wrong JSON types (a result with
    /// blanks would pass for success): `status` must be a non-empty string, `output` an array,
    /// `exit_code` a number, `error` a string (the last three may be absent or null).
    static void checkPollAnswer(const Json& j, const std::string& execution_id);
};

struct FileEntry {
    std::string name;
    std::int64_t size = 0;
    std::int64_t mod_ts = 0;
    bool is_dir = false;
    bool is_file = false;
    bool is_symlink = false;
    Json raw;

    static FileEntry fromJson(const Json& j);
};

struct FileListing {
    std::vector<FileEntry> entries;
    std::int64_t total_entries = 0;
    bool truncated = false;
    Json raw;

    static FileListing fromJson(const Json& j);
};

struct WriteResult {
    std::string path;
    std::int64_t bytes_written = 0;
    bool created_dirs = false;
    Json raw;
    /// The answer as received, keys in the server's order (`raw` sorts them); bindings that
    /// hand out the answer itself, as the official SDK does, build it from this.
    std::string raw_text;

    static WriteResult fromJson(const Json& j);
};

struct ReadResult {
    std::string path;
    std::int64_t size_bytes = 0;  // the whole file's size (`size_bytes`, else `size`)
    std::string encoding;
    bool truncated = false;
    /// As sent: text, or base64 when encoding is base64. Sandbox::readFileResult moves it here
    /// from the answer, so its `raw["content"]` is null (no second copy of a large file).
    std::string content;
    Json raw;

    static ReadResult fromJson(const Json& j);
};

struct TerminateResult {
    std::string sandbox_id;
    std::string status;
    std::int64_t consumed_msats_total = 0;
    std::optional<std::string> terminated_at;
    bool already_terminated = false;
    Json refund;  // object or null
    Json raw;
    std::string raw_text;  ///< as for WriteResult

    static TerminateResult fromJson(const Json& j);
};

/// Where an upload or download stands (Sandbox::upload / Sandbox::download).
struct TransferProgress {
    std::uint64_t bytes_done = 0;
    std::uint64_t bytes_total = 0;
    std::size_t files_done = 0;
    std::size_t files_total = 0;
};

/// What an upload or download moved.
struct TransferResult {
    std::size_t files = 0;        ///< regular files written
    std::size_t directories = 0;  ///< directories created (the root included for a directory)
    std::uint64_t bytes = 0;      ///< content bytes of those files
};

/// Payload of a billing event (Sandbox::on).
struct BillingEvent {
    std::string name;  // "pending_invoice" | "low_balance" | "out_of_balance"
    std::optional<PendingInvoice> invoice;  // set for pending_invoice
    Json data;  // the status (or poll) body that fired it
};

/// Shell frames (docs/protocol.md §6.3). `data` is always a string; extras stay in raw.
struct ShellFrame {
    std::string type;
    std::string data;
    std::optional<int> code;  // `exit` frames
    Json raw;
    std::string raw_text;  ///< the message as received (empty for frames that were not JSON)

    static ShellFrame fromJson(const Json& j);
};

// Base64 (standard alphabet, padded, unwrapped) for binary file content (docs/protocol.md §12 rule
// 12).
std::string base64Encode(std::string_view bytes);
/// Length of base64Encode() of `byte_count` bytes: 4 symbols per started group of 3 bytes.
std::size_t base64EncodedLength(std::size_t byte_count);
/// Writes base64Encode(bytes) to `out`, which must have room for base64EncodedLength(bytes.size())
/// chars (no terminator written), e.g. straight into a request body sized by the caller.
void base64EncodeInto(std::string_view bytes, char* out);
/// Ignores ASCII whitespace, accepts missing padding; throws InvalidArgumentError otherwise.
std::string base64Decode(std::string_view text);
/// Most bytes base64DecodeInto() can write for `text`; exact unless the text holds whitespace or
/// padding before its end.
std::size_t base64DecodedMaxLength(std::string_view text);
/// base64Decode() into `out`, which must have room for base64DecodedMaxLength(text) bytes;
/// returns how many it wrote. Throws as base64Decode() does (then `out` holds garbage). `out` may
/// be `text.data()` or lie before it (decoding in place): no byte is written before the text
/// behind it has been read.
std::size_t base64DecodeInto(std::string_view text, char* out);

}  // namespace sockt
