#include "mailpush/delivery/warmup.hpp"

#include <gtest/gtest.h>

using namespace mailpush::delivery;

TEST(Warmup, CapCurveGrowsByThePercentUntilTheLastDay) {
    const WarmupPlan plan{0, 200, 50, 5};
    EXPECT_EQ(plan.cap_on_day(0), 200u);
    EXPECT_EQ(plan.cap_on_day(1), 300u);
    EXPECT_EQ(plan.cap_on_day(2), 450u);
    EXPECT_EQ(plan.cap_on_day(3), 675u);
    EXPECT_EQ(plan.cap_on_day(4), 1012u); // 675 + floor(337.5)
    EXPECT_FALSE(plan.cap_on_day(5).has_value());
    EXPECT_FALSE(plan.cap_on_day(500).has_value());
    EXPECT_EQ(plan.cap_on_day(-3), 200u); // a clock set back: day 0's cap
}

TEST(Warmup, SmallCapsStillGrowAndZeroGrowthStaysFlat) {
    EXPECT_EQ((WarmupPlan{0, 1, 50, 10}.cap_on_day(3)), 4u); // 1, 2, 3, 4: at least one more a day
    EXPECT_EQ((WarmupPlan{0, 7, 0, 10}.cap_on_day(9)), 7u);
}

TEST(Warmup, HugeCurvesDoNotOverflow) {
    const auto cap = WarmupPlan{0, 100'000'000, 1000, 3650}.cap_on_day(3000);
    ASSERT_TRUE(cap.has_value());
    EXPECT_GT(*cap, 100'000'000u);
}

TEST(Warmup, DaysAreCalendarDaysInTheOffset) {
    constexpr int kPlus8 = 480;
    // 2026-12-01T15:59:59Z is 23:59:59 at +08:00; one second later it is the next day.
    const std::int64_t before_midnight = 1'796'140'799'000;
    EXPECT_EQ(day_index(before_midnight + 1000, kPlus8), day_index(before_midnight, kPlus8) + 1);
    EXPECT_EQ(day_start_ms(day_index(before_midnight + 1000, kPlus8), kPlus8), before_midnight + 1000);
    EXPECT_EQ(day_index(-1, 0), -1);
    const WarmupPlan plan{day_index(before_midnight, kPlus8), 10, 100, 3};
    EXPECT_EQ(plan.cap_at(before_midnight, kPlus8), 10u);
    EXPECT_EQ(plan.cap_at(before_midnight + 1000, kPlus8), 20u);
}
