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

TEST(LocalTime, DatesAndMinutesAtAnOffset) {
    using mailpush::common::parse_local_datetime;
    EXPECT_EQ(parse_local_datetime("1970-01-01", 0), 0);
    EXPECT_EQ(parse_local_datetime("1970-01-01 08:00", 480), 0);
    EXPECT_EQ(parse_local_datetime("2026-11-23 18:00:00", 480), 1795428000000);
    EXPECT_EQ(parse_local_datetime("2024-02-29", 0), 1709164800000); // a leap day
    EXPECT_FALSE(parse_local_datetime("2026-11-23T18:00", 0));
    EXPECT_FALSE(parse_local_datetime("2026-13-01", 0));
    EXPECT_FALSE(parse_local_datetime("29/09/2019", 0));
}
