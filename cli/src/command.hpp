// A command tree that behaves like Cobra v1.9.1 + pflag, the framework of the official Sockt CLI
// (docs/protocol.md §10.2): same lookup of subcommands, same flag syntax and error texts, same help
// and usage layout. CLI11 cannot reproduce those texts byte for byte, so the official commands use
// this tree; `sockt serve` (whose flags are ours) is handed to CLI11 (see cmd_serve.cpp).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

namespace sockt::cli {

/// A failure the user sees as `Error: <message>` on stderr with exit status 1 (docs/protocol.md
/// §10.1).
class CliError : public std::runtime_error {
public:
    explicit CliError(const std::string& message, int exit_code = 1)
        : std::runtime_error(message), exit_code_(exit_code) {}
    int exitCode() const noexcept { return exit_code_; }

private:
    int exit_code_;
};

/// A usage error: `Error: <message>` followed by the command's usage (Cobra's flag/arg errors).
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

enum class FlagType { Bool, String, Int };

struct Flag {
    std::string name;
    char shorthand = 0;
    FlagType type = FlagType::Bool;
    std::string usage;
    std::string default_text; // pflag's DefValue: "false", "0", "" or the default
    bool persistent = false;

    // Parse state.
    bool changed = false;
    bool bool_value = false;
    std::int64_t int_value = 0;
    std::string string_value;

    void reset();
    /// pflag's Value.Set; throws std::invalid_argument with Go's strconv text.
    void set(const std::string& value);
    bool isZeroDefault() const;
    /// "int", "string" or "" (bool): pflag's UnquoteUsage type name.
    std::string varName() const;
};

class Command;

/// What a command's run function sees.
struct Invocation {
    Command* command = nullptr;
    std::vector<std::string> args;
    std::ostream* out = nullptr;
    std::ostream* err = nullptr;

    const Flag& flag(const std::string& name) const;
    bool boolFlag(const std::string& name) const { return flag(name).bool_value; }
    std::int64_t intFlag(const std::string& name) const { return flag(name).int_value; }
    const std::string& stringFlag(const std::string& name) const { return flag(name).string_value; }
    bool changed(const std::string& name) const { return flag(name).changed; }
};

/// Cobra's positional argument validators; nullopt = none (legacy rules).
struct ArgsRule {
    enum Kind { Legacy, None, Exact, Minimum, Range } kind = Legacy;
    int min = 0;
    int max = 0;

    static ArgsRule exact(int n) { return {Exact, n, n}; }
    static ArgsRule minimum(int n) { return {Minimum, n, 0}; }
    static ArgsRule range(int a, int b) { return {Range, a, b}; }
    static ArgsRule noArgs() { return {None, 0, 0}; }
};

class Command {
public:
    using RunFn = std::function<int(Invocation&)>;

    Command(std::string use, std::string short_desc, std::string long_desc = {});

    Command& add(std::unique_ptr<Command> child);
    Flag& addFlag(const std::string& name, char shorthand, FlagType type, const std::string& usage,
                  const std::string& default_text = {}, bool persistent = false);

    std::string name() const;
    std::string commandPath() const;
    std::string useLine() const;
    bool runnable() const { return static_cast<bool>(run); }
    bool hasAvailableSubCommands() const;
    bool isAvailable() const;
    Command* parent() const { return parent_; }
    Command* root();
    const std::vector<std::unique_ptr<Command>>& children() const { return children_; }
    /// Children sorted by name (Cobra sorts them).
    std::vector<Command*> sortedChildren() const;
    Command* findChild(const std::string& name) const;

    /// Own local + own persistent flags (Cobra's LocalFlags), sorted by name.
    std::vector<Flag*> localFlags() const;
    /// Persistent flags of every ancestor (Cobra's InheritedFlags), sorted by name.
    std::vector<Flag*> inheritedFlags() const;
    /// Everything that parses on this command.
    std::vector<Flag*> allFlags() const;
    Flag* lookupFlag(const std::string& name) const;
    Flag* lookupShorthand(char c) const;

    std::string helpText() const;
    std::string usageText() const;

    std::string short_desc;
    std::string long_desc;
    std::string example; // our addition: printed as a trailing `Examples:` block
    ArgsRule args;
    bool interspersed = true;
    bool hidden = false;
    /// Runs with the raw argument vector, bypassing flag parsing (the `serve` bridge to CLI11).
    bool raw_args = false;
    RunFn run;

private:
    std::string use_;
    Command* parent_ = nullptr;
    std::vector<std::unique_ptr<Command>> children_;
    std::vector<std::unique_ptr<Flag>> flags_;
};

/// pflag's FlagUsages: one line per flag, usage column aligned, Go default annotations.
std::string flagUsages(const std::vector<Flag*>& flags);

/// Levenshtein distance, case-insensitive (Cobra's `ld`), counted in bytes as Cobra does.
int levenshtein(const std::string& a, const std::string& b);

/// Parses and runs like Cobra's ExecuteC. Returns the process exit status.
int execute(Command& root, const std::vector<std::string>& args, std::ostream& out,
            std::ostream& err);

/// Go's %q for a string (the quoting in pflag's messages).
std::string goQuote(const std::string& s);

} // namespace sockt::cli
