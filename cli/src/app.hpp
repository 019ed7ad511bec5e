// The `sockt` command tree (docs/protocol.md §10): one builder per command group.
#pragma once

#include "command.hpp"
#include "sockt/models.hpp"

#include <memory>
#include <string>
#include <vector>

namespace sockt::cli {

/// The whole tree; `argv0` only matters for the `serve` bridge.
std::unique_ptr<Command> buildApp();

std::unique_ptr<Command> makeTiersCommand();
std::unique_ptr<Command> makeSandboxCommand();
std::unique_ptr<Command> makeExecCommand();
std::unique_ptr<Command> makeExecCancelCommand();
std::unique_ptr<Command> makeFilesCommand();
/// `files upload` / `files download` (cmd_transfer.cpp), added to the `files` group.
void addTransferCommands(Command& files);
std::unique_ptr<Command> makeShellCommand();
std::unique_ptr<Command> makeLocalCommand();
std::unique_ptr<Command> makeCompletionCommand();
/// nullptr when the server is not built in.
std::unique_ptr<Command> makeServeCommand();

/// `--json` was given: commands print exactly one JSON object on stdout instead of their text.
bool jsonMode(const Invocation& inv);
void printJson(const Invocation& inv, const Json& value);

/// String member or "" (lenient reads, docs/protocol.md §12).
std::string str(const Json& j, const char* key);
/// Number member as double (integers and floats alike), or 0.
double num(const Json& j, const char* key);

} // namespace sockt::cli
