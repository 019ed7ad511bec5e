// UTF-8 hold-back of `sockt shell` input (docs/protocol.md §10.13).
#include "raw_terminal.hpp"

#include <gtest/gtest.h>

using sockt::cli::incompleteUtf8Tail;

TEST(Utf8Tail, CompleteTextHasNoTail) {
    EXPECT_EQ(incompleteUtf8Tail(""), 0u);
    EXPECT_EQ(incompleteUtf8Tail("abc"), 0u);
    EXPECT_EQ(incompleteUtf8Tail("\xC3\xA9"), 0u);
    EXPECT_EQ(incompleteUtf8Tail("\xE2\x82\xAC"), 0u);
    EXPECT_EQ(incompleteUtf8Tail("\xF0\x9F\x98\x80"), 0u);
}

TEST(Utf8Tail, CutCharactersAreHeldBack) {
    EXPECT_EQ(incompleteUtf8Tail("a\xC3"), 1u);
    EXPECT_EQ(incompleteUtf8Tail("a\xE2\x82"), 2u);
    EXPECT_EQ(incompleteUtf8Tail("\xF0\x9F\x98"), 3u);
    EXPECT_EQ(incompleteUtf8Tail("\xF0"), 1u);
}

TEST(Utf8Tail, InvalidBytesAreNotHeldBack) {
    EXPECT_EQ(incompleteUtf8Tail("\x80\x80\x80\x80"), 0u);
    EXPECT_EQ(incompleteUtf8Tail("\xFF"), 0u);
}
