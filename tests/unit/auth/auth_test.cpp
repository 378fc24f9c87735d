#include "mailpush/auth/auth_gate.hpp"
#include "mailpush/auth/login_cache.hpp"
#include "mailpush/common/password_hash.hpp"
#include "mailpush/store/password_policy.hpp"

#include <gtest/gtest.h>

namespace mailpush::auth {
using common::hash_password;
using common::hash_password_pbkdf2;
using common::needs_rehash;
using common::PasswordCost;
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
    const auto prev = hash_password("Secret2026ab", PasswordCost{64, 1});
    EXPECT_EQ(*check_password_policy("Secret2026ab", prev), "the password must differ from the previous one");
    EXPECT_EQ(check_password_policy("Secret2027ab", prev), std::nullopt);
}

TEST(PasswordHash, Argon2idSaltedAndVerifiable) {
    const PasswordCost cost{64, 1};
    const auto a = hash_password("Secret2026ab", cost);
    const auto b = hash_password("Secret2026ab", cost);
    EXPECT_NE(a, b); // different salts
    EXPECT_TRUE(a.starts_with("$argon2id$v=19$m=64,t=1,p=1$")) << a;
    EXPECT_TRUE(verify_password("Secret2026ab", a));
    EXPECT_FALSE(verify_password("Secret2026aB", a));
    EXPECT_FALSE(verify_password("x", "garbage"));
    EXPECT_FALSE(verify_password("x", "$argon2id$v=19$m=64,t=1,p=1$AAAA"));
    EXPECT_FALSE(verify_password("x", ""));
}

TEST(PasswordHash, LegacyPbkdf2StillVerifiesAndAsksForAnUpgrade) {
    const PasswordCost cost{64, 1};
    const auto old = hash_password_pbkdf2("Secret2026ab", 1000);
    EXPECT_TRUE(old.starts_with("pbkdf2-sha256$1000$"));
    EXPECT_TRUE(verify_password("Secret2026ab", old));
    EXPECT_FALSE(verify_password("Secret2026aB", old));
    EXPECT_FALSE(verify_password("x", "pbkdf2-sha256$0$AAAA$AAAA"));
    EXPECT_TRUE(needs_rehash(old, cost));
    EXPECT_FALSE(needs_rehash(hash_password("Secret2026ab", cost), cost));
    EXPECT_TRUE(needs_rehash(hash_password("Secret2026ab", cost), PasswordCost{128, 1})); // cost raised
}

TEST(LoginCache, RemembersOnlyTheExactPasswordAndHash) {
    LoginCache cache(2);
    cache.remember("a@x.y", "hash1", "pw");
    EXPECT_TRUE(cache.matches("a@x.y", "hash1", "pw"));
    EXPECT_FALSE(cache.matches("a@x.y", "hash1", "pw2"));
    EXPECT_FALSE(cache.matches("a@x.y", "hash2", "pw")); // password changed: stale entry ignored
    EXPECT_FALSE(cache.matches("b@x.y", "hash1", "pw"));
}

namespace {
using std::chrono::milliseconds;
using std::chrono::seconds;
const auto t0 = AuthGate::Clock::time_point{} + std::chrono::hours(1);

AuthGateOptions small_gate() {
    AuthGateOptions o;
    o.failures_per_ip = 3;
    o.ip_window = seconds(60);
    o.concurrent_per_ip = 2;
    o.failures_per_address = 2;
    o.address_window = seconds(600);
    o.address_max_pause = seconds(8);
    return o;
}
} // namespace

TEST(AuthGate, ChecksInFlightCountAgainstTheIpBudget) {
    auto o = small_gate();
    o.concurrent_per_ip = 10; // only the budget
    AuthGate g(o);
    // Three parallel attempts reserve the whole budget; the fourth is refused before any check.
    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(g.admit("1.2.3.4", "u" + std::to_string(i) + "@x.y", t0), Admission::check);
    EXPECT_EQ(g.admit("1.2.3.4", "u9@x.y", t0), Admission::ip_throttled);
    EXPECT_EQ(g.admit("5.6.7.8", "u9@x.y", t0), Admission::check); // another IP has its own budget
    // A success gives its reservation back; failures keep it for the window.
    g.finish("1.2.3.4", "u0@x.y", true, t0);
    EXPECT_EQ(g.admit("1.2.3.4", "u8@x.y", t0), Admission::check);
    g.finish("1.2.3.4", "u1@x.y", false, t0);
    g.finish("1.2.3.4", "u2@x.y", false, t0);
    g.finish("1.2.3.4", "u8@x.y", false, t0);
    EXPECT_EQ(g.admit("1.2.3.4", "u7@x.y", t0 + seconds(59)), Admission::ip_throttled);
    EXPECT_EQ(g.admit("1.2.3.4", "u7@x.y", t0 + seconds(60)), Admission::check); // the window moved
}

TEST(AuthGate, CapsConcurrentChecksPerIp) {
    AuthGate g(small_gate());
    EXPECT_EQ(g.admit("1.2.3.4", "a@x.y", t0), Admission::check);
    EXPECT_EQ(g.admit("1.2.3.4", "b@x.y", t0), Admission::check);
    EXPECT_EQ(g.admit("1.2.3.4", "c@x.y", t0), Admission::ip_busy);
    g.finish("1.2.3.4", "a@x.y", true, t0);
    EXPECT_EQ(g.admit("1.2.3.4", "c@x.y", t0), Admission::check);
}

TEST(AuthGate, AnAddressGuessedFromManyIpsPausesLongerAndLongerButNeverLocks) {
    AuthGate g(small_gate());
    const std::string victim = "boss@x.y";
    // Two failures from two IPs reach the address's limit: the first pause is 1 s.
    for (const auto* ip : {"10.0.0.1", "10.0.0.2"}) {
        ASSERT_EQ(g.admit(ip, victim, t0), Admission::check);
        g.finish(ip, victim, false, t0);
    }
    EXPECT_EQ(g.admit("10.0.0.3", victim, t0 + milliseconds(999)), Admission::address_paused);
    EXPECT_EQ(g.admit("10.0.0.3", "other@x.y", t0), Admission::check); // other addresses unaffected
    // After the pause one check at a time: a parallel one waits.
    ASSERT_EQ(g.admit("10.0.0.4", victim, t0 + seconds(1)), Admission::check);
    EXPECT_EQ(g.admit("10.0.0.5", victim, t0 + seconds(1)), Admission::address_paused);
    g.finish("10.0.0.4", victim, false, t0 + seconds(1)); // third failure: 2 s
    EXPECT_EQ(g.admit("10.0.0.5", victim, t0 + milliseconds(2999)), Admission::address_paused);
    ASSERT_EQ(g.admit("10.0.0.5", victim, t0 + seconds(3)), Admission::check);
    g.finish("10.0.0.5", victim, false, t0 + seconds(3)); // fourth: 4 s
    EXPECT_EQ(g.admit("10.0.0.6", victim, t0 + milliseconds(6999)), Admission::address_paused);
    ASSERT_EQ(g.admit("10.0.0.6", victim, t0 + seconds(7)), Admission::check);
    g.finish("10.0.0.6", victim, false, t0 + seconds(7)); // fifth: 8 s, the cap
    ASSERT_EQ(g.admit("10.0.0.7", victim, t0 + seconds(15)), Admission::check);
    g.finish("10.0.0.7", victim, false, t0 + seconds(15)); // sixth: still 8 s
    EXPECT_EQ(g.admit("10.0.0.8", victim, t0 + milliseconds(22'999)), Admission::address_paused);
    // The owner gets in after the pause, which gives the guessers nothing: their failures stay,
    // one check at a time, and the next failure pauses the address at the cap again.
    ASSERT_EQ(g.admit("192.0.2.1", victim, t0 + seconds(23)), Admission::check);
    g.finish("192.0.2.1", victim, true, t0 + seconds(23));
    ASSERT_EQ(g.admit("10.0.0.9", victim, t0 + seconds(23)), Admission::check);
    EXPECT_EQ(g.admit("10.0.0.10", victim, t0 + seconds(23)), Admission::address_paused);
    g.finish("10.0.0.9", victim, false, t0 + seconds(23));
    EXPECT_EQ(g.admit("10.0.0.10", victim, t0 + milliseconds(30'999)), Admission::address_paused);
}

TEST(AuthGate, ASuccessForgetsOnlyTheFailuresOfItsOwnIp) {
    AuthGate g(small_gate()); // 2 failures per address
    const std::string user = "me@x.y";
    // The owner mistypes twice from home: the address pauses; the right password later clears it.
    for (int i = 0; i < 2; ++i) {
        ASSERT_EQ(g.admit("192.0.2.1", user, t0), Admission::check);
        g.finish("192.0.2.1", user, false, t0);
    }
    ASSERT_EQ(g.admit("192.0.2.1", user, t0 + seconds(1)), Admission::check);
    g.finish("192.0.2.1", user, true, t0 + seconds(1));
    ASSERT_EQ(g.admit("10.0.0.1", user, t0 + seconds(1)), Admission::check);
    EXPECT_EQ(g.admit("10.0.0.2", user, t0 + seconds(1)), Admission::check); // below the limit again
    g.finish("10.0.0.1", user, false, t0 + seconds(1));
    g.finish("10.0.0.2", user, false, t0 + seconds(1)); // two guesses from elsewhere: limit reached
    EXPECT_EQ(g.admit("10.0.0.3", user, t0 + milliseconds(1999)), Admission::address_paused);
    // The owner logs in again: the guesses were not its own, the address stays at its limit.
    ASSERT_EQ(g.admit("192.0.2.1", user, t0 + seconds(2)), Admission::check);
    g.finish("192.0.2.1", user, true, t0 + seconds(2));
    ASSERT_EQ(g.admit("10.0.0.3", user, t0 + seconds(2)), Admission::check);
    EXPECT_EQ(g.admit("10.0.0.4", user, t0 + seconds(2)), Admission::address_paused); // one at a time
}

TEST(AuthGate, AWaiterLearningAFailureCostsItsIpAFailure) {
    auto o = small_gate(); // 3 failures per IP
    o.failures_per_address = 100;
    AuthGate g(o);
    ASSERT_EQ(g.admit("1.2.3.4", "a@x.y", t0), Admission::check); // the leader's reservation
    for (int i = 0; i < 5; ++i)
        ASSERT_EQ(g.admit_waiter("1.2.3.4", "a@x.y", t0), Admission::check);
    // Five waiters learn the verdict before the leader finishes: two fit beside its reservation.
    EXPECT_TRUE(g.count_shared_failure("1.2.3.4", t0));
    EXPECT_TRUE(g.count_shared_failure("1.2.3.4", t0));
    EXPECT_FALSE(g.count_shared_failure("1.2.3.4", t0));
    EXPECT_FALSE(g.count_shared_failure("1.2.3.4", t0));
    g.finish("1.2.3.4", "a@x.y", false, t0);
    EXPECT_FALSE(g.count_shared_failure("1.2.3.4", t0));
    EXPECT_EQ(g.admit("1.2.3.4", "b@x.y", t0), Admission::ip_throttled); // the budget is spent
    EXPECT_EQ(g.admit("5.6.7.8", "b@x.y", t0), Admission::check);        // only that IP's
    EXPECT_TRUE(g.count_shared_failure("1.2.3.4", t0 + seconds(60)));    // the window moved
}

TEST(AuthGate, AWaiterTakesNoSlotButIsRefusedByTheFailureBudgets) {
    AuthGate g(small_gate()); // 2 checks in flight per IP
    EXPECT_EQ(g.admit("1.2.3.4", "a@x.y", t0), Admission::check);
    EXPECT_EQ(g.admit("1.2.3.4", "b@x.y", t0), Admission::check);
    EXPECT_EQ(g.admit("1.2.3.4", "c@x.y", t0), Admission::ip_busy);
    for (int i = 0; i < 20; ++i) // waiters for those checks: no slot, nothing to finish
        EXPECT_EQ(g.admit_waiter("1.2.3.4", "a@x.y", t0), Admission::check);
    g.finish("1.2.3.4", "a@x.y", false, t0);
    g.finish("1.2.3.4", "b@x.y", false, t0); // one failure per address: no pause yet
    EXPECT_EQ(g.admit_waiter("1.2.3.4", "a@x.y", t0), Admission::check);
    g.finish("9.9.9.9", "a@x.y", false, t0); // never admitted: counts as a failure all the same
    EXPECT_EQ(g.admit_waiter("1.2.3.5", "a@x.y", t0 + milliseconds(500)), Admission::address_paused);
    EXPECT_EQ(g.admit_waiter("1.2.3.5", "a@x.y", t0 + seconds(2)), Admission::check);
    g.finish("1.2.3.4", "y@x.y", false, t0); // the IP's third failure: its budget is spent
    EXPECT_EQ(g.admit_waiter("1.2.3.4", "z@x.y", t0), Admission::ip_throttled);
    EXPECT_EQ(g.admit("1.2.3.4", "z@x.y", t0), Admission::ip_throttled);
}

TEST(AuthGate, MemoryIsBounded) {
    auto o = small_gate();
    o.max_tracked = 100;
    AuthGate g(o);
    for (int i = 0; i < 1000; ++i) {
        const auto ip = "10.1." + std::to_string(i / 256) + "." + std::to_string(i % 256);
        const auto address = "u" + std::to_string(i) + "@x.y";
        ASSERT_EQ(g.admit(ip, address, t0), Admission::check);
        g.finish(ip, address, false, t0);
    }
    EXPECT_LE(g.tracked_ips(), 100u);
    EXPECT_LE(g.tracked_addresses(), 100u);
    // Once the windows have passed, the entries are swept.
    EXPECT_EQ(g.admit("10.9.9.9", "z@x.y", t0 + seconds(601)), Admission::check);
    EXPECT_LE(g.tracked_ips(), 1u);
    EXPECT_LE(g.tracked_addresses(), 1u);
}

} // namespace mailpush::auth
