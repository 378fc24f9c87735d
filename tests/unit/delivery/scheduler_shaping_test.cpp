// The scheduler's shaping: fresh and retry lanes, [[destination]] rules, the slow-down after
// rate-limit replies, warm-up caps. The clock is the `now` each call is given.
#include "packed.hpp"

#include "mailpush/delivery/scheduler.hpp"

#include <gtest/gtest.h>

using namespace mailpush::delivery;
using std::chrono::milliseconds;

namespace {
QueuedMessage message(std::uint64_t envid, std::vector<std::string> rcpts, int attempts = 0,
                      std::int64_t next_ms = 0) {
    QueuedMessage m;
    m.info.envid = envid;
    const auto count = static_cast<int>(rcpts.size());
    m.info.envelope = mailpush::testing::packed("sender@mail.test", std::move(rcpts));
    for (int idx = 0; idx < count; ++idx)
        m.rcpts.push_back(
            {idx, attempts ? RcptState::deferred : RcptState::queued, attempts, next_ms, false});
    return m;
}

std::vector<std::uint64_t> envids(const std::vector<AttemptJob>& jobs) {
    std::vector<std::uint64_t> out;
    for (const auto& j : jobs)
        out.push_back(j.envid);
    return out;
}

RecipientRecord deferred(std::uint64_t envid, int attempts, std::int64_t next_ms) {
    return {envid, 0, "", RcptState::deferred, attempts, next_ms, "", "", 0};
}
} // namespace

TEST(SchedulerLanes, FirstAttemptsGoBeforeDueRetries) {
    Scheduler s({.max_deliveries = 2}, {});
    for (std::uint64_t e = 1; e <= 5; ++e)
        s.add(message(e, {"x@backlog.test"}, 3, 0)); // retries, due since long
    s.add(message(100, {"new@idle.test"}, 0, 50));   // a fresh one, accepted later
    const auto jobs = s.take_due(50);
    ASSERT_FALSE(jobs.empty());
    EXPECT_EQ(jobs.front().envid, 100u);
    EXPECT_FALSE(jobs.front().retry);
    EXPECT_TRUE(jobs.back().retry);
}

TEST(SchedulerLanes, RetriesHoldAtMostTheirShare) {
    Scheduler s({.max_deliveries = 10, .max_per_destination = 100, .retry_share_percent = 30}, {});
    for (std::uint64_t e = 1; e <= 50; ++e)
        s.add(message(e, {"x@backlog.test"}, 1, 0));
    auto jobs = s.take_due(0);
    EXPECT_EQ(jobs.size(), 3u); // 30% of 10
    EXPECT_EQ(s.retries_in_flight(), 3u);
    s.add(message(100, {"a@fresh.test"}));
    s.add(message(101, {"b@fresh.test"}));
    EXPECT_EQ(envids(s.take_due(1)), (std::vector<std::uint64_t>{100, 101})); // room kept for fresh mail
    s.release(jobs[0]);
    EXPECT_EQ(s.take_due(2).size(), 1u); // a retry's place freed: one more retry
}

TEST(SchedulerLanes, ABacklogParkedOnItsDestinationCostsNothingPerTick) {
    Scheduler s({.max_deliveries = 200, .max_per_destination = 2}, {});
    for (std::uint64_t e = 1; e <= 20'000; ++e)
        s.add(message(e, {"x@backlog.test"}, 1, 0));
    EXPECT_EQ(s.take_due(0).size(), 2u); // the destination's limit; the rest is parked there
    // Parked: no wake-ups for it until an attempt there ends; a fresh message elsewhere leaves at once.
    EXPECT_FALSE(s.next_wakeup(0).has_value());
    s.add(message(50'000, {"new@idle.test"}, 0, 10));
    EXPECT_EQ(s.next_wakeup(5), milliseconds(5));
    EXPECT_EQ(envids(s.take_due(10)), (std::vector<std::uint64_t>{50'000}));
}

TEST(SchedulerLanes, ParkedMessagesResumeInOrderWhenTheDestinationOpens) {
    Scheduler s({.max_per_destination = 1}, {});
    s.add(message(1, {"a@one.test"}));
    s.add(message(2, {"b@one.test"}, 2, 0)); // a retry
    s.add(message(3, {"c@one.test"}));       // fresh: goes before the parked retry
    auto first = s.take_due(0);
    ASSERT_EQ(envids(first), (std::vector<std::uint64_t>{1}));
    s.release(first[0]);
    auto second = s.take_due(1);
    ASSERT_EQ(envids(second), (std::vector<std::uint64_t>{3}));
    s.release(second[0]);
    EXPECT_EQ(envids(s.take_due(2)), (std::vector<std::uint64_t>{2}));
}

TEST(SchedulerRules, ARuleGroupsItsDomainsUnderOneLimit) {
    Scheduler s({}, {}, {{"corp", {"a.test", "b.test"}, 1, 7, 0}});
    s.add(message(1, {"x@a.test"}));
    s.add(message(2, {"y@b.test"}));
    s.add(message(3, {"z@c.test"}));
    const auto jobs = s.take_due(0);
    ASSERT_EQ(envids(jobs), (std::vector<std::uint64_t>{1, 3}));
    EXPECT_EQ(jobs[0].destination, "rule:corp");
    EXPECT_EQ(jobs[0].cache_key, "mx:a.test"); // connections stay per route target
    EXPECT_EQ(jobs[0].max_messages_per_connection, 7u);
    EXPECT_EQ(jobs[1].destination, "mx:c.test");
    EXPECT_EQ(s.in_flight("rule:corp"), 1u);
}

TEST(SchedulerRules, FractionalRateSpacesStarts) {
    Scheduler s({}, {}, {{"slow", {"slow.test"}, 5, 0, 500}}); // 0.5 per second
    for (std::uint64_t e = 1; e <= 3; ++e)
        s.add(message(e, {"x@slow.test"}));
    EXPECT_EQ(envids(s.take_due(0)), (std::vector<std::uint64_t>{1}));
    EXPECT_EQ(s.next_wakeup(0), milliseconds(2000));
    EXPECT_TRUE(s.take_due(1999).empty());
    EXPECT_EQ(envids(s.take_due(2000)), (std::vector<std::uint64_t>{2}));
}

TEST(SchedulerRules, RatesAboveOnePerMillisecondKeepTheirSpacing) {
    // 4000 per second: four starts in each millisecond, not one (starts are whole milliseconds).
    Scheduler s({}, {}, {{"fast", {"fast.test"}, 100, 0, 4'000'000}});
    for (std::uint64_t e = 1; e <= 10; ++e)
        s.add(message(e, {"x@fast.test"}));
    std::size_t started = 0;
    for (std::int64_t now = 0; now < 2; ++now)
        started += s.take_due(now).size();
    EXPECT_EQ(started, 8u); // ms 0 and 1: four each
    EXPECT_EQ(s.take_due(2).size(), 2u);
}

TEST(SchedulerRules, MxPatternAppliesOnceTheShellLearntTheMx) {
    Scheduler s({}, {});
    s.add(message(1, {"x@workspace.test"}));
    auto jobs = s.take_due(0);
    EXPECT_EQ(jobs.at(0).destination, "mx:workspace.test");
    s.release(jobs[0]);
    s.learn_mx("workspace.test", "aspmx.l.google.com");
    s.settle(1, {deferred(1, 1, 10)});
    jobs = s.take_due(10);
    EXPECT_EQ(jobs.at(0).destination, "rule:gmail");
}

TEST(SchedulerSlowdown, ARateLimitReplyPausesTheDestinationsPendingRecipients) {
    Scheduler s({}, {}, {},
                SlowdownPolicy{milliseconds(1000), milliseconds(8000), milliseconds(60'000), 2.0});
    s.add(message(1, {"a@limited.test"}));
    auto jobs = s.take_due(0);
    s.release(jobs.at(0));
    EXPECT_EQ(s.observe("mx:limited.test", AttemptSignal::rate_limited, 0, 100), ThrottleChange::slowed);
    s.add(message(2, {"b@limited.test"}));
    s.add(message(3, {"c@other.test"}));
    EXPECT_EQ(envids(s.take_due(200)), (std::vector<std::uint64_t>{3})); // limited.test waits
    EXPECT_EQ(s.next_wakeup(200), milliseconds(900));                    // until its pause ends
    EXPECT_EQ(envids(s.take_due(1100)), (std::vector<std::uint64_t>{2}));
    EXPECT_EQ(s.limits_of("mx:limited.test").max_connections, 1u);
    EXPECT_DOUBLE_EQ(s.limits_of("mx:limited.test").rate_per_second, 1.0);
}

TEST(SchedulerSlowdown, RecoveryRestoresTheRulesLimits) {
    Scheduler s({}, {}, {{"qq", {"qq.com"}, 4, 0, 2000}},
                SlowdownPolicy{milliseconds(1000), milliseconds(8000), milliseconds(5000), 2.0});
    s.observe("rule:qq", AttemptSignal::rate_limited, 0, 0);
    EXPECT_EQ(s.limits_of("rule:qq").max_connections, 1u);
    EXPECT_DOUBLE_EQ(s.limits_of("rule:qq").rate_per_second, 1.0);
    EXPECT_EQ(s.observe("rule:qq", AttemptSignal::other, 0, 6000), ThrottleChange::none);
    EXPECT_EQ(s.observe("rule:qq", AttemptSignal::delivered, 5500, 6000), ThrottleChange::recovered);
    EXPECT_EQ(s.limits_of("rule:qq").max_connections, 4u);
    EXPECT_DOUBLE_EQ(s.limits_of("rule:qq").rate_per_second, 2.0);
}

TEST(SchedulerWarmup, FirstAttemptsOverTheDailyCapWaitForTheNextDay) {
    constexpr int kOffset = 480;
    Scheduler s({.utc_offset_minutes = kOffset}, {});
    const std::int64_t now = 1'796'100'000'000; // 2026-12-01 04:40 UTC
    const auto today = day_index(now, kOffset);
    auto m = message(1, {"a@x.test", "b@x.test", "c@y.test", "d@y.test", "e@z.test"});
    m.warmup = WarmupPlan{today, 3, 50, 30}; // added today: 3 recipients
    s.add(std::move(m));
    const auto jobs = s.take_due(now);
    std::size_t started = 0;
    for (const auto& j : jobs)
        started += j.rcpt_indices.size();
    EXPECT_EQ(started, 3u);
    const auto deferrals = s.take_warmup_deferrals();
    ASSERT_EQ(deferrals.size(), 2u);
    EXPECT_EQ(deferrals[0].next_ms, day_start_ms(today + 1, kOffset));
    EXPECT_EQ(deferrals[0].cap, 3u);
    EXPECT_TRUE(s.take_warmup_deferrals().empty());
    const auto* q = s.find(1);
    ASSERT_NE(q, nullptr);
    EXPECT_EQ(q->rcpts[4].state, RcptState::deferred); // never failed
    EXPECT_EQ(q->rcpts[4].attempts, 0);
    // Next morning: the cap is 4 and the rest leaves.
    const auto tomorrow = day_start_ms(today + 1, kOffset);
    EXPECT_EQ(s.next_wakeup(now), milliseconds(tomorrow - now));
    std::size_t later = 0;
    for (const auto& j : s.take_due(tomorrow))
        later += j.rcpt_indices.size();
    EXPECT_EQ(later, 2u);
}

TEST(SchedulerWarmup, RetriesAreNotCountedAgainAndOtherDomainsAreFree) {
    const std::int64_t now = 1'796'100'000'000;
    Scheduler s({}, {});
    auto retry = message(1, {"a@x.test"}, 2, 0);
    retry.warmup = WarmupPlan{day_index(now, 480), 1, 0, 30};
    auto fresh = message(2, {"b@x.test"});
    fresh.warmup = retry.warmup;
    auto other = message(3, {"c@x.test", "d@y.test"});
    // no plan: no cap
    s.add(std::move(retry));
    s.add(std::move(fresh));
    s.add(std::move(other));
    EXPECT_EQ(envids(s.take_due(now)), (std::vector<std::uint64_t>{2, 3, 3, 1}));
    EXPECT_TRUE(s.take_warmup_deferrals().empty());
}

TEST(SchedulerLanes, NoBusyWakeupsWhileOnlyAnEndingAttemptCanMakeRoom) {
    Scheduler s({.max_deliveries = 4, .max_per_destination = 100, .retry_share_percent = 50}, {});
    for (std::uint64_t e = 1; e <= 10; ++e)
        s.add(message(e, {"x@backlog.test"}, 1, 0));
    EXPECT_EQ(s.take_due(0).size(), 2u);        // the retry share
    EXPECT_FALSE(s.next_wakeup(0).has_value()); // not 0 ms again and again
    s.add(message(20, {"a@fresh.test"}, 0, 0));
    EXPECT_EQ(s.next_wakeup(0), milliseconds(0)); // a first attempt has room
    EXPECT_EQ(envids(s.take_due(0)), (std::vector<std::uint64_t>{20}));
}
