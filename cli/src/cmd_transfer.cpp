// `sockt files upload ID LOCAL REMOTE` and `sockt files download ID REMOTE LOCAL`:
// whole files and trees through the core's Sandbox::upload/download, with a progress bar when
// stderr is a terminal. Hidden from `sockt files --help`, whose listing is the official CLI's
// byte for byte (docs/protocol.md §10.2); `sockt files upload --help` documents them.
#include "api.hpp"
#include "app.hpp"
#include "terminal.hpp"

#include "sockt/errors.hpp"
#include "sockt/protocol.hpp"
#include "sockt/sandbox.hpp"

#include <atomic>
#include <csignal>

namespace sockt::cli {

namespace {

std::atomic<bool> g_interrupted{false};

extern "C" void onInterrupt(int) {
    g_interrupted.store(true);
}

// Ctrl-C cancels the transfer (temporary download files are removed, nothing half-written stays)
// instead of killing the process mid-file.
class InterruptScope {
public:
    InterruptScope() {
        g_interrupted.store(false);
        struct sigaction sa {};
        sa.sa_handler = onInterrupt;
        sigemptyset(&sa.sa_mask);
        ::sigaction(SIGINT, &sa, &old_int_);
        ::sigaction(SIGTERM, &sa, &old_term_);
    }
    ~InterruptScope() {
        ::sigaction(SIGINT, &old_int_, nullptr);
        ::sigaction(SIGTERM, &old_term_, nullptr);
    }

private:
    struct sigaction old_int_ {
    }, old_term_{};
};

// The CLI's wording for a failed call: the HTTP answer as `API error (<status>): <body>` (§10.1),
// anything else as its message.
std::string describe(const SocktError& e) {
    if (e.statusCode() > 0 && !e.body().empty())
        return "API error (" + std::to_string(e.statusCode()) + "): " + e.body();
    return e.message();
}

using Move = TransferResult (Sandbox::*)(const std::string&, const std::string&,
                                         const TransferOptions&, const CancelToken&);

int runTransfer(Invocation& inv, Move move, const char* verb, const char* done_verb) {
    const std::string& id = inv.args[0];
    const std::string& from = inv.args[1];
    const std::string& to = inv.args[2];
    Api api(inv);
    api.precheck(id);
    Sandbox sandbox = api.client().sandbox(id);

    TransferOptions options;
    options.concurrency = static_cast<int>(inv.intFlag("concurrency"));
    options.preserve_mode = !inv.boolFlag("no-mode");
    const bool live = stderrIsTerminal() && !jsonMode(inv);
    LiveLine line;
    double last_draw = -1;
    const std::string label = std::string(verb) + " " + from;
    if (live) {
        options.on_progress = [&](const TransferProgress& p) {
            const double now = line.elapsedSeconds();
            if (now - last_draw < 0.1 && p.bytes_done < p.bytes_total)
                return;
            last_draw = now;
            line.update(progressText(label + " (" + std::to_string(p.files_done) + "/" +
                                         std::to_string(p.files_total) + " files)",
                                     p.bytes_done, p.bytes_total));
        };
    }
    InterruptScope interrupts;
    CancelToken cancel;
    cancel.setCheck([] { return g_interrupted.load(); });
    TransferResult result;
    try {
        result = (sandbox.*move)(from, to, options, cancel);
    } catch (const CancelledError&) {
        if (live)
            line.clear();
        throw CliError("interrupted", 130);
    } catch (const SocktError& e) {
        if (live)
            line.clear();
        throw CliError(describe(e));
    }
    if (live)
        line.clear();
    if (jsonMode(inv)) {
        printJson(inv, Json{{"files", result.files},
                            {"directories", result.directories},
                            {"bytes", result.bytes}});
        return 0;
    }
    *inv.err << done_verb << " " << from << " to " << to << " (" << result.files
             << (result.files == 1 ? " file, " : " files, ") << result.bytes << " bytes)\n";
    return 0;
}

std::unique_ptr<Command> transferCommand(const char* use, const char* short_desc,
                                         const char* long_desc, const char* example,
                                         Command::RunFn run) {
    auto cmd = std::make_unique<Command>(use, short_desc, long_desc);
    cmd->args = ArgsRule::exact(3);
    cmd->hidden = true;
    cmd->addFlag("concurrency", 'j', FlagType::Int, "Files to move at once",
                 std::to_string(sockt::protocol::kTransferConcurrency));
    cmd->addFlag("no-mode", 0, FlagType::Bool, "Do not carry mode bits over");
    cmd->example = example;
    cmd->run = std::move(run);
    return cmd;
}

} // namespace

void addTransferCommands(Command& files) {
    files.add(transferCommand(
        "upload [sandbox-id] [local-path] [remote-path]", "Upload a local file or directory",
        "Copy a local file or directory into the sandbox: remote-path becomes the copy (a "
        "directory's files land directly under it), several files at a time, with their mode bits.",
        "  sockt files upload $ID ./project /home/sandbox/project\n"
        "  sockt files upload $ID model.bin data/model.bin",
        [](Invocation& inv) { return runTransfer(inv, &Sandbox::upload, "Uploading", "Uploaded"); }));
    files.add(transferCommand(
        "download [sandbox-id] [remote-path] [local-path]", "Download a file or directory",
        "Copy a file or directory of the sandbox to the local disk: local-path becomes the copy, "
        "several files at a time, with their mode bits.",
        "  sockt files download $ID /home/sandbox/results ./results\n"
        "  sockt files download $ID out.csv ./out.csv",
        [](Invocation& inv) {
            return runTransfer(inv, &Sandbox::download, "Downloading", "Downloaded");
        }));
}

} // namespace sockt::cli
