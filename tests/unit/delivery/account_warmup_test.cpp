#include "mailpush/engine/account_warmup.hpp"

#include <gtest/gtest.h>

using namespace mailpush::delivery;

namespace {
const WarmupPlan kCurve{0, 200, 50, 30};
}

TEST(AccountWarmup, TheConfiguredSwitchAndCurveApplyWithoutOverrides) {
    EXPECT_FALSE(account_warmup(false, kCurve, {}).has_value());
    const auto plan = account_warmup(true, kCurve, {});
    ASSERT_TRUE(plan.has_value());
    EXPECT_EQ(plan->start, 200u);
    EXPECT_EQ(plan->growth_percent, 50u);
    EXPECT_EQ(plan->days, 30u);
}

TEST(AccountWarmup, AnAccountTurnsItOnOrOffAndReshapesTheCurve) {
    mailpush::store::TrafficOverrides on;
    on.warmup = true;
    on.warmup_start = 10;
    on.warmup_days = 3;
    const auto plan = account_warmup(false, kCurve, on);
    ASSERT_TRUE(plan.has_value());
    EXPECT_EQ(plan->start, 10u);
    EXPECT_EQ(plan->growth_percent, 50u); // not overridden: the configured value
    EXPECT_EQ(plan->cap_on_day(1), 15u);
    EXPECT_FALSE(plan->cap_on_day(3).has_value());

    mailpush::store::TrafficOverrides off;
    off.warmup = false;
    off.warmup_start = 10;
    EXPECT_FALSE(account_warmup(true, kCurve, off).has_value());
}
