#include "mailpush/common/url.hpp"

#include <gtest/gtest.h>

using namespace mailpush::common;

TEST(PercentEncode, Rfc3986ByDefault) {
    EXPECT_EQ(percent_encode("AZaz09-_.~"), "AZaz09-_.~");
    EXPECT_EQ(percent_encode("a b/c=d&e*f+"), "a%20b%2Fc%3Dd%26e%2Af%2B");
    EXPECT_EQ(percent_encode("\xE4\xBD\xA0"), "%E4%BD%A0");
    EXPECT_EQ(percent_encode(std::string_view("\0", 1)), "%00");
}

TEST(PercentEncode, TheCallerChoosesWhatStays) {
    EXPECT_EQ(percent_encode("ops@example.org x", kUnreserved | ByteSet("@")), "ops@example.org%20x");
    const auto framing_only = ~ByteSet("&%\r\n");
    EXPECT_EQ(percent_encode("a b&c=d%\r\n", framing_only), "a b%26c=d%25%0D%0A");
    EXPECT_EQ(percent_encode("\xE4\xBD\xA0", framing_only), "\xE4\xBD\xA0");
}

TEST(PercentEncode, DecodesWhatItEncodes) {
    std::string all;
    for (int c = 0; c < 256; ++c)
        all += static_cast<char>(c);
    EXPECT_EQ(percent_decode(percent_encode(all), false), all);
    EXPECT_EQ(percent_decode(percent_encode(all, ~ByteSet("%")), false), all);
}

TEST(ByteSet, Membership) {
    constexpr ByteSet digits = ByteSet::range('0', '9');
    static_assert(digits.contains('5') && !digits.contains('a'));
    EXPECT_TRUE((~digits).contains(0xFF));
    EXPECT_FALSE(ByteSet().contains(0));
}
