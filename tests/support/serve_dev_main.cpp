// Development stand-in for `sockt serve` while the CLI has no main yet (tests/support only).
#include "runtime/agent.hpp"
#include "sockt/server/serve.hpp"

#include <CLI/CLI.hpp>

int main(int argc, char** argv) {
    // The runtime re-executes this binary as the in-sandbox agent (server/runtime/agent.hpp).
    if (int agent = sockt::server::maybeRunSandboxAgent(argc, argv); agent >= 0)
        return agent;
    CLI::App app{"sockt serve (development executable)", "sockt"};
    app.require_subcommand(1);
    sockt::server::addServeCommand(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    return 0;
}
