// Go text/tabwriter semantics (docs/protocol.md §10.3).
#include "tabwriter.hpp"

#include <gtest/gtest.h>

using sockt::cli::runeCount;
using sockt::cli::tabwrite;

TEST(Tabwriter, TiersTableIsByteExact) {
    std::string in = "TIER\tSATS/SEC\tUSD/HOUR\tSATS/HOUR\tSATS/DAY\n"
                     "nano\t0.50\t$0.0100\t1800\t43200\n"
                     "micro\t1.00\t$0.0200\t3600\t86400\n"
                     "small\t2.50\t$0.0500\t9000\t216000\n"
                     "medium\t5.00\t$0.1000\t18000\t432000\n"
                     "large\t10.00\t$0.2000\t36000\t864000\n"
                     "gpu-small\t25.00\t$0.5000\t90000\t2160000\n";
    std::string want = "TIER       SATS/SEC  USD/HOUR  SATS/HOUR  SATS/DAY\n"
                       "nano       0.50      $0.0100   1800       43200\n"
                       "micro      1.00      $0.0200   3600       86400\n"
                       "small      2.50      $0.0500   9000       216000\n"
                       "medium     5.00      $0.1000   18000      432000\n"
                       "large      10.00     $0.2000   36000      864000\n"
                       "gpu-small  25.00     $0.5000   90000      2160000\n";
    EXPECT_EQ(tabwrite(in), want);
}

TEST(Tabwriter, LastCellIsNotPaddedAndBlocksFollowConsecutiveLines) {
    // A line without the column ends the block: widths restart after it (Go semantics).
    std::string in = "a\tb\nlonger\tc\nplain line\nx\ty\n";
    EXPECT_EQ(tabwrite(in), "a       b\nlonger  c\nplain line\nx  y\n");
}

TEST(Tabwriter, StatusLayout) {
    std::string in = "ID:\tb00e\nStatus:\trunning\nTime remaining:\t9000s\n";
    EXPECT_EQ(tabwrite(in),
              "ID:              b00e\nStatus:          running\nTime remaining:  9000s\n");
}

TEST(Tabwriter, WidthsCountCodePoints) {
    std::string in = "\xC3\xA9t\xC3\xA9\t1\nab\t2\n"; // "été" is 3 code points, 5 bytes
    EXPECT_EQ(tabwrite(in), "\xC3\xA9t\xC3\xA9  1\nab   2\n");
    EXPECT_EQ(runeCount("\xC3\xA9t\xC3\xA9"), 3u);
    EXPECT_EQ(runeCount("\xFF\xFE"), 2u); // invalid bytes count one each
}

TEST(Tabwriter, EmptyCellsArePadded) {
    EXPECT_EQ(tabwrite("\tx\nab\ty\n"), "    x\nab  y\n");
    EXPECT_EQ(tabwrite(""), "");
    EXPECT_EQ(tabwrite("no tabs\n"), "no tabs\n");
}

TEST(Tabwriter, FilesListing) {
    std::string in = "-\t220\t.bashrc\nd\t4096\t.config\n-\t12345678\tsrc/app.py\n";
    EXPECT_EQ(tabwrite(in),
              "-  220       .bashrc\nd  4096      .config\n-  12345678  src/app.py\n");
}
