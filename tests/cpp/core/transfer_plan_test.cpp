// The pieces of a transfer plan that build shell commands (transfer/transfer_plan.hpp): quoting,
// home-relative paths, the finishing commands and the mode listing parser.
#include "transfer/transfer_plan.hpp"

#include <gtest/gtest.h>
#include <string>

using namespace sockt::detail::transfer;

TEST(TransferPlan, QuotingSurvivesEveryCharacter) {
    EXPECT_EQ(shellQuote("plain"), "'plain'");
    EXPECT_EQ(shellQuote("it's"), "'it'\\''s'");
    EXPECT_EQ(shellQuote("$(rm -rf ~) `x` \"y\"\n"), "'$(rm -rf ~) `x` \"y\"\n'");
}

TEST(TransferPlan, CommandPathsAreRelativeToTheHome) {
    EXPECT_EQ(commandPath("/home/sandbox"), ".");
    EXPECT_EQ(commandPath("/home/sandbox/up/a b"), "./up/a b");
    EXPECT_EQ(commandPath("up/x"), "./up/x");
    EXPECT_EQ(commandPath("-rf"), "./-rf"); // never an option
    EXPECT_EQ(commandPath("."), "./.");
}

TEST(TransferPlan, FinishingCommandsCreateEmptyDirsAndSetOtherModes) {
    Plan plan;
    plan.directory = true;
    plan.directories = {{"l", "up", 0, 0700}, {"l/e", "up/e", 0, 0755}};
    plan.empty_directories = {{"l/e", "up/e", 0, 0755}};
    plan.files = {{"l/a", "up/a", 1, 0644}, {"l/b", "up/b", 1, 0755}, {"l/c", "up/c", 1, 0755},
                  {"l/d", "up/it's", 1, 0600}};
    auto commands = finishingCommands(plan, true);
    ASSERT_EQ(commands.size(), 4u);
    EXPECT_EQ(commands[0], "mkdir -p -- './up/e'");
    EXPECT_EQ(commands[1], "chmod 600 -- './up/it'\\''s'");
    EXPECT_EQ(commands[2], "chmod 755 -- './up/b' './up/c'");
    EXPECT_EQ(commands[3], "chmod 700 -- './up'");
    auto no_modes = finishingCommands(plan, false);
    ASSERT_EQ(no_modes.size(), 1u);
    EXPECT_EQ(no_modes[0], "mkdir -p -- './up/e'");
    plan.empty_directories.clear();
    plan.directories[0].mode = 0755;
    plan.files.resize(1);
    EXPECT_TRUE(finishingCommands(plan, true).empty()); // nothing a write did not do already
}

TEST(TransferPlan, LongPathListsAreSplitIntoSeveralCommands) {
    Plan plan;
    for (int i = 0; i < 2000; ++i)
        plan.files.push_back({"l", "dir/" + std::string(60, 'x') + std::to_string(i), 1, 0755});
    auto commands = finishingCommands(plan, true);
    ASSERT_GT(commands.size(), 1u);
    std::size_t paths = 0;
    for (const auto& c : commands) {
        EXPECT_LE(c.size(), 64u * 1024 + 200);
        EXPECT_EQ(c.rfind("chmod 755 -- ", 0), 0u);
        for (std::size_t p = c.find("'./dir/"); p != std::string::npos; p = c.find("'./dir/", p + 1))
            ++paths;
    }
    EXPECT_EQ(paths, 2000u);
}

TEST(TransferPlan, ModeListingIsParsed) {
    EXPECT_EQ(modeQueryCommand("/home/sandbox/t", true), "find './t' -printf '%m %P\\0'");
    std::string out("755 bin\0" "644 bin/a b\0" "600 x\0", 24);
    auto modes = parseModes(out, true);
    ASSERT_EQ(modes.size(), 3u);
    EXPECT_EQ(modes[1].first, "bin/a b");
    EXPECT_EQ(modes[1].second, 0644u);
    EXPECT_EQ(modes[2].second, 0600u);
    auto single = parseModes("750", false);
    ASSERT_EQ(single.size(), 1u);
    EXPECT_EQ(single[0].second, 0750u);
}
