#include "mailpush/common/strings.hpp"

#include <gtest/gtest.h>

using mailpush::common::valid_utf8;

TEST(Utf8, AcceptsWellFormedText) {
    EXPECT_TRUE(valid_utf8(""));
    EXPECT_TRUE(valid_utf8("plain ascii"));
    EXPECT_TRUE(valid_utf8("你好 é \xF0\x9F\x98\x80")); // 3- and 4-byte sequences
    EXPECT_TRUE(valid_utf8("\xF4\x8F\xBF\xBF"));        // U+10FFFF
}

TEST(Utf8, RefusesMalformedText) {
    EXPECT_FALSE(valid_utf8("\xC4\xE3\xBA\xC3")); // "你好" in GBK
    EXPECT_FALSE(valid_utf8("\xE4\xBD"));         // truncated
    EXPECT_FALSE(valid_utf8("a\x80"));            // stray continuation byte
    EXPECT_FALSE(valid_utf8("\xC0\xAF"));         // overlong '/'
    EXPECT_FALSE(valid_utf8("\xED\xA0\x80"));     // surrogate
    EXPECT_FALSE(valid_utf8("\xF4\x90\x80\x80")); // above U+10FFFF
    EXPECT_FALSE(valid_utf8("\xFF"));
}
