#include "mailpush/delivery/throttle.hpp"

#include <gtest/gtest.h>

using namespace mailpush::delivery;
using std::chrono::milliseconds;

namespace {
const SlowdownPolicy kPolicy{milliseconds(60'000), milliseconds(240'000), milliseconds(300'000), 2.0};
const DestinationLimits kNormal{10, 100, 0};
} // namespace

TEST(Throttle, RateLimitReplyPausesAndCutsTheDestination) {
    Throttle t(kPolicy);
    EXPECT_EQ(t.apply("rule:qq", kNormal).max_connections, 10u);
    EXPECT_EQ(t.on_rate_limited("rule:qq", 0, 1000), ThrottleChange::slowed);
    EXPECT_EQ(t.level("rule:qq"), 1);
    EXPECT_EQ(t.paused_until("rule:qq"), 61'000);
    const auto slowed = t.apply("rule:qq", kNormal);
    EXPECT_EQ(slowed.max_connections, 1u);
    EXPECT_DOUBLE_EQ(slowed.rate_per_second, 1.0); // the base 2/s halved
    EXPECT_EQ(slowed.max_messages_per_connection, 100u);
    EXPECT_EQ(t.level("mx:other.test"), 0); // only that destination
}

TEST(Throttle, PausesDoubleToTheCapAndRatesHalve) {
    Throttle t(kPolicy);
    const DestinationLimits ruled{5, 0, 8.0};
    std::int64_t now = 0;
    std::vector<std::int64_t> pauses;
    for (int i = 0; i < 4; ++i) {
        ASSERT_EQ(t.on_rate_limited("d", now, now), ThrottleChange::slowed);
        pauses.push_back(t.paused_until("d") - now);
        now += 1000;
    }
    EXPECT_EQ(pauses, (std::vector<std::int64_t>{60'000, 120'000, 240'000, 240'000}));
    EXPECT_DOUBLE_EQ(t.apply("d", ruled).rate_per_second, 8.0 / 16); // level 4: the rule's 8/s / 2^4
}

TEST(Throttle, RepliesToAttemptsStartedBeforeTheSlowDownCountOnce) {
    Throttle t(kPolicy);
    ASSERT_EQ(t.on_rate_limited("d", 500, 1000), ThrottleChange::slowed);
    // Five attempts that were in flight together all come back rate-limited.
    for (int i = 0; i < 5; ++i)
        EXPECT_EQ(t.on_rate_limited("d", 900, 1100), ThrottleChange::none);
    EXPECT_EQ(t.level("d"), 1);
    EXPECT_EQ(t.on_rate_limited("d", 70'000, 70'500), ThrottleChange::slowed); // one started after it
    EXPECT_EQ(t.level("d"), 2);
}

TEST(Throttle, RecoversStepByStepAfterQuietPeriods) {
    Throttle t(kPolicy);
    t.on_rate_limited("d", 0, 0);
    t.on_rate_limited("d", 1, 1);                                  // level 2 at t=1
    EXPECT_EQ(t.on_delivered("d", 200'000), ThrottleChange::none); // not quiet long enough
    EXPECT_EQ(t.on_delivered("d", 300'001), ThrottleChange::stepped_up);
    EXPECT_EQ(t.level("d"), 1);
    EXPECT_EQ(t.on_delivered("d", 400'000), ThrottleChange::none); // the next step needs its own quiet period
    EXPECT_EQ(t.on_delivered("d", 600'001), ThrottleChange::recovered);
    EXPECT_EQ(t.level("d"), 0);
    EXPECT_EQ(t.paused_until("d"), 0);
    EXPECT_EQ(t.apply("d", kNormal).max_connections, 10u);
    EXPECT_EQ(t.on_delivered("d", 900'000), ThrottleChange::none);
}

TEST(Throttle, ARateLimitDuringRecoveryRestartsTheQuietPeriod) {
    Throttle t(kPolicy);
    t.on_rate_limited("d", 0, 0);
    t.on_rate_limited("d", 100'000, 100'000);                      // level 2
    EXPECT_EQ(t.on_delivered("d", 350'000), ThrottleChange::none); // 250 s since the last one
    EXPECT_EQ(t.on_delivered("d", 400'000), ThrottleChange::stepped_up);
}
