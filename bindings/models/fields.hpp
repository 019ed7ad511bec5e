// The one table of the result models the bindings hand out (core/include/sockt/models.hpp, docs/
// protocol.md §2): every field once, with its Python (snake_case) and JavaScript (camelCase)
// names, its kind and the fronts that carry it. bindings/python/convert.cpp and
// bindings/node/convert.cpp expand these lists into their converters; tests/python/
// test_model_table.py and tests/node/model_table.test.mjs read this file and check the Python
// dataclasses (python/sockt/models.py) and the TypeScript types (node/src/types.ts) against it.
//
// A row: F(member, snake_name, camelName, Kind, Fronts)
//   member   the C++ member (or const method call) of the model
//   Kind     Str Int Float Bool OptStr OptInt OptFloat Json OptJson Invoice Chunks Count
//            (Invoice = an optional PendingInvoice; Chunks = a list of OutputChunk; Count = an
//            unsigned count; Json = an object, OptJson = an object or null)
//   Fronts   Both, PyOnly or JsOnly
// The converters check each Kind against the member's C++ type at compile time.
//
// Adding a field: the core's struct and fromJson (core/src/models.cpp), one row here, then the
// field in the dataclass and the TypeScript interface (the two tests above fail until they agree).
#pragma once

#include "sockt/models.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#define SOCKT_MODEL_Tier(F)                                                                   \
    F(name, name, name, Str, Both)                                                            \
    F(msats_per_second, msats_per_second, msatsPerSecond, Int, Both)                          \
    F(sats_per_second, sats_per_second, satsPerSecond, Float, Both)                           \
    F(usd_cents_per_second, usd_cents_per_second, usdCentsPerSecond, Float, Both)             \
    F(cost_per_minute_sats, cost_per_minute_sats, costPerMinuteSats, Float, Both)             \
    F(cost_per_hour_sats, cost_per_hour_sats, costPerHourSats, Float, Both)                   \
    F(cost_per_day_sats, cost_per_day_sats, costPerDaySats, Float, Both)                      \
    F(cost_per_hour_usd, cost_per_hour_usd, costPerHourUsd, Float, Both)                      \
    F(raw, raw, raw, Json, Both)

#define SOCKT_MODEL_PendingInvoice(F)                                                         \
    F(bolt11, bolt11, bolt11, Str, Both)                                                      \
    F(payment_hash, payment_hash, paymentHash, Str, Both)                                     \
    F(amount_msats, amount_msats, amountMsats, Int, Both)                                     \
    F(expires_at, expires_at, expiresAt, OptStr, Both)                                        \
    F(raw, raw, raw, Json, Both)

#define SOCKT_MODEL_SandboxStatus(F)                                                          \
    F(sandbox_id, sandbox_id, sandboxId, Str, Both)                                           \
    F(status, status, status, Str, Both)                                                      \
    F(tier, tier, tier, Str, Both)                                                            \
    F(runtime, runtime, runtime, Str, Both)                                                   \
    F(billing_method, billing_method, billingMethod, Str, Both)                               \
    F(template_name, template, template, Str, Both)                                           \
    F(consumed_msats, consumed_msats, consumedMsats, Int, Both)                               \
    F(msats_per_second, msats_per_second, msatsPerSecond, OptInt, Both)                       \
    F(sats_per_second, sats_per_second, satsPerSecond, OptFloat, Both)                        \
    F(prepaid_balance_msats, prepaid_balance_msats, prepaidBalanceMsats, OptInt, Both)        \
    F(seconds_remaining, seconds_remaining, secondsRemaining, OptInt, Both)                   \
    F(warning_level, warning_level, warningLevel, OptStr, Both)                               \
    F(next_poll_secs, next_poll_secs, nextPollSecs, OptInt, Both)                             \
    F(pending_invoice, pending_invoice, pendingInvoice, Invoice, Both)                        \
    F(sandbox_token, sandbox_token, sandboxToken, OptStr, Both)                               \
    F(raw, raw, raw, Json, Both)                                                              \
    F(label, label, label, OptStr, Both)                                                      \
    F(status_reason, status_reason, statusReason, OptStr, Both)                               \
    F(created_at, created_at, createdAt, OptStr, Both)                                        \
    F(terminated_at, terminated_at, terminatedAt, OptStr, Both)                               \
    F(metrics_stale, metrics_stale, metricsStale, Bool, Both)                                 \
    F(runtime_consumed_total, runtime_consumed_total, runtimeConsumedTotal, OptInt, Both)     \
    F(invoice, invoice, invoice, OptStr, Both)                                                \
    F(usd_cents_per_second, usd_cents_per_second, usdCentsPerSecond, OptFloat, Both)          \
    F(consumed_subcents, consumed_subcents, consumedSubcents, OptInt, Both)                   \
    F(prepaid_balance_subcents, prepaid_balance_subcents, prepaidBalanceSubcents, OptInt, Both)

#define SOCKT_MODEL_CreatedSandbox(F)                                                         \
    F(sandbox_id, sandbox_id, sandboxId, Str, Both)                                           \
    F(status, status, status, Str, Both)                                                      \
    F(tier, tier, tier, Str, Both)                                                            \
    F(billing_method, billing_method, billingMethod, Str, Both)                               \
    F(label, label, label, OptStr, Both)                                                      \
    F(sandbox_token, sandbox_token, sandboxToken, OptStr, Both)                               \
    F(invoice, invoice, invoice, OptStr, Both)                                                \
    F(payment_hash, payment_hash, paymentHash, OptStr, Both)                                  \
    F(amount_msats, amount_msats, amountMsats, OptInt, Both)                                  \
    F(amount_sats, amount_sats, amountSats, OptInt, Both)                                     \
    F(msats_per_second, msats_per_second, msatsPerSecond, OptInt, Both)                       \
    F(prepaid_seconds, prepaid_seconds, prepaidSeconds, OptInt, Both)                         \
    F(expires_at, expires_at, expiresAt, OptStr, Both)                                        \
    F(pending_invoice, pending_invoice, pendingInvoice, Invoice, Both)                        \
    F(prepaid_balance_subcents, prepaid_balance_subcents, prepaidBalanceSubcents, OptInt, Both) \
    F(created_at, created_at, createdAt, OptStr, Both)                                        \
    F(raw, raw, raw, Json, Both)

#define SOCKT_MODEL_Execution(F)                                                              \
    F(execution_id, execution_id, executionId, Str, Both)                                     \
    F(status, status, status, Str, Both)                                                      \
    F(sandbox_id, sandbox_id, sandboxId, Str, Both)                                           \
    F(command, command, command, Str, Both)                                                   \
    F(working_dir, working_dir, workingDir, OptStr, Both)                                     \
    F(timeout_ms, timeout_ms, timeoutMs, OptInt, Both)                                        \
    F(started_at, started_at, startedAt, OptStr, Both)                                        \
    F(raw, raw, raw, Json, Both)

#define SOCKT_MODEL_OutputChunk(F)                                                            \
    F(stream, stream, stream, Str, Both)                                                      \
    F(chunk, chunk, chunk, Str, Both)

#define SOCKT_MODEL_ExecResult(F)                                                             \
    F(execution_id, execution_id, executionId, Str, Both)                                     \
    F(status, status, status, Str, Both)                                                      \
    F(output, output, output, Chunks, Both)                                                   \
    F(stdoutText(), stdout, stdout, Str, JsOnly)                                              \
    F(stderrText(), stderr, stderr, Str, JsOnly)                                              \
    F(exit_code, exit_code, exitCode, OptInt, Both)                                           \
    F(error, error, error, OptStr, Both)                                                      \
    F(pending_invoice, pending_invoice, pendingInvoice, Invoice, Both)                        \
    F(sandbox_id, sandbox_id, sandboxId, OptStr, Both)                                        \
    F(started_at, started_at, startedAt, OptStr, Both)                                        \
    F(finished_at, finished_at, finishedAt, OptStr, Both)                                     \
    F(raw, raw, raw, Json, Both)

#define SOCKT_MODEL_FileEntry(F)                                                              \
    F(name, name, name, Str, Both)                                                            \
    F(size, size, size, Int, Both)                                                            \
    F(mod_ts, mod_ts, modTs, Int, Both)                                                       \
    F(is_dir, is_dir, isDir, Bool, Both)                                                      \
    F(is_file, is_file, isFile, Bool, Both)                                                   \
    F(is_symlink, is_symlink, isSymlink, Bool, Both)                                          \
    F(raw, raw, raw, Json, Both)

#define SOCKT_MODEL_WriteResult(F)                                                            \
    F(path, path, path, Str, Both)                                                            \
    F(bytes_written, bytes_written, bytesWritten, Int, Both)                                  \
    F(created_dirs, created_dirs, createdDirs, Bool, Both)                                    \
    F(raw, raw, raw, Json, Both)

#define SOCKT_MODEL_ReadResult(F)                                                             \
    F(path, path, path, Str, Both)                                                            \
    F(size_bytes, size_bytes, sizeBytes, Int, Both)                                           \
    F(encoding, encoding, encoding, Str, Both)                                                \
    F(truncated, truncated, truncated, Bool, Both)                                            \
    F(content, content, content, Str, Both)                                                   \
    F(raw, raw, raw, Json, Both)

#define SOCKT_MODEL_TerminateResult(F)                                                        \
    F(sandbox_id, sandbox_id, sandboxId, Str, Both)                                           \
    F(status, status, status, Str, Both)                                                      \
    F(consumed_msats_total, consumed_msats_total, consumedMsatsTotal, Int, Both)              \
    F(terminated_at, terminated_at, terminatedAt, OptStr, Both)                               \
    F(already_terminated, already_terminated, alreadyTerminated, Bool, Both)                  \
    F(refund, refund, refund, OptJson, Both)                                                  \
    F(raw, raw, raw, Json, Both)

// Python hands out the frame as the JSON object itself (its extras kept) with these on top.
#define SOCKT_MODEL_ShellFrame(F)                                                             \
    F(type, type, type, Str, Both)                                                            \
    F(data, data, data, Str, Both)                                                            \
    F(code, code, code, OptInt, Both)                                                         \
    F(raw, raw, raw, Json, JsOnly)

#define SOCKT_MODEL_BillingEvent(F)                                                           \
    F(name, name, name, Str, Both)                                                            \
    F(invoice, invoice, invoice, Invoice, Both)                                               \
    F(data, data, data, Json, Both)

#define SOCKT_MODEL_TransferProgress(F)                                                       \
    F(bytes_done, bytes_done, bytesDone, Count, Both)                                         \
    F(bytes_total, bytes_total, bytesTotal, Count, Both)                                      \
    F(files_done, files_done, filesDone, Count, Both)                                         \
    F(files_total, files_total, filesTotal, Count, Both)

#define SOCKT_MODEL_TransferResult(F)                                                         \
    F(files, files, files, Count, Both)                                                       \
    F(directories, directories, directories, Count, Both)                                     \
    F(bytes, bytes, bytes, Count, Both)

// Every model of the table, for converters defined once for all of them.
#define SOCKT_MODELS(M)                                                                       \
    M(Tier) M(PendingInvoice) M(SandboxStatus) M(CreatedSandbox) M(Execution) M(OutputChunk)  \
    M(ExecResult) M(FileEntry) M(WriteResult) M(ReadResult) M(TerminateResult) M(ShellFrame)  \
    M(BillingEvent) M(TransferProgress) M(TransferResult)

namespace sockt::bindings {

enum class Front { Python, JavaScript };
enum class Fronts { Both, PyOnly, JsOnly };

constexpr bool carries(Fronts fronts, Front front) {
    return fronts == Fronts::Both || (fronts == Fronts::PyOnly) == (front == Front::Python);
}

// The C++ types a Kind allows: the converters static_assert each row against its member.
template <class T, class... Allowed> constexpr bool oneOf = (std::is_same_v<T, Allowed> || ...);
namespace kind {
template <class T> constexpr bool Str = oneOf<T, std::string>;
template <class T> constexpr bool Int = oneOf<T, std::int64_t, int>;
template <class T> constexpr bool Float = oneOf<T, double>;
template <class T> constexpr bool Bool = oneOf<T, bool>;
template <class T> constexpr bool OptStr = oneOf<T, std::optional<std::string>>;
template <class T>
constexpr bool OptInt = oneOf<T, std::optional<std::int64_t>, std::optional<int>>;
template <class T> constexpr bool OptFloat = oneOf<T, std::optional<double>>;
template <class T> constexpr bool Json = oneOf<T, sockt::Json>;
template <class T> constexpr bool OptJson = oneOf<T, sockt::Json>;
template <class T> constexpr bool Invoice = oneOf<T, std::optional<PendingInvoice>>;
template <class T> constexpr bool Chunks = oneOf<T, std::vector<OutputChunk>>;
template <class T> constexpr bool Count = oneOf<T, std::uint64_t, std::size_t>;
} // namespace kind

} // namespace sockt::bindings

// visitFields<front>(m, visit): visit(name, value) for each row of m's model that `front`
// carries, in table order, with the front's spelling of the name (a string literal).
#define SOCKT_MODEL_VISIT_ROW(member, snake, camel, Kind, fronts)                            \
    if constexpr (::sockt::bindings::carries(::sockt::bindings::Fronts::fronts, front)) {    \
        static_assert(::sockt::bindings::kind::Kind<std::decay_t<decltype(m.member)>>,       \
                      #member " is not of kind " #Kind);                                     \
        visit(front == ::sockt::bindings::Front::Python ? #snake : #camel, m.member);        \
    }
#define SOCKT_MODEL_DEFINE_VISIT(Model)                                                       \
    template <Front front, class Visit> void visitFields(const Model& m, Visit&& visit) {     \
        SOCKT_MODEL_##Model(SOCKT_MODEL_VISIT_ROW)                                            \
    }

namespace sockt::bindings {
SOCKT_MODELS(SOCKT_MODEL_DEFINE_VISIT)
} // namespace sockt::bindings
