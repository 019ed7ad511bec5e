// The root command, `help` and `version` (docs/protocol.md §10.2).
#include "app.hpp"

#include "sockt/protocol.hpp"

namespace sockt::cli {

namespace {

std::unique_ptr<Command> makeHelpCommand() {
    auto c =
        std::make_unique<Command>("help [command]", "Help about any command",
                                  "Help provides help for any command in the application.\n"
                                  "Simply type sockt help [path to command] for full details.");
    c->run = [](Invocation& inv) {
        Command* root = inv.command->root();
        Command* target = root;
        for (const std::string& word : inv.args) {
            Command* next = target->findChild(word);
            if (!next) {
                target = nullptr;
                break;
            }
            target = next;
        }
        if (!target) {
            // Cobra: `Unknown help topic %#q` of the args slice, then the root's usage (stderr).
            std::string topic = "[";
            for (std::size_t i = 0; i < inv.args.size(); ++i)
                topic += (i ? " `" : "`") + inv.args[i] + "`";
            *inv.err << "Unknown help topic " << topic << "]\n" << root->usageText() << "\n";
            return 0;
        }
        if (target->raw_args) { // `serve` renders its own help (CLI11)
            Invocation sub = inv;
            sub.command = target;
            sub.args = {"--help"};
            return target->run(sub);
        }
        *inv.out << target->helpText();
        return 0;
    };
    return c;
}

std::unique_ptr<Command> makeVersionCommand() {
    auto c = std::make_unique<Command>("version", "Print the CLI version");
    c->example = "  sockt version\n  sockt --version";
    c->run = [](Invocation& inv) {
        if (jsonMode(inv)) {
            printJson(inv, Json{{"version", std::string(sockt::version())}});
            return 0;
        }
        *inv.out << sockt::version() << "\n";
        return 0;
    };
    return c;
}

} // namespace

std::unique_ptr<Command> buildApp() {
    auto root = std::make_unique<Command>(
        "sockt", "", "Create, manage, and interact with Sockt sandboxes from the command line.");
    root->addFlag("json", 0, FlagType::Bool, "Print the result as one JSON object", "", true);
    root->addFlag("token", 0, FlagType::String, "Sandbox token (overrides SOCKT_SANDBOX_TOKEN)", "",
                  true);
    root->addFlag("version", 'v', FlagType::Bool, "version for sockt");

    root->add(makeCompletionCommand());
    root->add(makeExecCommand());
    root->add(makeExecCancelCommand());
    root->add(makeFilesCommand());
    root->add(makeHelpCommand());
    root->add(makeLocalCommand());
    root->add(makeSandboxCommand());
    if (auto serve = makeServeCommand())
        root->add(std::move(serve));
    root->add(makeShellCommand());
    root->add(makeTiersCommand());
    root->add(makeVersionCommand());
    return root;
}

} // namespace sockt::cli
