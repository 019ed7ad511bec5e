// Sandbox::upload / Sandbox::download: local files and trees to and from a sandbox, several files
// at a time (transfer/: the plan, the per-file jobs, the parallel runner).
#include "sandbox_internal.hpp"
#include "sockt/sandbox.hpp"
#include "transfer/file_jobs.hpp"
#include "transfer/parallel_run.hpp"
#include "transfer/transfer_plan.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <system_error>

namespace sockt {
namespace fs = std::filesystem;
using namespace detail::transfer;

namespace {

// Answers held at once by parallel downloads, and encode buffers of uploads: a file larger than
// what is left waits for others to finish (or moves alone).
constexpr std::uint64_t kMemoryBudget = 96ull * 1024 * 1024;

std::uint64_t totalSize(const Plan& plan) {
    std::uint64_t total = 0;
    for (const auto& f : plan.files)
        total += f.size;
    return total;
}

// Moves every file of `plan` with `move(core, state, entry, progress, token)`, several at a time,
// reporting to options.on_progress; returns the bytes moved.
template <class Move>
std::uint64_t moveFiles(const Plan& plan, const std::shared_ptr<detail::ClientCore>& core,
                        const std::shared_ptr<detail::SandboxState>& state,
                        const TransferOptions& options, const CancelToken& cancel, Move move) {
    std::vector<Job> jobs;
    for (const auto& f : plan.files) {
        jobs.push_back({f.size, [core, state, f, move](const CancelToken& token,
                                                       const auto& progress) {
                            move(*core, *state, f, progress, token);
                        }});
    }
    const std::uint64_t total = totalSize(plan);
    const std::size_t files_total = plan.files.size();
    std::function<void(std::uint64_t, std::size_t)> report;
    if (options.on_progress)
        report = [&options, total, files_total](std::uint64_t bytes, std::size_t files) {
            options.on_progress({bytes, std::max(bytes, total), files, files_total});
        };
    runParallel(std::move(jobs), options.concurrency, kMemoryBudget, report, cancel);
    return total;
}

// One command in the sandbox that must succeed (directories and modes, transfer_plan.hpp).
std::string runCommand(Sandbox& sandbox, const std::string& command, const char* what,
                       const CancelToken& cancel) {
    ExecResult r = sandbox.execSync(command, {}, {}, cancel);
    if (r.exit_code.value_or(-1) != 0) {
        SocktError::Details d;
        d.message = std::string(what) + ": `" + command.substr(0, 200) + "` failed (" +
                    r.status + ", exit code " +
                    (r.exit_code ? std::to_string(*r.exit_code) : std::string("none")) +
                    "): " + r.stderrText().substr(0, 500);
        d.slug = "command_failed";
        SocktError::raise(ErrorKind::Generic, std::move(d));
    }
    return r.stdoutText();
}

void setLocalMode(const std::string& path, unsigned mode) {
    std::error_code ec;
    fs::permissions(path, static_cast<fs::perms>(mode & 07777), fs::perm_options::replace, ec);
    if (ec)
        throw InvalidArgumentError({"download: chmod " + path + ": " + ec.message(), "", 0});
}

} // namespace

TransferResult Sandbox::upload(const std::string& local_path, const std::string& remote_path,
                               const TransferOptions& options, const CancelToken& cancel) {
    detail::requireNonEmpty(local_path, "local_path");
    detail::requireNonEmpty(remote_path, "remote_path");
    Plan plan = planUpload(local_path, remote_path);
    detail::ensureDataPlaneReady(*core_, *state_, cancel); // once, not once per file
    const std::uint64_t total =
        moveFiles(plan, core_, state_, options, cancel,
                  [](auto& core, auto& state, const Entry& f, const auto& progress,
                     const CancelToken& token) {
                      uploadFile(core, state, f.local, f.remote, progress, token);
                  });
    for (const auto& command : finishingCommands(plan, options.preserve_mode))
        runCommand(*this, command, "upload: setting directories and modes", cancel);
    return {plan.files.size(), plan.directories.size(), total};
}

TransferResult Sandbox::download(const std::string& remote_path, const std::string& local_path,
                                 const TransferOptions& options, const CancelToken& cancel) {
    detail::requireNonEmpty(remote_path, "remote_path");
    detail::requireNonEmpty(local_path, "local_path");
    if (options.concurrency < 1)
        throw InvalidArgumentError({"concurrency must be at least 1", "", 0});
    detail::ensureDataPlaneReady(*core_, *state_, cancel);
    // A directory lists; a file answers 400 invalid_params "not a directory" (docs/protocol.md §5.3).
    std::optional<FileListing> listing;
    try {
        ListFilesOptions list;
        list.path = remote_path;
        list.recursive = true;
        listing = listFilesResult(list, cancel);
    } catch (const APIError& e) {
        if (e.statusCode() != 400 || e.slug() != "invalid_params")
            throw;
    }

    TransferResult result;
    if (!listing) {
        auto report = [&](std::uint64_t bytes) {
            if (options.on_progress)
                options.on_progress({bytes, bytes, 0, 1});
        };
        result.bytes = downloadFile(*core_, *state_, remote_path, local_path, report, cancel);
        result.files = 1;
        if (options.on_progress)
            options.on_progress({result.bytes, result.bytes, 1, 1});
        if (options.preserve_mode) {
            auto modes = parseModes(runCommand(*this, modeQueryCommand(remote_path, false),
                                               "download: reading modes", cancel),
                                    false);
            if (!modes.empty())
                setLocalMode(local_path, modes.front().second);
        }
        return result;
    }

    Plan plan = planDownload(*listing, remote_path, local_path);
    for (const auto& d : plan.directories) {
        std::error_code ec;
        fs::create_directories(d.local, ec);
        if (ec || !fs::is_directory(d.local))
            throw InvalidArgumentError(
                {"download: cannot create directory " + d.local + ": " +
                     (ec ? ec.message() : std::string("a file has that name")),
                 "", 0});
    }
    const std::uint64_t total =
        moveFiles(plan, core_, state_, options, cancel,
                  [](auto& core, auto& state, const Entry& f, const auto& progress,
                     const CancelToken& token) {
                      downloadFile(core, state, f.remote, f.local, progress, token);
                  });
    if (options.preserve_mode) {
        auto modes = parseModes(runCommand(*this, modeQueryCommand(remote_path, true),
                                           "download: reading modes", cancel),
                                true);
        std::map<std::string, unsigned> by_path(modes.begin(), modes.end());
        // Files first, then directories deepest first (a read-only directory set early would
        // refuse the changes inside it).
        auto relative = [&](const std::string& path) {
            const std::string rel = fs::path(path).lexically_relative(local_path).generic_string();
            return rel == "." ? std::string() : rel;
        };
        for (const auto& f : plan.files) {
            auto it = by_path.find(relative(f.local));
            if (it != by_path.end())
                setLocalMode(f.local, it->second);
        }
        for (auto d = plan.directories.rbegin(); d != plan.directories.rend(); ++d) {
            auto it = by_path.find(relative(d->local));
            if (it != by_path.end())
                setLocalMode(d->local, it->second);
        }
    }
    return {plan.files.size(), plan.directories.size(), total};
}

} // namespace sockt
