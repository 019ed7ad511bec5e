// `sockt serve`: the local Sockt-compatible server (docs/protocol.md §11). The `sockt` binary adds
// the command with addServeCommand; choosing it runs the server until SIGINT/SIGTERM.
#pragma once

namespace CLI {
class App;
}

namespace sockt::server {

/// Registers `serve` and its flags (§11.1) on `app`. When the command runs, a startup failure
/// throws CLI::RuntimeError(1) after printing `Error: <reason>` on stderr; a clean stop returns.
void addServeCommand(CLI::App& app);

} // namespace sockt::server
