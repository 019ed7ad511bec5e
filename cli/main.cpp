// Entry point of the `sockt` binary (docs/protocol.md §10).
#include "app.hpp"
#include "command.hpp"

#include <iostream>
#include <string>
#include <vector>

#if defined(SOCKT_CLI_WITH_SERVER) && __has_include("runtime/agent.hpp")
#include "runtime/agent.hpp"
#define SOCKT_CLI_HAS_AGENT 1
#endif

int main(int argc, char** argv) {
#ifdef SOCKT_CLI_HAS_AGENT
    // The sandbox runtime re-executes this binary as the agent inside bubblewrap: that must be
    // decided before anything else runs.
    if (int rc = sockt::server::maybeRunSandboxAgent(argc, argv); rc >= 0)
        return rc;
#endif
    std::ios::sync_with_stdio(true);
    std::vector<std::string> args(argv + 1, argv + argc);
    try {
        auto app = sockt::cli::buildApp();
        return sockt::cli::execute(*app, args, std::cout, std::cerr);
    } catch (const std::exception& e) {
        std::cout.flush();
        std::cerr << "Error: " << e.what() << "\n";
        return 1;
    }
}
