#include "mailpush/common/base64.hpp"

#include <gtest/gtest.h>

using namespace mailpush::common;

TEST(Base64Url, RoundTripsWithoutPaddingInTheUrlAlphabet) {
    const std::string standard = base64_encode("\xfb\xff\xbf?>");
    const auto url = base64_to_url(standard);
    EXPECT_EQ(url.find_first_of("+/="), std::string::npos);
    EXPECT_EQ(base64_from_url(url), standard);
}

TEST(Base64Url, RefusesTheStandardAlphabetAndNonCanonicalText) {
    EXPECT_FALSE(base64_from_url("ab+c"));
    EXPECT_FALSE(base64_from_url("ab/c"));
    EXPECT_FALSE(base64_from_url("abc="));
    EXPECT_FALSE(base64_from_url("a")); // no length pads to a valid one
    EXPECT_EQ(base64_from_url(""), "");
}
