// Per-account slots for blocking OpenAPI calls.
#include "mailpush/openapi/account_slots.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <vector>

using namespace mailpush::openapi;

TEST(AccountSlots, AnAccountAtItsLimitGetsNoSlotWhileOthersDo) {
    AccountSlots slots(2);
    auto a1 = slots.try_take("a");
    auto a2 = slots.try_take("a");
    ASSERT_TRUE(a1 && a2);
    EXPECT_FALSE(slots.try_take("a")); // over the limit: refused at once
    EXPECT_EQ(slots.held("a"), 2u);
    auto b1 = slots.try_take("b");
    EXPECT_TRUE(b1); // another account is not affected
    EXPECT_EQ(slots.held("b"), 1u);
}

TEST(AccountSlots, ASlotIsReturnedWhenItsHolderEnds) {
    AccountSlots slots(1);
    {
        auto s = slots.try_take("a");
        ASSERT_TRUE(s);
        EXPECT_FALSE(slots.try_take("a"));
        std::optional<AccountSlots::Slot> moved(std::move(*s)); // a moved slot is released once
        s.reset();
        EXPECT_EQ(slots.held("a"), 1u);
    }
    EXPECT_EQ(slots.held("a"), 0u);
    EXPECT_TRUE(slots.try_take("a"));
}

TEST(AccountSlots, ReleasedSlotsCanBeTakenAgainManyTimes) {
    AccountSlots slots(3);
    for (int round = 0; round < 100; ++round) {
        std::vector<AccountSlots::Slot> held;
        for (int i = 0; i < 3; ++i) {
            auto s = slots.try_take("a");
            ASSERT_TRUE(s);
            held.push_back(std::move(*s));
        }
        EXPECT_FALSE(slots.try_take("a"));
    }
    EXPECT_EQ(slots.held("a"), 0u);
}
