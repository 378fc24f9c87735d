#include "descriptor_budget.hpp"

#include <gtest/gtest.h>

namespace mailpush::app {
namespace {
const DescriptorDemand kDefaults{20'000, 1024, 64, 200, 4}; // the shipped defaults

TEST(DescriptorBudget, AHighLimitKeepsTheConfiguredValues) {
    const auto b = fit_descriptors(524'288, kDefaults);
    ASSERT_TRUE(b);
    EXPECT_FALSE(b->capped);
    EXPECT_EQ(b->smtp, 20'000u);
    EXPECT_EQ(b->http, 1024u);
    EXPECT_EQ(b->admin, 64u);
    EXPECT_EQ(b->reserved, 128u + 4 * (64 + 2) + 400);
}

TEST(DescriptorBudget, SmtpGetsWhatTheReserveAndHttpLeave) {
    const auto b = fit_descriptors(20'000, kDefaults);
    ASSERT_TRUE(b);
    EXPECT_TRUE(b->capped);
    EXPECT_EQ(b->http, 1024u);
    EXPECT_EQ(b->admin, 64u);
    EXPECT_EQ(b->smtp, 20'000u - 792 - 1024 - 64);
    EXPECT_LT(b->reserved + b->smtp + b->http + b->admin, 20'001u);
}

TEST(DescriptorBudget, ASmallLimitSharesWhatIsLeft) {
    const auto b = fit_descriptors(1024, kDefaults); // 232 left after the reserve
    ASSERT_TRUE(b);
    EXPECT_EQ(b->http, 58u);  // a quarter
    EXPECT_EQ(b->admin, 14u); // a sixteenth
    EXPECT_EQ(b->smtp, 160u);
    EXPECT_EQ(b->reserved + b->smtp + b->http + b->admin, 1024u);
}

TEST(DescriptorBudget, TooSmallALimitIsRefused) {
    EXPECT_FALSE(fit_descriptors(792 + 63, kDefaults));
    EXPECT_TRUE(fit_descriptors(792 + 64, kDefaults));
    EXPECT_FALSE(fit_descriptors(0, kDefaults));
}
} // namespace
} // namespace mailpush::app
