#include "mailpush/api/body_pace.hpp"

#include <gtest/gtest.h>

using namespace mailpush::api;
using namespace std::chrono_literals;

namespace {
const BodyPace::Clock::time_point t0{};
const BodyPace::Limits kLimits{1000, 3s, 3s}; // 1000 bytes/s: 3000 bytes per window
constexpr std::uint64_t kMiB = 1024 * 1024;
} // namespace

TEST(BodyPace, TheFirstByteHasItsAllowance) {
    const BodyPace pace(kLimits, kMiB, t0);
    EXPECT_EQ(pace.deadline(), t0 + 3s);
}

TEST(BodyPace, ATrickleIsClosedOneWindowAfterItsFirstByte) {
    BodyPace pace(kLimits, kMiB, t0);
    for (int i = 1; i <= 25; ++i) // 10 bytes/s, as the slow client sends it
        pace.on_bytes(1, t0 + 1s + i * 100ms);
    EXPECT_EQ(pace.deadline(), t0 + 1s + 100ms + 3s);
    BodyPace chunked(kLimits, std::nullopt, t0);
    chunked.on_bytes(10, t0 + 1s);
    EXPECT_EQ(chunked.deadline(), t0 + 4s);
}

TEST(BodyPace, ASteadyRateKeepsMovingTheDeadline) {
    BodyPace pace(kLimits, kMiB, t0);
    auto now = t0;
    for (int i = 0; i < 600; ++i) { // 60 s at 2000 bytes/s
        now += 100ms;
        pace.on_bytes(200, now);
        ASSERT_GT(pace.deadline(), now) << i;
    }
    // Then it stops: the window empties within one window.
    EXPECT_GT(pace.deadline(), now);
    EXPECT_LE(pace.deadline(), now + 3s);
}

TEST(BodyPace, CreditFromAFastStartRunsOutAfterOneWindow) {
    BodyPace pace(kLimits, kMiB, t0);
    pace.on_bytes(500'000, t0 + 100ms); // far more than one window needs
    EXPECT_EQ(pace.deadline(), t0 + 100ms + 3s);
    pace.on_bytes(10, t0 + 3s); // a trickle does not extend it
    EXPECT_EQ(pace.deadline(), t0 + 100ms + 3s);
}

TEST(BodyPace, ALateArrivalAfterTheDeadlineStaysTooSlow) {
    BodyPace pace(kLimits, kMiB, t0);
    pace.on_bytes(5000, t0 + 1s);
    pace.on_bytes(1, t0 + 10s); // the first arrival left the window at 4 s
    EXPECT_LE(pace.deadline(), t0 + 10s);
}

TEST(BodyPace, ASmallBodyNeedsOnlyItsOwnSizePerWindow) {
    BodyPace pace(kLimits, 100, t0);
    pace.on_bytes(60, t0 + 1s);
    pace.on_bytes(30, t0 + 2s);
    EXPECT_EQ(pace.deadline(), t0 + 4s); // 90 < 100 once the first 60 leave
    BodyPace fits(kLimits, 100, t0);
    fits.on_bytes(100, t0 + 1s);
    EXPECT_EQ(fits.deadline(), t0 + 4s);
}

TEST(BodyPace, AZeroRateIsOneBytePerSecond) {
    BodyPace pace({0, 3s, 3s}, kMiB, t0);
    auto now = t0;
    for (int i = 0; i < 20; ++i) {
        now += 1s;
        pace.on_bytes(1, now);
    }
    EXPECT_EQ(pace.deadline(), now - 2s + 3s); // 3 bytes in the window: one may leave, not two
}
