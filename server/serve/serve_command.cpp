#include "serve/serve_options.hpp"
#include "sockt/server/serve.hpp"

#include <CLI/CLI.hpp>

namespace sockt::server {

void addServeCommand(CLI::App& app) {
    auto opts = std::make_shared<ServeOptions>();
    auto* cmd = app.add_subcommand("serve", "Run a local Sockt-compatible server");
    cmd->add_option("--host", opts->host, "Bind address (loopback by default)")
        ->capture_default_str();
    cmd->add_option("--port", opts->port, "Port; 0 picks a free one")
        ->check(CLI::Range(0, 65535))
        ->capture_default_str();
    cmd->add_option("--data-dir", opts->data_dir,
                    "State and sandbox homes (default $XDG_DATA_HOME/sockt/serve)");
    cmd->add_option("--api-key", opts->api_keys, "API key with optional balance: KEY[:CENTS]")
        ->type_name("KEY[:CENTS]");
    cmd->add_option("--boot-delay-ms", opts->boot_delay_ms, "Time a sandbox spends starting")
        ->check(CLI::Range(0LL, 3'600'000LL))
        ->capture_default_str();
    cmd->add_option("--isolation", opts->isolation, "auto, bwrap or none")
        ->check(CLI::IsMember({"auto", "bwrap", "none"}))
        ->capture_default_str();
    cmd->add_option("--rate-limit", opts->rate_limit, "Requests per minute per credential; 0 = off")
        ->check(CLI::Range(0, 1'000'000))
        ->capture_default_str();
    cmd->add_option("--max-sandboxes", opts->max_sandboxes, "Non-terminated sandboxes at once")
        ->check(CLI::Range(1, 100'000))
        ->capture_default_str();
    cmd->callback([opts] {
        const int code = runServer(*opts);
        if (code != 0)
            throw CLI::RuntimeError(code);
    });
}

} // namespace sockt::server
