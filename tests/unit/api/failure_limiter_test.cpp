#include "mailpush/api/failure_limiter.hpp"

#include <gtest/gtest.h>

using mailpush::api::FailureLimiter;
using namespace std::chrono_literals;

namespace {
const FailureLimiter::Clock::time_point t0{};
}

TEST(FailureLimiter, BlocksAfterTheLimitUntilTheWindowPasses) {
    FailureLimiter limiter(3, 60s);
    for (int i = 0; i < 3; ++i) {
        EXPECT_FALSE(limiter.blocked("1.2.3.4", t0 + std::chrono::seconds(i)));
        limiter.record_failure("1.2.3.4", t0 + std::chrono::seconds(i));
    }
    EXPECT_TRUE(limiter.blocked("1.2.3.4", t0 + 3s));
    EXPECT_TRUE(limiter.blocked("1.2.3.4", t0 + 59s));
    EXPECT_FALSE(limiter.blocked("1.2.3.4", t0 + 60s)); // the first failure left the window
    EXPECT_FALSE(limiter.blocked("5.6.7.8", t0 + 3s));  // another client is not affected
}

TEST(FailureLimiter, FailuresSpreadOverTheWindowDoNotAddUp) {
    FailureLimiter limiter(2, 10s);
    limiter.record_failure("a", t0);
    limiter.record_failure("a", t0 + 11s);
    EXPECT_FALSE(limiter.blocked("a", t0 + 12s));
    limiter.record_failure("a", t0 + 12s);
    EXPECT_TRUE(limiter.blocked("a", t0 + 12s));
}

TEST(FailureLimiter, RemembersABoundedNumberOfClients) {
    FailureLimiter limiter(1, 60s, 2);
    limiter.record_failure("a", t0);
    limiter.record_failure("b", t0 + 1s);
    limiter.record_failure("c", t0 + 2s); // "a" is forgotten
    EXPECT_FALSE(limiter.blocked("a", t0 + 3s));
    EXPECT_TRUE(limiter.blocked("b", t0 + 3s));
    EXPECT_TRUE(limiter.blocked("c", t0 + 3s));
}
