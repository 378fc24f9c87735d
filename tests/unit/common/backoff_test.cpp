#include "mailpush/common/backoff.hpp"

#include <gtest/gtest.h>

using mailpush::common::Backoff;
using namespace std::chrono_literals;

TEST(Backoff, DoublesUpToTheCap) {
    const Backoff b{10s, 60s};
    EXPECT_EQ(b.delay(0), 10s);
    EXPECT_EQ(b.delay(1), 10s);
    EXPECT_EQ(b.delay(2), 20s);
    EXPECT_EQ(b.delay(3), 40s);
    EXPECT_EQ(b.delay(4), 60s);
    EXPECT_EQ(b.delay(4'000'000'000u), 60s); // no overflow
}

TEST(Backoff, AnInitialAboveTheCapIsCapped) {
    EXPECT_EQ((Backoff{2h, 1h}.delay(1)), 1h);
}

TEST(Backoff, NoRetryAtOrAfterTheLifetime) {
    const Backoff b{1min, 1h, 3h};
    EXPECT_EQ(b.next(1, 0ms), 1min);
    EXPECT_EQ(b.next(3, 2h), 4min);
    EXPECT_EQ(b.next(1, 3h - 1min - 1ms), 1min);
    EXPECT_FALSE(b.next(1, 3h - 1min));
    EXPECT_FALSE(b.next(1, 4h));
    EXPECT_EQ((Backoff{1min, 1h}.next(50, 1000h)), 1h); // no lifetime by default
}
