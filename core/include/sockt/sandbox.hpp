// Sandbox: one sandbox's lifecycle, commands, files and events (official Python SDK reference
// "Sandbox").
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sockt/models.hpp"
#include "sockt/options.hpp"

namespace sockt {

namespace detail {
class ClientCore;
struct SandboxState;
}  // namespace detail

class ShellSession;

/// A cheap, copyable handle; copies share the cached status, listeners and per-execution output
/// buffers. Thread-safe: calls from several threads run concurrently on the client's pool.
/// Event callbacks run on the thread whose call fired them, with no internal lock held.
class Sandbox {
public:
    using Listener = std::function<void(const BillingEvent&)>;

    const std::string& id() const;
    /// Last known status ("" before the first refresh of a handle made by ComputeClient::sandbox).
    std::string status() const;
    std::optional<PendingInvoice> pendingInvoice() const;
    /// The sandbox token issued at create (lightning), if any.
    std::optional<std::string> sandboxToken() const;
    /// The create response, when this handle came from createSandbox.
    std::optional<CreatedSandbox> created() const;
    std::optional<SandboxStatus> lastStatus() const;

    /// Polls until `running`. SandboxNotRunningError on timeout, `failed` or `terminated`; 429s
    /// back off per docs/protocol.md §3.5; unknown statuses keep waiting.
    void waitUntilRunning(const WaitOptions& options = {},
                          const CancelToken& cancel = CancelToken::none());
    /// GET status, updates the cache and fires billing events (docs/protocol.md §12 rule 11).
    SandboxStatus refreshStatus(const CancelToken& cancel = CancelToken::none());
    /// Returns the status after the call.
    std::string pause(const CancelToken& cancel = CancelToken::none());
    std::string resume(const CancelToken& cancel = CancelToken::none());
    TerminateResult terminate(const std::optional<std::string>& lightning_address = std::nullopt,
                              const CancelToken& cancel = CancelToken::none());

    /// Starts a command; returns at once. A sandbox last seen booting is first waited for
    /// (bounded by the client timeout).
    Execution exec(const std::string& command, const ExecOptions& options = {},
                   const CancelToken& cancel = CancelToken::none());
    /// One poll: the chunks not delivered before. They are also appended to this execution's
    /// buffer, so a later execWait/execSync still returns them.
    ExecResult execResult(const std::string& execution_id,
                          const CancelToken& cancel = CancelToken::none());
    /// Returns the status after the call ("cancelled", or the real terminal status).
    std::string execCancel(const std::string& execution_id,
                           const CancelToken& cancel = CancelToken::none());
    /// Polls until the execution ends; the result holds every chunk of the execution in order,
    /// including chunks fetched earlier through execResult. On cancellation the execution keeps
    /// running on the server (the caller decides whether to execCancel).
    ExecResult execWait(const std::string& execution_id, const PollOptions& options = {},
                        const CancelToken& cancel = CancelToken::none());
    /// Output as it arrives: waits (long-polling when the server offers it) until the execution
    /// has output not handed out by an earlier execNext, or has ended, and returns that output in
    /// order, starting with the execution's first chunk (also chunks fetched through execResult).
    /// `status` stays "running" until the call that reports the end, which carries the terminal
    /// status, exit code and error; later calls repeat them with no output. `on_output` also sees
    /// the returned chunks. Call it in a loop to iterate over an execution.
    ExecResult execNext(const std::string& execution_id, const PollOptions& options = {},
                        const CancelToken& cancel = CancelToken::none());
    /// exec + execWait.
    ExecResult execSync(const std::string& command, const ExecOptions& options = {},
                        const PollOptions& poll = {},
                        const CancelToken& cancel = CancelToken::none());

    WriteResult writeFile(const std::string& path, const std::string& content,
                          const WriteFileOptions& options = {},
                          const CancelToken& cancel = CancelToken::none());
    /// Base64-encodes `bytes` and writes them.
    WriteResult writeFileBytes(const std::string& path, std::string_view bytes,
                               bool create_dirs = true,
                               const CancelToken& cancel = CancelToken::none());
    /// The content as sent (text, or base64 for encoding "base64").
    std::string readFile(const std::string& path, const ReadFileOptions& options = {},
                         const CancelToken& cancel = CancelToken::none());
    /// Reads with base64 and decodes: the exact bytes.
    std::string readFileBytes(const std::string& path,
                              std::optional<std::int64_t> max_bytes = std::nullopt,
                              const CancelToken& cancel = CancelToken::none());
    /// readFileBytes into memory the caller provides, so a binding can decode straight into its
    /// own buffer type: `allocate(n)` is called once and returns room for n bytes; the call
    /// returns how many it wrote (at most n).
    std::size_t readFileBytesInto(const std::string& path,
                                  std::optional<std::int64_t> max_bytes,
                                  const std::function<char*(std::size_t)>& allocate,
                                  const CancelToken& cancel = CancelToken::none());
    /// The whole read answer (size_bytes, truncated, ...).
    ReadResult readFileResult(const std::string& path, const ReadFileOptions& options = {},
                              const CancelToken& cancel = CancelToken::none());
    std::vector<FileEntry> listFiles(const ListFilesOptions& options = {},
                                     const CancelToken& cancel = CancelToken::none());
    FileListing listFilesResult(const ListFilesOptions& options = {},
                                const CancelToken& cancel = CancelToken::none());

    /// Copies a local file or directory to `remote_path`, which becomes that copy: a directory's
    /// files land under `remote_path` itself (`upload("src", "up")` gives `up/a.txt`, not
    /// `up/src/a.txt`), recursively, several at a time. Binary-safe; each file is read from disk
    /// slice by slice while it is sent (never whole in memory), up to the server's request limit
    /// (a 48 MiB file is 64 MiB of base64). Symlinks to files are followed, symlinks to
    /// directories and special files skipped. Missing remote parents are created.
    TransferResult upload(const std::string& local_path, const std::string& remote_path,
                          const TransferOptions& options = {},
                          const CancelToken& cancel = CancelToken::none());
    /// Copies a remote file or directory to `local_path`, which becomes that copy (existing files
    /// are replaced, others left alone). Each file is written to a temporary name and renamed, so
    /// no half-written file remains after a failure; files over 48 MiB (the most a read returns)
    /// and listings over 10 000 entries are refused before anything is fetched. Remote symlinks
    /// are skipped.
    TransferResult download(const std::string& remote_path, const std::string& local_path,
                            const TransferOptions& options = {},
                            const CancelToken& cancel = CancelToken::none());

    /// A new, unconnected shell session on this sandbox.
    ShellSession shell() const;

    /// `event` is "pending_invoice", "low_balance" or "out_of_balance" (else InvalidArgumentError).
    /// Returns an id for off().
    std::uint64_t on(const std::string& event, Listener listener);
    /// Returns whether a listener was removed.
    bool off(const std::string& event, std::uint64_t listener_id);

    /// "Sandbox(id=…, status=…)"; token-free.
    std::string describe() const;

private:
    friend class ComputeClient;
    Sandbox(std::shared_ptr<detail::ClientCore> core, std::shared_ptr<detail::SandboxState> state);
    std::shared_ptr<detail::ClientCore> core_;
    std::shared_ptr<detail::SandboxState> state_;
};

}  // namespace sockt
