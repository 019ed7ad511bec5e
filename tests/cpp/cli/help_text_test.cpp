// Help output of every command against docs/protocol.md §10.2: byte-identical to Cobra's, plus our
// `--json` global flag and an optional trailing `Examples:` block.
#include "app.hpp"

#include <gtest/gtest.h>
#include <sstream>

using namespace sockt::cli;

namespace {

const char* kGlobal = "Global Flags:\n"
                      "      --json           Print the result as one JSON object\n"
                      "      --token string   Sandbox token (overrides SOCKT_SANDBOX_TOKEN)\n";

std::string helpOf(std::vector<std::string> args) {
    auto app = buildApp();
    args.push_back("--help");
    std::ostringstream out, err;
    EXPECT_EQ(execute(*app, args, out, err), 0);
    EXPECT_EQ(err.str(), "");
    return out.str();
}

// The help must be `expected`, optionally followed by "\nExamples:\n…".
void expectHelp(const std::vector<std::string>& args, const std::string& expected) {
    std::string got = helpOf(args);
    ASSERT_GE(got.size(), expected.size()) << got;
    EXPECT_EQ(got.substr(0, expected.size()), expected);
    std::string rest = got.substr(expected.size());
    if (!rest.empty())
        EXPECT_EQ(rest.rfind("\nExamples:\n", 0), 0u) << rest;
}

std::string leaf(const std::string& desc, const std::string& use, const std::string& flags) {
    return desc + "\n\nUsage:\n  " + use + "\n\nFlags:\n" + flags + "\n" + kGlobal;
}

} // namespace

TEST(HelpText, Root) {
    std::string want = "Create, manage, and interact with Sockt sandboxes from the command line.\n"
                       "\n"
                       "Usage:\n"
                       "  sockt [command]\n"
                       "\n"
                       "Available Commands:\n"
                       "  completion  Generate the autocompletion script for the specified shell\n"
                       "  exec        Execute a command in a sandbox\n"
                       "  exec-cancel Cancel a running execution\n"
                       "  files       File operations on a sandbox\n"
                       "  help        Help about any command\n"
                       "  local       Commands for the local development server\n"
                       "  sandbox     Manage sandboxes\n"
#ifdef SOCKT_CLI_WITH_SERVER
                       "  serve       Run a local Sockt-compatible server\n"
#endif
                       "  shell       Open an interactive shell to a sandbox\n"
                       "  tiers       List available sandbox tiers and pricing\n"
                       "  version     Print the CLI version\n"
                       "\n"
                       "Flags:\n"
                       "  -h, --help           help for sockt\n"
                       "      --json           Print the result as one JSON object\n"
                       "      --token string   Sandbox token (overrides SOCKT_SANDBOX_TOKEN)\n"
                       "  -v, --version        version for sockt\n"
                       "\n"
                       "Use \"sockt [command] --help\" for more information about a command.\n";
    EXPECT_EQ(helpOf({}), want);
    auto app = buildApp();
    std::ostringstream out, err;
    EXPECT_EQ(execute(*app, {}, out, err), 0);
    EXPECT_EQ(out.str(), want);
    std::ostringstream out2, err2;
    EXPECT_EQ(execute(*app, {"help"}, out2, err2), 0);
    EXPECT_EQ(out2.str(), want);
}

TEST(HelpText, SimpleLeaves) {
    expectHelp({"tiers"}, leaf("List available sandbox tiers and pricing", "sockt tiers [flags]",
                               "  -h, --help   help for tiers\n"));
    expectHelp({"sandbox", "status"},
               leaf("Get sandbox status", "sockt sandbox status [sandbox-id] [flags]",
                    "  -h, --help   help for status\n"));
    expectHelp({"sandbox", "pause"},
               leaf("Pause a running sandbox", "sockt sandbox pause [sandbox-id] [flags]",
                    "  -h, --help   help for pause\n"));
    expectHelp({"sandbox", "resume"},
               leaf("Resume a paused sandbox", "sockt sandbox resume [sandbox-id] [flags]",
                    "  -h, --help   help for resume\n"));
    expectHelp({"sandbox", "terminate"},
               leaf("Terminate a sandbox", "sockt sandbox terminate [sandbox-id] [flags]",
                    "  -h, --help   help for terminate\n"));
    expectHelp({"exec-cancel"},
               leaf("Cancel a running execution", "sockt exec-cancel [execution-id] [flags]",
                    "  -h, --help   help for exec-cancel\n"));
    expectHelp({"shell"},
               leaf("Connect to the sandbox via WebSocket for a live terminal session.",
                    "sockt shell [sandbox-id] [flags]", "  -h, --help   help for shell\n"));
    expectHelp({"version"}, leaf("Print the CLI version", "sockt version [flags]",
                                 "  -h, --help   help for version\n"));
}

TEST(HelpText, CommandsWithFlags) {
    expectHelp({"sandbox", "create"},
               leaf("Create a new sandbox", "sockt sandbox create [flags]",
                    "  -b, --billing string        Billing method (credits or lightning) (default "
                    "\"credits\")\n"
                    "  -h, --help                  help for create\n"
                    "      --initial-credits int   Initial credits in cents\n"
                    "  -l, --label string          Sandbox label\n"
                    "      --prepaid-sats int      Prepaid sats for lightning billing\n"
                    "  -t, --tier string           Sandbox tier (default \"nano\")\n"
                    "  -w, --wait                  Wait until status is running and files/exec are "
                    "reachable\n"));
    expectHelp({"exec"},
               leaf("Run a command in the sandbox and wait for the result.",
                    "sockt exec [sandbox-id] [command...] [flags]",
                    "  -h, --help             help for exec\n"
                    "      --poll int         Poll interval in milliseconds (default 500)\n"
                    "      --timeout int      Execution timeout in milliseconds\n"
                    "  -d, --workdir string   Working directory inside sandbox\n"));
    expectHelp({"files", "write"},
               leaf("Write content from stdin or a local file to the sandbox filesystem.",
                    "sockt files write [sandbox-id] [remote-path] [flags]",
                    "      --encoding string   File encoding (utf8 or base64) (default \"utf8\")\n"
                    "  -f, --file string       Local file to upload (reads stdin if not provided)\n"
                    "  -h, --help              help for write\n"));
    expectHelp({"files", "read"},
               leaf("Read a file from the sandbox",
                    "sockt files read [sandbox-id] [remote-path] [flags]",
                    "      --encoding string   File encoding (utf8 or base64) (default \"utf8\")\n"
                    "  -h, --help              help for read\n"
                    "      --max-bytes int     Maximum bytes to read\n"));
    expectHelp({"files", "ls"},
               leaf("List files in a sandbox directory",
                    "sockt files ls [sandbox-id] [path] [flags]",
                    "  -h, --help            help for ls\n"
                    "      --max-depth int   Max directory depth for recursive listing\n"
                    "  -r, --recursive       List recursively\n"));
}

TEST(HelpText, Groups) {
    EXPECT_EQ(
        helpOf({"sandbox"}),
        "Manage sandboxes\n\nUsage:\n  sockt sandbox [command]\n\nAvailable Commands:\n"
        "  create      Create a new sandbox\n"
        "  pause       Pause a running sandbox\n"
        "  resume      Resume a paused sandbox\n"
        "  status      Get sandbox status\n"
        "  terminate   Terminate a sandbox\n\n"
        "Flags:\n  -h, --help   help for sandbox\n\n" +
            std::string(kGlobal) +
            "\nUse \"sockt sandbox [command] --help\" for more information about a command.\n");
    EXPECT_EQ(
        helpOf({"files"}),
        "File operations on a sandbox\n\nUsage:\n  sockt files [command]\n\nAvailable Commands:\n"
        "  ls          List files in a sandbox directory\n"
        "  read        Read a file from the sandbox\n"
        "  write       Write a file to the sandbox\n\n"
        "Flags:\n  -h, --help   help for files\n\n" +
            std::string(kGlobal) +
            "\nUse \"sockt files [command] --help\" for more information about a command.\n");
}
