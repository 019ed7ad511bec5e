// Cobra/pflag behaviour of the command tree (docs/protocol.md §10.2): lookup, flags, errors.
#include "app.hpp"
#include "command.hpp"
#include "sockt/protocol.hpp"

#include <gtest/gtest.h>
#include <sstream>

using namespace sockt::cli;

namespace {

struct Result {
    int code;
    std::string out;
    std::string err;
};

// A small tree shaped like sockt: root with persistent --token, `exec` without interspersed flags.
struct Fixture {
    std::unique_ptr<Command> root;
    std::vector<std::string> seen_args;
    std::string seen_token, seen_workdir;
    std::int64_t seen_timeout = -1;
    bool seen_wait = false;

    Fixture() {
        root = std::make_unique<Command>("sockt", "", "Root.");
        root->addFlag("token", 0, FlagType::String, "Sandbox token", "", true);
        auto exec = std::make_unique<Command>("exec [id] [command...]", "Execute");
        exec->interspersed = false;
        exec->args = ArgsRule::minimum(2);
        exec->addFlag("timeout", 0, FlagType::Int, "Timeout");
        exec->addFlag("workdir", 'd', FlagType::String, "Dir");
        exec->run = [this](Invocation& inv) {
            seen_args = inv.args;
            seen_token = inv.stringFlag("token");
            seen_workdir = inv.stringFlag("workdir");
            seen_timeout = inv.intFlag("timeout");
            return 0;
        };
        root->add(std::move(exec));
        auto group = std::make_unique<Command>("sandbox", "Manage");
        auto create = std::make_unique<Command>("create", "Create");
        create->addFlag("wait", 'w', FlagType::Bool, "Wait");
        create->addFlag("tier", 't', FlagType::String, "Tier", "nano");
        create->run = [this](Invocation& inv) {
            seen_args = inv.args;
            seen_wait = inv.boolFlag("wait");
            seen_token = inv.stringFlag("token");
            return 0;
        };
        group->add(std::move(create));
        root->add(std::move(group));
    }

    Result run(std::vector<std::string> args) {
        std::ostringstream out, err;
        int code = execute(*root, args, out, err);
        return {code, out.str(), err.str()};
    }
};

Result runApp(std::vector<std::string> args) {
    auto app = buildApp();
    std::ostringstream out, err;
    int code = execute(*app, args, out, err);
    return {code, out.str(), err.str()};
}

} // namespace

TEST(Command, ExecStopsParsingFlagsAtTheSandboxId) {
    Fixture f;
    auto r = f.run({"exec", "--timeout", "5", "-d", "/w", "ID", "ls", "-la", "--workdir", "x"});
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(f.seen_args, (std::vector<std::string>{"ID", "ls", "-la", "--workdir", "x"}));
    EXPECT_EQ(f.seen_timeout, 5);
    EXPECT_EQ(f.seen_workdir, "/w");
}

TEST(Command, GlobalTokenBeforeOrAfterTheSubcommand) {
    Fixture f;
    EXPECT_EQ(f.run({"--token", "sbx_a", "sandbox", "create"}).code, 0);
    EXPECT_EQ(f.seen_token, "sbx_a");
    EXPECT_EQ(f.run({"sandbox", "create", "--token=sbx_b", "-w"}).code, 0);
    EXPECT_EQ(f.seen_token, "sbx_b");
    EXPECT_TRUE(f.seen_wait);
    EXPECT_EQ(f.run({"sandbox", "--token", "sbx_c", "create"}).code, 0);
    EXPECT_EQ(f.seen_token, "sbx_c");
}

TEST(Command, ShorthandForms) {
    Fixture f;
    EXPECT_EQ(f.run({"exec", "-d/x", "ID", "c"}).code, 0);
    EXPECT_EQ(f.seen_workdir, "/x");
    EXPECT_EQ(f.run({"exec", "-d=/y", "ID", "c"}).code, 0);
    EXPECT_EQ(f.seen_workdir, "/y");
    EXPECT_EQ(f.run({"exec", "--timeout=0x10", "ID", "c"}).code, 0);
    EXPECT_EQ(f.seen_timeout, 16);
}

TEST(Command, FlagErrorsUsePflagTexts) {
    Fixture f;
    auto r = f.run({"exec", "--bogus", "ID", "c"});
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err.rfind("Error: unknown flag: --bogus\nUsage:\n", 0), 0u) << r.err;
    r = f.run({"exec", "-x"});
    EXPECT_EQ(r.err.rfind("Error: unknown shorthand flag: 'x' in -x\n", 0), 0u) << r.err;
    r = f.run({"exec", "--workdir"});
    EXPECT_EQ(r.err.rfind("Error: flag needs an argument: --workdir\n", 0), 0u) << r.err;
    r = f.run({"exec", "-d"});
    EXPECT_EQ(r.err.rfind("Error: flag needs an argument: 'd' in -d\n", 0), 0u) << r.err;
    r = f.run({"exec", "--timeout", "abc", "ID", "c"});
    EXPECT_EQ(r.err.rfind("Error: invalid argument \"abc\" for \"--timeout\" flag: "
                          "strconv.ParseInt: parsing \"abc\": invalid syntax\n",
                          0),
              0u)
        << r.err;
    r = f.run({"exec", "--timeout", "99999999999999999999", "ID", "c"});
    EXPECT_NE(r.err.find("value out of range"), std::string::npos) << r.err;
    r = f.run({"sandbox", "create", "--wait=maybe"});
    EXPECT_EQ(r.err.rfind("Error: invalid argument \"maybe\" for \"-w, --wait\" flag: "
                          "strconv.ParseBool: parsing \"maybe\": invalid syntax\n",
                          0),
              0u)
        << r.err;
}

TEST(Command, UsageErrorEndsWithUsageAndABlankLine) {
    Fixture f;
    auto r = f.run({"exec", "ID"});
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err, "Error: requires at least 2 arg(s), only received 1\n"
                     "Usage:\n"
                     "  sockt exec [id] [command...] [flags]\n"
                     "\n"
                     "Flags:\n"
                     "  -h, --help             help for exec\n"
                     "      --timeout int      Timeout\n"
                     "  -d, --workdir string   Dir\n"
                     "\n"
                     "Global Flags:\n"
                     "      --token string   Sandbox token\n"
                     "\n");
}

TEST(Command, UnknownCommandSuggestsCloseNames) {
    Fixture f;
    auto r = f.run({"exce"});
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(r.err,
              "Error: unknown command \"exce\" for \"sockt\"\n\nDid you mean this?\n\texec\n\n"
              "Run 'sockt --help' for usage.\n");
    r = f.run({"zzz"});
    EXPECT_EQ(r.err,
              "Error: unknown command \"zzz\" for \"sockt\"\nRun 'sockt --help' for usage.\n");
    r = f.run({"sand"}); // prefix match
    EXPECT_NE(r.err.find("Did you mean this?\n\tsandbox\n"), std::string::npos);
}

TEST(Command, UnknownWordAfterAGroupPrintsItsHelp) {
    Fixture f;
    auto r = f.run({"sandbox", "bogus"});
    EXPECT_EQ(r.code, 0);
    EXPECT_EQ(r.err, "");
    EXPECT_EQ(r.out.rfind("Manage\n\nUsage:\n  sockt sandbox [command]\n", 0), 0u) << r.out;
}

TEST(Command, HelpFlagWinsOverMissingArgs) {
    Fixture f;
    auto r = f.run({"exec", "-h"});
    EXPECT_EQ(r.code, 0);
    EXPECT_EQ(r.out.rfind("Execute\n\nUsage:\n", 0), 0u);
    // After the sandbox id, -h is command text.
    r = f.run({"exec", "ID", "ls", "-h"});
    EXPECT_EQ(r.code, 0);
    EXPECT_EQ(f.seen_args, (std::vector<std::string>{"ID", "ls", "-h"}));
}

TEST(Command, DoubleDashEndsFlags) {
    Fixture f;
    EXPECT_EQ(f.run({"sandbox", "create", "--", "-w"}).code, 0);
    EXPECT_FALSE(f.seen_wait);
    EXPECT_EQ(f.seen_args, (std::vector<std::string>{"-w"}));
}

TEST(Command, Levenshtein) {
    EXPECT_EQ(levenshtein("exce", "exec"), 2);
    EXPECT_EQ(levenshtein("FILES", "files"), 0);
    EXPECT_EQ(levenshtein("", "abc"), 3);
}

TEST(App, VersionFlagAndCommand) {
    auto r = runApp({"--version"});
    EXPECT_EQ(r.code, 0);
    EXPECT_EQ(r.out, "sockt version " + std::string(sockt::version()) + "\n");
    r = runApp({"-v"});
    EXPECT_EQ(r.out, "sockt version " + std::string(sockt::version()) + "\n");
    r = runApp({"version"});
    EXPECT_EQ(r.out, std::string(sockt::version()) + "\n");
    r = runApp({"version", "--json"});
    EXPECT_EQ(r.out, "{\"version\":\"" + std::string(sockt::version()) + "\"}\n");
}

TEST(App, ArgumentCountMessages) {
    EXPECT_EQ(runApp({"sandbox", "status"}).err.rfind("Error: accepts 1 arg(s), received 0\n", 0),
              0u);
    EXPECT_EQ(runApp({"files", "ls", "a", "b", "c"})
                  .err.rfind("Error: accepts between 1 and 2 arg(s), received 3\n", 0),
              0u);
    EXPECT_EQ(runApp({"exec", "only-id"})
                  .err.rfind("Error: requires at least 2 arg(s), only received 1\n", 0),
              0u);
    EXPECT_EQ(
        runApp({"files", "write", "id"}).err.rfind("Error: accepts 2 arg(s), received 1\n", 0), 0u);
}

TEST(App, CompletionScriptsMentionEveryCommand) {
    for (const char* shell : {"bash", "zsh", "fish"}) {
        auto r = runApp({"completion", shell});
        EXPECT_EQ(r.code, 0) << shell;
        for (const char* word : {"sandbox", "exec-cancel", "files", "tiers", "workdir"})
            EXPECT_NE(r.out.find(word), std::string::npos) << shell << " lacks " << word;
    }
    EXPECT_EQ(runApp({"completion", "bash", "extra"}).code, 1);
}

TEST(App, HelpCommand) {
    auto app = buildApp();
    auto r = runApp({"help", "sandbox", "create"});
    EXPECT_EQ(r.code, 0);
    EXPECT_EQ(r.out, app->findChild("sandbox")->findChild("create")->helpText());
    r = runApp({"help", "nope"});
    EXPECT_EQ(r.err.rfind("Unknown help topic [`nope`]\nUsage:\n", 0), 0u) << r.err;
}
