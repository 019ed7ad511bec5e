// `sockt completion bash|fish|powershell|zsh` (docs/protocol.md §10.2), the shells Cobra offers:
// scripts generated from the command tree.
#include "app.hpp"

#include <functional>

namespace sockt::cli {

namespace {

void walk(Command& c, const std::function<void(Command&)>& fn) {
    fn(c);
    for (Command* child : c.sortedChildren())
        if (child->isAvailable() || child->name() == "help")
            walk(*child, fn);
}

std::string flagWords(Command& c) {
    std::string out;
    for (Flag* f : c.allFlags()) {
        out += (out.empty() ? "" : " ") + std::string("--") + f->name;
        if (f->shorthand)
            out += std::string(" -") + f->shorthand;
    }
    return out;
}

std::string subWords(Command& c) {
    std::string out;
    for (Command* child : c.sortedChildren())
        if (child->isAvailable() || child->name() == "help")
            out += (out.empty() ? "" : " ") + child->name();
    return out;
}

std::string bashScript(Command& root) {
    std::string paths, cases;
    walk(root, [&](Command& c) {
        if (&c != &root)
            paths += (paths.empty() ? "" : "|") + ("\"" + c.commandPath() + "\"");
        cases += "        \"" + c.commandPath() + "\") subs=\"" + subWords(c) + "\"; flags=\"" +
                 flagWords(c) + "\";;\n";
    });
    return "# bash completion for sockt                                -*- shell-script -*-\n"
           "_sockt_complete() {\n"
           "    local cur=\"${COMP_WORDS[COMP_CWORD]}\" path=\"sockt\" w i subs flags\n"
           "    for ((i = 1; i < COMP_CWORD; i++)); do\n"
           "        w=\"${COMP_WORDS[i]}\"\n"
           "        case \"$w\" in -*) continue ;; esac\n"
           "        case \"$path $w\" in\n"
           "            " +
           paths +
           ") path=\"$path $w\" ;;\n"
           "        esac\n"
           "    done\n"
           "    case \"$path\" in\n" +
           cases +
           "    esac\n"
           "    if [[ \"$cur\" == -* ]]; then\n"
           "        COMPREPLY=($(compgen -W \"$flags\" -- \"$cur\"))\n"
           "    else\n"
           "        COMPREPLY=($(compgen -W \"$subs\" -- \"$cur\"))\n"
           "    fi\n"
           "}\n"
           "complete -o default -F _sockt_complete sockt\n";
}

std::string zshScript(Command& root) {
    return "#compdef sockt\n"
           "# zsh completion for sockt (uses bash completion through bashcompinit)\n"
           "autoload -U +X bashcompinit && bashcompinit\n" +
           bashScript(root);
}

std::string fishQuote(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'' || c == '\\')
            out += '\\';
        out += c;
    }
    return out + "'";
}

std::string fishScript(Command& root) {
    std::string out = "# fish completion for sockt\ncomplete -c sockt -f\n";
    walk(root, [&](Command& c) {
        std::string cond;
        if (&c == &root) {
            cond = "__fish_use_subcommand";
        } else {
            cond = "__fish_seen_subcommand_from " + c.name();
        }
        for (Command* child : c.sortedChildren()) {
            if (!(child->isAvailable() || child->name() == "help"))
                continue;
            out += "complete -c sockt -n " + fishQuote(cond) + " -a " + fishQuote(child->name()) +
                   " -d " + fishQuote(child->short_desc) + "\n";
        }
        for (Flag* f : c.localFlags()) {
            out += "complete -c sockt -n " + fishQuote(cond) + " -l " + f->name;
            if (f->shorthand)
                out += std::string(" -s ") + f->shorthand;
            if (f->type != FlagType::Bool)
                out += " -r";
            out += " -d " + fishQuote(f->usage) + "\n";
        }
    });
    return out;
}

// PowerShell strings in single quotes: a quote is written twice.
std::string psQuote(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'')
            out += '\'';
        out += c;
    }
    return out + "'";
}

// Two tables keyed by command path ("sockt", "sockt sandbox", ...): subcommands with their short
// help, and flags. The completer walks the words before the cursor down the tree, then offers the
// flags of that command for a word starting with '-', else its subcommands.
std::string powershellScript(Command& root) {
    std::string subs, flags;
    walk(root, [&](Command& c) {
        std::string entries;
        for (Command* child : c.sortedChildren()) {
            if (!(child->isAvailable() || child->name() == "help"))
                continue;
            // Hashtables, not nested arrays: @(@('a', 'b')) would flatten to one array.
            entries += (entries.empty() ? "" : ", ") + std::string("@{n = ") +
                       psQuote(child->name()) + "; d = " + psQuote(child->short_desc) + "}";
        }
        subs += "        " + psQuote(c.commandPath()) + " = @(" + entries + ")\n";
        std::string words;
        for (Flag* f : c.allFlags()) {
            words += (words.empty() ? "" : ", ") + psQuote("--" + f->name);
            if (f->shorthand)
                words += ", " + psQuote(std::string("-") + f->shorthand);
        }
        flags += "        " + psQuote(c.commandPath()) + " = @(" + words + ")\n";
    });
    return "# powershell completion for sockt\n"
           "# To load it in every session, add `sockt completion powershell | Out-String | "
           "Invoke-Expression` to your profile.\n"
           "Register-ArgumentCompleter -Native -CommandName 'sockt', 'sockt.exe' -ScriptBlock {\n"
           "    param($wordToComplete, $commandAst, $cursorPosition)\n"
           "    $subcommands = @{\n" +
           subs +
           "    }\n"
           "    $flags = @{\n" +
           flags +
           "    }\n"
           "    $path = 'sockt'\n"
           "    foreach ($element in ($commandAst.CommandElements | Select-Object -Skip 1)) {\n"
           "        if ($element.Extent.EndOffset -ge $cursorPosition) { break }\n"
           "        $word = $element.ToString()\n"
           "        if ($word.StartsWith('-')) { continue }\n"
           "        if ($subcommands.ContainsKey(\"$path $word\")) { $path = \"$path $word\" }\n"
           "    }\n"
           "    if ($wordToComplete.StartsWith('-')) {\n"
           "        foreach ($flag in $flags[$path]) {\n"
           "            if ($flag -like \"$wordToComplete*\") {\n"
           "                [System.Management.Automation.CompletionResult]::new($flag, $flag, "
           "'ParameterName', $flag)\n"
           "            }\n"
           "        }\n"
           "    } else {\n"
           "        foreach ($entry in $subcommands[$path]) {\n"
           "            if ($entry.n -like \"$wordToComplete*\") {\n"
           "                [System.Management.Automation.CompletionResult]::new($entry.n, "
           "$entry.n, 'ParameterValue', $entry.d)\n"
           "            }\n"
           "        }\n"
           "    }\n"
           "}\n";
}

std::unique_ptr<Command> makeShellScriptCommand(const std::string& shell,
                                                std::string (*gen)(Command&),
                                                const std::string& how) {
    auto c = std::make_unique<Command>(shell, "Generate the autocompletion script for " + shell,
                                       "Generate the autocompletion script for the " + shell +
                                           " shell.\n\n" + how);
    c->args = ArgsRule::noArgs();
    c->run = [gen](Invocation& inv) {
        *inv.out << gen(*inv.command->root());
        return 0;
    };
    return c;
}

} // namespace

std::unique_ptr<Command> makeCompletionCommand() {
    auto c = std::make_unique<Command>(
        "completion", "Generate the autocompletion script for the specified shell",
        "Generate the autocompletion script for sockt for the specified shell.\n"
        "See each sub-command's help for details on how to use the generated script.\n");
    c->add(makeShellScriptCommand("bash", bashScript,
                                  "To load completions in your current shell session:\n\n"
                                  "\tsource <(sockt completion bash)\n"));
    c->add(makeShellScriptCommand("fish", fishScript,
                                  "To load completions in your current shell session:\n\n"
                                  "\tsockt completion fish | source\n"));
    c->add(makeShellScriptCommand("powershell", powershellScript,
                                  "To load completions in your current shell session:\n\n"
                                  "\tsockt completion powershell | Out-String | Invoke-Expression\n\n"
                                  "To load completions for every new session, add the output of "
                                  "the above command\nto your powershell profile.\n"));
    c->add(makeShellScriptCommand("zsh", zshScript,
                                  "To load completions in your current shell session:\n\n"
                                  "\tsource <(sockt completion zsh)\n"));
    return c;
}

} // namespace sockt::cli
