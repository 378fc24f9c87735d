// The console's sessions: idle and absolute expiry on the given clock, CSRF tokens, sign-out of
// one session or of every session of an account, and the bounds (least recently used first).
#include "mailpush/auth/session_table.hpp"

#include <gtest/gtest.h>

namespace mailpush::auth {
namespace {

SessionLimits limits(std::size_t max_sessions = 100, std::size_t per_account = 5) {
    SessionLimits l;
    l.idle = std::chrono::seconds(60);
    l.lifetime = std::chrono::seconds(300);
    l.max_sessions = max_sessions;
    l.max_per_account = per_account;
    return l;
}

TEST(SessionTable, IdleTimeRestartsWithEachRequestUntilTheAbsoluteLimit) {
    SessionTable t(limits());
    const auto id = t.open("acme", false, 1000, "hash");
    ASSERT_EQ(id.size(), 43u);
    for (std::int64_t now = 1050; now < 1300; now += 50) { // busy: every 50 s
        const auto s = t.touch(id, now);
        ASSERT_TRUE(s) << now;
        EXPECT_EQ(s->account, "acme");
        EXPECT_EQ(s->credential, "hash");
        EXPECT_EQ(s->expires_s, std::min<std::int64_t>(now + 60, 1300));
    }
    EXPECT_FALSE(t.touch(id, 1300)); // 300 s after sign-in, however busy
    EXPECT_EQ(t.size(), 0u);
}

TEST(SessionTable, AnIdleSessionEndsAndIsRemoved) {
    SessionTable t(limits());
    const auto id = t.open("acme", false, 1000);
    EXPECT_TRUE(t.touch(id, 1059));
    EXPECT_FALSE(t.touch(id, 1119)); // 60 s after the last request
    EXPECT_FALSE(t.touch(id, 1060));
    EXPECT_FALSE(t.touch("no-such-id", 1000));
}

TEST(SessionTable, CsrfTokensAreTheSessionsOwn) {
    SessionTable t(limits());
    const auto a = t.touch(t.open("acme", false, 1000), 1000);
    const auto b = t.touch(t.open("acme", false, 1000), 1000);
    ASSERT_TRUE(a && b);
    EXPECT_NE(a->csrf, b->csrf);
    EXPECT_TRUE(SessionTable::csrf_matches(*a, a->csrf));
    EXPECT_FALSE(SessionTable::csrf_matches(*a, b->csrf));
    EXPECT_FALSE(SessionTable::csrf_matches(*a, ""));
    EXPECT_FALSE(SessionTable::csrf_matches(*a, a->csrf.substr(1)));
}

TEST(SessionTable, SignOutOfOneSessionOrOfAnAccount) {
    SessionTable t(limits());
    const auto a1 = t.open("acme", false, 1000), a2 = t.open("acme", false, 1000);
    const auto other = t.open("other", false, 1000), op = t.open("", true, 1000);
    t.close(a1);
    EXPECT_FALSE(t.touch(a1, 1001));
    EXPECT_TRUE(t.touch(a2, 1001));
    t.close_account("acme");
    EXPECT_FALSE(t.touch(a2, 1002));
    EXPECT_TRUE(t.touch(other, 1002));
    EXPECT_TRUE(t.touch(op, 1002)->operator_mode);
}

TEST(SessionTable, BoundedPerAccountAndOverallLeastRecentlyUsedFirst) {
    SessionTable t(limits(4, 2));
    const auto a1 = t.open("acme", false, 1000), a2 = t.open("acme", false, 1001);
    t.touch(a1, 1002); // a2 is now the least recently used of acme's
    const auto a3 = t.open("acme", false, 1003);
    EXPECT_TRUE(t.touch(a1, 1004));
    EXPECT_FALSE(t.touch(a2, 1004));
    EXPECT_TRUE(t.touch(a3, 1004));
    const auto b = t.open("b", false, 1005), c = t.open("c", false, 1006);
    EXPECT_EQ(t.size(), 4u);
    const auto d = t.open("d", false,
                          1007); // full: the least recently used of all goes (a1 and a3 at 1004: one of them)
    EXPECT_EQ(t.size(), 4u);
    EXPECT_TRUE(t.touch(b, 1008) && t.touch(c, 1008) && t.touch(d, 1008));
    // Expired sessions make room before anyone is evicted.
    SessionTable u(limits(2, 2));
    const auto old = u.open("x", false, 1000);
    const auto fresh = u.open("y", false, 1050);
    const auto later = u.open("z", false, 1070); // old expired at 1060
    EXPECT_FALSE(u.touch(old, 1071));
    EXPECT_TRUE(u.touch(fresh, 1071) && u.touch(later, 1071));
}

} // namespace
} // namespace mailpush::auth
