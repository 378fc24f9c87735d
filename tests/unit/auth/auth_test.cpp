#include "mailpush/auth/login_cache.hpp"
#include "mailpush/auth/throttle.hpp"
#include "mailpush/common/password_hash.hpp"
#include "mailpush/store/password_policy.hpp"

#include <gtest/gtest.h>

namespace mailpush::auth {
using common::hash_password;
using common::verify_password;
using store::check_password_policy;

TEST(PasswordPolicy, SeedRules) {
    EXPECT_EQ(check_password_policy("Secret2026ab", ""), std::nullopt);
    EXPECT_EQ(*check_password_policy("Sh0rt1a", ""), "the password must be 10 to 20 characters long");
    EXPECT_EQ(*check_password_policy("Abcdefgh1234567890xyz", ""),
              "the password must be 10 to 20 characters long");
    EXPECT_EQ(*check_password_policy("abcdefgh12", ""),
              "the password needs digits, upper-case and lower-case letters");
    EXPECT_EQ(*check_password_policy("ABCDEFGH12", ""),
              "the password needs digits, upper-case and lower-case letters");
    EXPECT_EQ(*check_password_policy("Abcdefghi1", ""), "the password needs at least 2 digits and 2 letters");
    EXPECT_EQ(*check_password_policy("A123456789", ""), "the password needs at least 2 digits and 2 letters");
    EXPECT_EQ(*check_password_policy("Abcdefg111", ""), "the digits must not all be the same character");
    EXPECT_EQ(check_password_policy("aaaaA12345", ""), std::nullopt);
    EXPECT_EQ(*check_password_policy("Aa12 345678", ""),
              "the password may contain only printable ASCII characters without blanks");
}

TEST(PasswordPolicy, LettersNotOneRepeatedCharacter) {
    // Upper and lower case of one letter are different characters, so "Aa" passes; a single letter repeated
    // fails.
    EXPECT_EQ(*check_password_policy("1234567aaa", ""),
              "the password needs digits, upper-case and lower-case letters");
}

TEST(PasswordPolicy, NotEqualToPrevious) {
    const auto prev = hash_password("Secret2026ab", 1000);
    EXPECT_EQ(*check_password_policy("Secret2026ab", prev), "the password must differ from the previous one");
    EXPECT_EQ(check_password_policy("Secret2027ab", prev), std::nullopt);
}

TEST(PasswordHash, SaltedAndVerifiable) {
    const auto a = hash_password("Secret2026ab", 1000);
    const auto b = hash_password("Secret2026ab", 1000);
    EXPECT_NE(a, b); // different salts
    EXPECT_TRUE(a.starts_with("pbkdf2-sha256$1000$"));
    EXPECT_TRUE(verify_password("Secret2026ab", a));
    EXPECT_FALSE(verify_password("Secret2026aB", a));
    EXPECT_FALSE(verify_password("x", "garbage"));
    EXPECT_FALSE(verify_password("x", "pbkdf2-sha256$0$AAAA$AAAA"));
    EXPECT_FALSE(verify_password("x", ""));
}

TEST(LoginCache, RemembersOnlyTheExactPasswordAndHash) {
    LoginCache cache(2);
    cache.remember("a@x.y", "hash1", "pw");
    EXPECT_TRUE(cache.matches("a@x.y", "hash1", "pw"));
    EXPECT_FALSE(cache.matches("a@x.y", "hash1", "pw2"));
    EXPECT_FALSE(cache.matches("a@x.y", "hash2", "pw")); // password changed: stale entry ignored
    EXPECT_FALSE(cache.matches("b@x.y", "hash1", "pw"));
}

TEST(AuthThrottle, BlocksAfterLimitWithinWindowThenForgets) {
    AuthThrottle t(3, std::chrono::seconds(60));
    const auto t0 = AuthThrottle::Clock::time_point{} + std::chrono::hours(1);
    for (int i = 0; i < 2; ++i)
        t.record_failure("1.2.3.4", t0);
    EXPECT_FALSE(t.blocked("1.2.3.4", t0));
    t.record_failure("1.2.3.4", t0 + std::chrono::seconds(1));
    EXPECT_TRUE(t.blocked("1.2.3.4", t0 + std::chrono::seconds(2)));
    EXPECT_FALSE(t.blocked("5.6.7.8", t0));
    EXPECT_FALSE(t.blocked("1.2.3.4", t0 + std::chrono::seconds(61)));
}

} // namespace mailpush::auth
