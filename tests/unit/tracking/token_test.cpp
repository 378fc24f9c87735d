// Tracking tokens: what make_token writes reads back, and nothing else does.
#include "mailpush/common/base64.hpp"
#include "mailpush/tracking/token.hpp"

#include <gtest/gtest.h>

namespace mailpush::tracking {
namespace {

const TrackingKey kKey{7, std::string(32, '\x42')};
const TrackingKey kNewKey{8, std::string(32, '\x17')};

TEST(Token, RoundTrip) {
    for (const TokenClaim claim : {TokenClaim{1, 0, 0}, TokenClaim{123456789012345ULL, 41, 3},
                                   TokenClaim{UINT64_MAX, UINT32_MAX, UINT32_MAX}}) {
        const auto token = make_token(kKey, claim);
        EXPECT_LE(token.size(), kMaxTokenLength);
        EXPECT_EQ(token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
                  std::string::npos);
        const auto read = read_token({kKey}, token);
        ASSERT_TRUE(read) << token;
        EXPECT_EQ(*read, claim);
    }
}

TEST(Token, TypicalTokenIsAboutFortyCharacters) {
    const auto token = make_token(kKey, TokenClaim{1'234'567'890, 12, 5});
    EXPECT_GE(token.size(), 28u);
    EXPECT_LE(token.size(), 44u);
}

TEST(Token, EverySingleBitFlipIsRefused) {
    const auto token = make_token(kKey, TokenClaim{987654321, 2, 4});
    const auto raw = *common::base64_decode(*common::base64_from_url(token));
    for (std::size_t byte = 0; byte < raw.size(); ++byte) {
        for (int bit = 0; bit < 8; ++bit) {
            std::string flipped = raw;
            flipped[byte] = static_cast<char>(flipped[byte] ^ (1 << bit));
            const auto forged = common::base64_to_url(common::base64_encode(flipped));
            EXPECT_FALSE(read_token({kKey}, forged)) << "byte " << byte << " bit " << bit;
        }
    }
}

TEST(Token, EveryCharacterChangeIsRefused) {
    const auto token = make_token(kKey, TokenClaim{5, 1, 2});
    const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (std::size_t i = 0; i < token.size(); ++i) {
        for (const char c : alphabet) {
            if (c == token[i]) continue;
            std::string changed = token;
            changed[i] = c;
            EXPECT_FALSE(read_token({kKey}, changed)) << changed;
        }
    }
}

TEST(Token, TruncationsAndExtensionsAreRefused) {
    const auto token = make_token(kKey, TokenClaim{5, 1, 2});
    for (std::size_t n = 0; n < token.size(); ++n)
        EXPECT_FALSE(read_token({kKey}, token.substr(0, n))) << n;
    EXPECT_FALSE(read_token({kKey}, token + "A"));
    EXPECT_FALSE(read_token({kKey}, token + "AAAA"));
    const auto raw = *common::base64_decode(*common::base64_from_url(token));
    EXPECT_FALSE(read_token({kKey}, common::base64_to_url(common::base64_encode(raw + '\0'))));
}

TEST(Token, MalformedInputIsRefused) {
    for (const std::string_view bad : {"", "!!!!", "a+b/", "abc=", "====", "A", "\xff\xfe"})
        EXPECT_FALSE(read_token({kKey}, bad)) << bad;
    EXPECT_FALSE(read_token({kKey}, std::string(kMaxTokenLength + 1, 'A')));
    EXPECT_FALSE(read_token({}, make_token(kKey, TokenClaim{1, 1, 1})));
}

TEST(Token, UnknownKeyIdIsRefused) {
    const auto token = make_token(kKey, TokenClaim{5, 1, 2});
    EXPECT_FALSE(read_token({kNewKey}, token));
    // The same secret under another id is another key.
    EXPECT_FALSE(read_token({TrackingKey{9, kKey.secret}}, token));
    // The right id with another secret fails the MAC.
    EXPECT_FALSE(read_token({TrackingKey{kKey.id, kNewKey.secret}}, token));
}

TEST(Token, RotationKeepsOldKeysReadable) {
    const TokenClaim claim{42, 3, 0};
    const auto old_token = make_token(kKey, claim);
    const auto new_token = make_token(kNewKey, claim);
    EXPECT_NE(old_token, new_token);
    EXPECT_EQ(read_token({kNewKey, kKey}, old_token), claim);
    EXPECT_EQ(read_token({kNewKey, kKey}, new_token), claim);
    EXPECT_FALSE(read_token({kNewKey}, old_token)); // retired
}

} // namespace
} // namespace mailpush::tracking
