// `sockt serve` (docs/protocol.md §10.14, §11.1): the server library registers its own CLI11
// command; this bridge hands it the raw arguments, so its flags and help are exactly the server's.
#include "app.hpp"

#if defined(SOCKT_CLI_WITH_SERVER) && __has_include("sockt/server/serve.hpp")
#include "sockt/server/serve.hpp"

#include <CLI/CLI.hpp>
#define SOCKT_CLI_HAS_SERVE 1
#endif

namespace sockt::cli {

#ifdef SOCKT_CLI_HAS_SERVE
std::unique_ptr<Command> makeServeCommand() {
    auto c = std::make_unique<Command>("serve", "Run a local Sockt-compatible server");
    c->raw_args = true;
    c->run = [](Invocation& inv) {
        CLI::App app{"Create, manage, and interact with Sockt sandboxes from the command line.",
                     "sockt"};
        sockt::server::addServeCommand(app);
        std::vector<std::string> argv = {"sockt", "serve"};
        argv.insert(argv.end(), inv.args.begin(), inv.args.end());
        std::vector<const char*> cargv;
        for (const auto& a : argv)
            cargv.push_back(a.c_str());
        try {
            app.parse(static_cast<int>(cargv.size()), cargv.data());
        } catch (const CLI::ParseError& e) {
            return app.exit(e, *inv.out, *inv.err);
        }
        return 0;
    };
    return c;
}
#else
std::unique_ptr<Command> makeServeCommand() {
    return nullptr;
}
#endif

} // namespace sockt::cli
