// Cobra's ExecuteC + pflag's parser (docs/protocol.md §10.2): find the subcommand, parse its flags,
// handle --help/--version, validate positional arguments, run.
#include "command.hpp"
#include "sockt/protocol.hpp"

#include <algorithm>
#include <sstream>

namespace sockt::cli {

namespace {

bool hasNoOptDefVal(const std::string& name, const Command& c) {
    const Flag* f = c.lookupFlag(name);
    return f && f->type == FlagType::Bool;
}

bool shortHasNoOptDefVal(const std::string& name, const Command& c) {
    if (name.size() != 1)
        return false;
    const Flag* f = c.lookupShorthand(name[0]);
    return f && f->type == FlagType::Bool;
}

bool startsWith(const std::string& s, const std::string& p) {
    return s.rfind(p, 0) == 0;
}
bool contains(const std::string& s, char c) {
    return s.find(c) != std::string::npos;
}

// Cobra's stripFlags: the words that may name subcommands.
std::vector<std::string> stripFlags(std::vector<std::string> args, const Command& c) {
    std::vector<std::string> commands;
    std::size_t i = 0;
    while (i < args.size()) {
        const std::string s = args[i++];
        if (s == "--")
            break;
        if ((startsWith(s, "--") && !contains(s, '=') && !hasNoOptDefVal(s.substr(2), c)) ||
            (startsWith(s, "-") && !startsWith(s, "--") && !contains(s, '=') && s.size() == 2 &&
             !shortHasNoOptDefVal(s.substr(1), c))) {
            if (args.size() - i <= 1)
                break;
            ++i;
            continue;
        }
        if (!s.empty() && s[0] != '-')
            commands.push_back(s);
    }
    return commands;
}

// Cobra's argsMinusFirstX.
std::vector<std::string> argsMinusFirstX(const std::vector<std::string>& args, const std::string& x,
                                         const Command& c) {
    for (std::size_t pos = 0; pos < args.size(); ++pos) {
        const std::string& s = args[pos];
        if (s == "--")
            break;
        if ((startsWith(s, "--") && !contains(s, '=') && !hasNoOptDefVal(s.substr(2), c)) ||
            (startsWith(s, "-") && !startsWith(s, "--") && !contains(s, '=') && s.size() == 2 &&
             !shortHasNoOptDefVal(s.substr(1), c))) {
            ++pos;
            continue;
        }
        if (!startsWith(s, "-") && s == x) {
            std::vector<std::string> out(args.begin(), args.begin() + pos);
            out.insert(out.end(), args.begin() + pos + 1, args.end());
            return out;
        }
    }
    return args;
}

Command* innerFind(Command* c, std::vector<std::string>& args) {
    if (c->raw_args)
        return c;
    auto words = stripFlags(args, *c);
    if (words.empty())
        return c;
    Command* next = c->findChild(words[0]);
    if (!next)
        return c;
    args = argsMinusFirstX(args, words[0], *c);
    return innerFind(next, args);
}

std::string suggestionsFor(const Command& c, const std::string& typed) {
    std::string out;
    for (Command* child : c.sortedChildren()) {
        if (!child->isAvailable())
            continue;
        std::string lower_name = child->name(), lower_typed = typed;
        for (auto& ch : lower_name)
            ch = static_cast<char>(std::tolower(ch));
        for (auto& ch : lower_typed)
            ch = static_cast<char>(std::tolower(ch));
        if (levenshtein(typed, child->name()) <= 2 || startsWith(lower_name, lower_typed))
            out += "\t" + child->name() + "\n";
    }
    return out.empty() ? "" : "\n\nDid you mean this?\n" + out;
}

struct ParseResult {
    std::vector<std::string> positional;
    bool help = false;
};

void setFlag(Flag& f, const std::string& value) {
    try {
        f.set(value);
    } catch (const std::invalid_argument& e) {
        std::string flag_name =
            f.shorthand ? std::string("-") + f.shorthand + ", --" + f.name : "--" + f.name;
        throw UsageError("invalid argument " + goQuote(value) + " for " + goQuote(flag_name) +
                         " flag: " + e.what());
    }
}

// pflag's parseArgs (ContinueOnError); throws UsageError with pflag's texts.
ParseResult parseFlags(Command& c, const std::vector<std::string>& in) {
    ParseResult r;
    std::vector<std::string> args = in;
    std::size_t i = 0;
    while (i < args.size()) {
        std::string s = args[i++];
        if (s.size() < 2 || s[0] != '-') {
            if (!c.interspersed) {
                r.positional.push_back(s);
                r.positional.insert(r.positional.end(), args.begin() + i, args.end());
                return r;
            }
            r.positional.push_back(s);
            continue;
        }
        if (s[1] == '-') {
            if (s.size() == 2) {
                r.positional.insert(r.positional.end(), args.begin() + i, args.end());
                return r;
            }
            std::string name = s.substr(2);
            if (name[0] == '-' || name[0] == '=')
                throw UsageError("bad flag syntax: " + s);
            std::optional<std::string> value;
            auto eq = name.find('=');
            if (eq != std::string::npos) {
                value = name.substr(eq + 1);
                name = name.substr(0, eq);
            }
            Flag* f = c.lookupFlag(name);
            if (!f)
                throw UsageError("unknown flag: --" + name);
            if (!value) {
                if (f->type == FlagType::Bool)
                    value = "true";
                else if (i < args.size())
                    value = args[i++];
                else
                    throw UsageError("flag needs an argument: " + s);
            }
            setFlag(*f, *value);
            continue;
        }
        std::string shorts = s.substr(1);
        while (!shorts.empty()) {
            char ch = shorts[0];
            Flag* f = c.lookupShorthand(ch);
            if (!f)
                throw UsageError(std::string("unknown shorthand flag: '") + ch + "' in -" + shorts);
            std::string value;
            if (shorts.size() > 2 && shorts[1] == '=') {
                value = shorts.substr(2);
                shorts.clear();
            } else if (f->type == FlagType::Bool) {
                value = "true";
                shorts = shorts.substr(1);
            } else if (shorts.size() > 1) {
                value = shorts.substr(1);
                shorts.clear();
            } else if (i < args.size()) {
                value = args[i++];
                shorts.clear();
            } else {
                throw UsageError(std::string("flag needs an argument: '") + ch + "' in -" + shorts);
            }
            setFlag(*f, value);
        }
    }
    return r;
}

std::optional<std::string> validateArgs(const Command& c, const std::vector<std::string>& a) {
    const int n = static_cast<int>(a.size());
    switch (c.args.kind) {
    case ArgsRule::Legacy:
        return std::nullopt;
    case ArgsRule::None:
        if (n > 0)
            return "unknown command " + goQuote(a[0]) + " for " + goQuote(c.commandPath());
        return std::nullopt;
    case ArgsRule::Exact:
        if (n != c.args.min)
            return "accepts " + std::to_string(c.args.min) + " arg(s), received " +
                   std::to_string(n);
        return std::nullopt;
    case ArgsRule::Minimum:
        if (n < c.args.min)
            return "requires at least " + std::to_string(c.args.min) + " arg(s), only received " +
                   std::to_string(n);
        return std::nullopt;
    case ArgsRule::Range:
        if (n < c.args.min || n > c.args.max)
            return "accepts between " + std::to_string(c.args.min) + " and " +
                   std::to_string(c.args.max) + " arg(s), received " + std::to_string(n);
        return std::nullopt;
    }
    return std::nullopt;
}

void resetFlags(Command& c) {
    for (Flag* f : c.localFlags())
        f->reset();
    for (const auto& child : c.children())
        resetFlags(*child);
}

} // namespace

int execute(Command& root, const std::vector<std::string>& argv, std::ostream& out,
            std::ostream& err) {
    resetFlags(root);
    std::vector<std::string> args = argv;
    Command* cmd = innerFind(&root, args);

    // Cobra's legacyArgs: only the root checks for an unknown subcommand (Find error path).
    if (cmd == &root && cmd->args.kind == ArgsRule::Legacy && !cmd->children().empty()) {
        auto words = stripFlags(args, *cmd);
        if (!words.empty()) {
            err << "Error: unknown command " << goQuote(words[0]) << " for "
                << goQuote(cmd->commandPath()) << suggestionsFor(*cmd, words[0]) << "\n"
                << "Run '" << cmd->commandPath() << " --help' for usage.\n";
            err.flush();
            return 1;
        }
    }

    Invocation inv;
    inv.command = cmd;
    inv.out = &out;
    inv.err = &err;

    if (cmd->raw_args) {
        inv.args = args;
        return cmd->run(inv);
    }

    ParseResult parsed;
    try {
        parsed = parseFlags(*cmd, args);
    } catch (const UsageError& e) {
        err << "Error: " << e.what() << "\n" << cmd->usageText() << "\n";
        err.flush();
        return 1;
    }
    if (cmd->lookupFlag("help")->bool_value) {
        out << cmd->helpText();
        out.flush();
        return 0;
    }
    if (cmd == &root) {
        if (const Flag* v = cmd->lookupFlag("version"); v && v->bool_value) {
            out << cmd->name() << " version " << sockt::version() << "\n";
            out.flush();
            return 0;
        }
    }
    if (!cmd->runnable()) {
        out << cmd->helpText();
        out.flush();
        return 0;
    }
    if (auto problem = validateArgs(*cmd, parsed.positional)) {
        err << "Error: " << *problem << "\n" << cmd->usageText() << "\n";
        err.flush();
        return 1;
    }
    inv.args = parsed.positional;
    try {
        int rc = cmd->run(inv);
        out.flush();
        err.flush();
        return rc;
    } catch (const UsageError& e) {
        out.flush();
        err << "Error: " << e.what() << "\n" << cmd->usageText() << "\n";
        err.flush();
        return 1;
    } catch (const CliError& e) {
        out.flush();
        err << "Error: " << e.what() << "\n";
        err.flush();
        return e.exitCode();
    }
}

} // namespace sockt::cli
