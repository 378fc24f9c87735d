// Tracking statistics on a known set: sent = tracked recipients delivered, unique counts per
// message and recipient, the human/machine split, filters, days; per-link clicks; the days a
// query may cover.
#include "tracking_fixture.hpp"

#include <gtest/gtest.h>

namespace mailpush::delivery {
namespace {
using test_support::click_hit;
using test_support::kDay1Ms;
using test_support::kDayMs;
using test_support::open_hit;

class TrackingStatsTest : public ::testing::Test {
protected:
    test_support::TrackingLog t;

    void SetUp() override {
        // Day 1: message 1 tracked (three delivered, one failed), message 2 untracked.
        for (int i = 0; i < 3; ++i)
            t.sent(1, i, "r" + std::to_string(i) + "@example.org", kDay1Ms);
        t.sent(1, 3, "gone@example.org", kDay1Ms, 2);
        t.sent(2, 0, "plain@example.org", kDay1Ms);
        t.log.store_links(1, {"https://shop.example/1", "https://shop.example/2", "https://shop.example/3"},
                          kDay1Ms);
        // Day 2: message 3, tag promo, another sender; message 4 of another account.
        t.sent(3, 0, "s@example.org", kDay1Ms + kDayMs, 0, "promo", "deals@example.com");
        t.log.store_links(3, {"https://shop.example/1"}, kDay1Ms + kDayMs);
        t.sent(4, 0, "x@example.org", kDay1Ms + kDayMs, 0, "promo", "x@other.example", "other");
        t.log.store_links(4, {"https://other.example/"}, kDay1Ms + kDayMs);

        auto r = t.recorder();
        const auto at = kDay1Ms + 3'600'000;
        for (const auto& h :
             {open_hit(1, 0, at), open_hit(1, 0, at + 1), open_hit(1, 0, at, "prefetch"),
              click_hit(1, 0, 1, at), click_hit(1, 0, 2, at, "scanner"), open_hit(1, 1, at, "prefetch"),
              open_hit(3, 0, at + kDayMs, "proxy"), click_hit(3, 0, 1, at + kDayMs),
              click_hit(3, 0, 1, at + kDayMs + 5), open_hit(4, 0, at + kDayMs)})
            r->record(h);
        ASSERT_EQ(r->flush(), 10u);
    }

    TrackQuery query(std::string account = "acme") {
        TrackQuery q;
        q.account = std::move(account);
        q.window = {kDay1Ms - 10 * 3'600'000, kDay1Ms + 14 * 3'600'000 + kDayMs}; // both local days
        return q;
    }
};

void expect_count(const TrackCount& c, std::int64_t total, std::int64_t human, std::int64_t machine) {
    EXPECT_EQ(c.total, total);
    EXPECT_EQ(c.human, human);
    EXPECT_EQ(c.machine, machine);
}

TEST_F(TrackingStatsTest, CountsPerDayOfTheSendWithUniqueAndMachineParts) {
    const auto rows = t.log.track_stats(query());
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].day, "2026-11-24");
    EXPECT_EQ(rows[0].sent, 3); // the failed recipient and the untracked message do not count
    expect_count(rows[0].opens, 4, 2, 2);
    expect_count(rows[0].unique_opens, 2, 1, 2); // r0 (human and machine), r1 (machine only)
    expect_count(rows[0].clicks, 2, 1, 1);
    expect_count(rows[0].unique_clicks, 1, 1, 1);
    EXPECT_EQ(rows[1].day, "2026-11-25");
    EXPECT_EQ(rows[1].sent, 1);
    expect_count(rows[1].opens, 1, 1, 0); // a proxy open is a human's
    expect_count(rows[1].unique_opens, 1, 1, 0);
    expect_count(rows[1].clicks, 2, 2, 0);
    expect_count(rows[1].unique_clicks, 1, 1, 0);
}

TEST_F(TrackingStatsTest, FiltersBySenderTagAndAccount) {
    auto q = query();
    q.tag = "promo";
    auto rows = t.log.track_stats(q);
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].day, "2026-11-25");
    q = query();
    q.mail_from = "news@example.com";
    rows = t.log.track_stats(q);
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].sent, 3);
    rows = t.log.track_stats(query("other"));
    ASSERT_EQ(rows.size(), 1u);
    expect_count(rows[0].opens, 1, 1, 0);
    q = query();
    q.window.to_ms = kDay1Ms + 14 * 3'600'000; // the first day only
    EXPECT_EQ(t.log.track_stats(q).size(), 1u);
}

TEST_F(TrackingStatsTest, EveryDayFillsTheWindowWithZeros) {
    auto q = query();
    q.window.to_ms += 2 * kDayMs;
    const auto days = every_day(t.log.track_stats(q), q.window, q.utc_offset_minutes);
    ASSERT_EQ(days.size(), 4u);
    EXPECT_EQ(days[0].sent, 3);
    EXPECT_EQ(days[1].sent, 1);
    EXPECT_EQ(days[2].day, "2026-11-26");
    EXPECT_EQ(days[2].sent, 0);
    EXPECT_EQ(days[3].day, "2026-11-27");
}

TEST_F(TrackingStatsTest, LinkClicksOfAMessageOrATagOfTheAccountOnly) {
    const auto links = t.log.link_stats({"acme", 1, ""});
    ASSERT_EQ(links.size(), 3u);
    EXPECT_EQ(links[0].link, 1u);
    EXPECT_EQ(links[0].url, "https://shop.example/1");
    EXPECT_EQ(links[0].clicks, 1);
    EXPECT_EQ(links[0].unique_clicks, 1);
    EXPECT_EQ(links[0].machine_clicks, 0);
    EXPECT_EQ(links[1].clicks, 1);
    EXPECT_EQ(links[1].machine_clicks, 1);
    EXPECT_EQ(links[2].clicks, 0); // never clicked, still listed
    const auto tagged = t.log.link_stats({"acme", 0, "promo"});
    ASSERT_EQ(tagged.size(), 1u);
    EXPECT_EQ(tagged[0].clicks, 2);
    EXPECT_EQ(tagged[0].unique_clicks, 1);
    EXPECT_TRUE(t.log.link_stats({"other", 1, ""}).empty()); // not its message
    EXPECT_TRUE(t.log.link_stats({"acme", 0, ""}).empty());  // neither given
}

TEST(TrackWindow, SevenDaysAtMostAndNotOlderThanThirtyDays) {
    const std::int64_t now = kDay1Ms; // 2026-11-24 10:00 local
    auto w = track_window("2026-11-17", "2026-11-24", 7, 480, now);
    ASSERT_TRUE(w.window) << w.error;
    EXPECT_EQ(w.window->from_ms, kDay1Ms - 10 * 3'600'000 - 7 * kDayMs);
    EXPECT_EQ(w.window->to_ms, kDay1Ms + 14 * 3'600'000);
    EXPECT_FALSE(track_window("2026-11-16", "2026-11-24", 7, 480, now).window);
    EXPECT_TRUE(track_window("2026-11-09", "2026-11-24", 15, 480, now).window);
    EXPECT_TRUE(track_window("2026-10-25", "2026-10-25", 7, 480, now).window); // 30 days ago
    const auto old = track_window("2026-10-24", "2026-10-25", 7, 480, now);
    EXPECT_FALSE(old.window);
    EXPECT_NE(old.error.find("30 days"), std::string::npos);
    EXPECT_FALSE(track_window("2026-11-24", "2026-11-23", 7, 480, now).window);
    EXPECT_FALSE(track_window("2026-11-24 10:00", "2026-11-24", 7, 480, now).window);
    EXPECT_FALSE(track_window("2026-02-30", "2026-03-01", 7, 480, now).window);
    EXPECT_FALSE(track_window("", "2026-11-24", 7, 480, now).window);
}

} // namespace
} // namespace mailpush::delivery
