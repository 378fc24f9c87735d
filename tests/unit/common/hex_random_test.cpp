#include "mailpush/common/hex.hpp"
#include "mailpush/common/random.hpp"

#include <gtest/gtest.h>

#include <set>

using namespace mailpush::common;

TEST(Hex, EncodesEveryByteInEitherCase) {
    EXPECT_EQ(to_hex(""), "");
    EXPECT_EQ(to_hex(std::string_view("\x00\x0f\xa5\xff", 4)), "000fa5ff");
    EXPECT_EQ(to_hex(std::string_view("\x00\x0f\xa5\xff", 4), HexCase::upper), "000FA5FF");
    std::string out = "%";
    append_hex(out, 0x2f, HexCase::upper);
    EXPECT_EQ(out, "%2F");
}

TEST(Random, SizesAndAlphabets) {
    EXPECT_EQ(random_bytes(0).size(), 0u);
    EXPECT_EQ(random_bytes(33).size(), 33u);
    const auto hex = random_hex(8);
    EXPECT_EQ(hex.size(), 16u);
    EXPECT_EQ(hex.find_first_not_of("0123456789abcdef"), std::string::npos);
    const auto token = random_token(200);
    EXPECT_EQ(token.size(), 200u);
    for (const char c : token)
        EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c))) << c;
}

TEST(Random, ValuesDiffer) {
    std::set<std::string> seen;
    for (int i = 0; i < 100; ++i)
        seen.insert(random_bytes(16));
    EXPECT_EQ(seen.size(), 100u);
}
