#include "packed.hpp"

#include "mailpush/delivery/scheduler.hpp"

#include <gtest/gtest.h>

using namespace mailpush::delivery;
using std::chrono::milliseconds;

namespace {
QueuedMessage message(std::uint64_t envid, std::vector<std::string> rcpts, std::int64_t next_ms = 0) {
    QueuedMessage m;
    m.info.envid = envid;
    const auto count = static_cast<int>(rcpts.size());
    m.info.envelope = mailpush::testing::packed("sender@mail.test", std::move(rcpts));
    for (int idx = 0; idx < count; ++idx)
        m.rcpts.push_back({idx, RcptState::queued, 0, next_ms, false});
    return m;
}

std::vector<std::uint64_t> envids(const std::vector<AttemptJob>& jobs) {
    std::vector<std::uint64_t> out;
    for (const auto& j : jobs)
        out.push_back(j.envid);
    return out;
}

RecipientRecord result(std::uint64_t envid, int idx, RcptState state, int attempts,
                       std::int64_t next_ms = 0) {
    return {envid, idx, "", state, attempts, next_ms, "", "", 0};
}
} // namespace

TEST(Scheduler, OneAttemptPerDomainOfAMessage) {
    Scheduler s({}, {});
    s.add(message(1, {"a@one.test", "b@ONE.test", "c@two.test"}));
    const auto jobs = s.take_due(0);
    ASSERT_EQ(jobs.size(), 2u);
    EXPECT_EQ(jobs[0].domain, "one.test");
    EXPECT_EQ(jobs[0].rcpt_indices, (std::vector<int>{0, 1}));
    EXPECT_EQ(jobs[0].cache_key, "mx:one.test");
    EXPECT_EQ(jobs[0].message.mail_from, "sender@mail.test");
    EXPECT_EQ(jobs[1].message.recipients, (std::vector<std::string>{"c@two.test"}));
    EXPECT_EQ(s.in_flight(), 2u);
    EXPECT_TRUE(s.take_due(0).empty()); // in flight: not started twice
}

TEST(Scheduler, TotalCap) {
    Scheduler s({.max_deliveries = 2}, {});
    for (std::uint64_t e = 1; e <= 3; ++e)
        s.add(message(e, {"x@d" + std::to_string(e) + ".test"}));
    auto jobs = s.take_due(0);
    EXPECT_EQ(envids(jobs), (std::vector<std::uint64_t>{1, 2}));
    EXPECT_FALSE(s.next_wakeup(0).has_value()); // the third is due, but only a release makes room
    EXPECT_TRUE(s.take_due(5).empty());
    s.release(jobs[0]);
    EXPECT_EQ(envids(s.take_due(10)), (std::vector<std::uint64_t>{3}));
    EXPECT_EQ(s.in_flight(), 2u);
}

TEST(Scheduler, PerDestinationCapHoldsBackOnlyThatDestination) {
    Scheduler s({.max_per_destination = 1}, {});
    s.add(message(1, {"a@busy.test"}));
    s.add(message(2, {"b@busy.test"}));
    s.add(message(3, {"c@free.test"}));
    auto jobs = s.take_due(0);
    EXPECT_EQ(envids(jobs), (std::vector<std::uint64_t>{1, 3}));
    EXPECT_EQ(s.in_flight("mx:busy.test"), 1u);
    EXPECT_FALSE(s.next_wakeup(0).has_value()); // parked: the release wakes it, not a timer
    s.release(jobs[0]);
    EXPECT_EQ(envids(s.take_due(1)), (std::vector<std::uint64_t>{2}));
}

TEST(Scheduler, SmarthostRoutesShareOneDestination) {
    Scheduler s({.max_per_destination = 1}, {{"*", "smtp://[::1]:2525"}});
    s.add(message(1, {"a@one.test"}));
    s.add(message(2, {"b@two.test"}));
    auto jobs = s.take_due(0);
    ASSERT_EQ(jobs.size(), 1u);
    EXPECT_EQ(jobs[0].cache_key, "smtp:::1:2525");
    EXPECT_EQ(jobs[0].route.host, "::1");
}

TEST(Scheduler, RateSpacing) {
    Scheduler s({.max_rate_per_destination = 4}, {}); // one start every 250 ms
    for (std::uint64_t e = 1; e <= 3; ++e)
        s.add(message(e, {"x@rate.test"}));
    EXPECT_EQ(envids(s.take_due(1000)), (std::vector<std::uint64_t>{1}));
    EXPECT_EQ(s.next_wakeup(1000), milliseconds(250));
    EXPECT_TRUE(s.take_due(1249).empty());
    EXPECT_EQ(envids(s.take_due(1250)), (std::vector<std::uint64_t>{2}));
    EXPECT_EQ(envids(s.take_due(1500)), (std::vector<std::uint64_t>{3}));
}

TEST(Scheduler, HeldRouteStaysQueuedWithoutWakeups) {
    Scheduler s({}, {{"held.test", "hold"}});
    s.add(message(1, {"a@held.test"}));
    EXPECT_TRUE(s.take_due(0).empty());
    EXPECT_EQ(s.size(), 1u);
    EXPECT_FALSE(s.next_wakeup(0).has_value());
}

TEST(Scheduler, DueOrderIsTimeThenArrival) {
    Scheduler s({.max_deliveries = 10}, {});
    s.add(message(1, {"a@a.test"}, 30));
    s.add(message(2, {"a@b.test"}, 10));
    s.add(message(3, {"a@c.test"}, 0));
    s.add(message(4, {"a@d.test"}, 20));
    s.add(message(5, {"a@e.test"}, 0));
    EXPECT_EQ(s.next_wakeup(0), milliseconds(0));
    EXPECT_EQ(envids(s.take_due(15)), (std::vector<std::uint64_t>{3, 5, 2}));
    EXPECT_EQ(s.next_wakeup(15), milliseconds(5));
    EXPECT_EQ(envids(s.take_due(100)), (std::vector<std::uint64_t>{4, 1}));
}

TEST(Scheduler, SettleDefersAndForgetsFinalMessages) {
    Scheduler s({}, {});
    s.add(message(1, {"a@x.test", "b@x.test"}));
    auto job = s.take_due(0).at(0);
    s.release(job);
    EXPECT_FALSE(
        s.settle(1, {result(1, 0, RcptState::delivered, 1), result(1, 1, RcptState::deferred, 1, 60'000)}));
    EXPECT_TRUE(s.take_due(59'999).empty());
    EXPECT_EQ(s.next_wakeup(59'999), milliseconds(1));
    job = s.take_due(60'000).at(0);
    EXPECT_EQ(job.rcpt_indices, (std::vector<int>{1}));
    s.release(job);
    EXPECT_TRUE(s.settle(1, {result(1, 1, RcptState::failed, 2)}));
    EXPECT_EQ(s.find(1), nullptr);
    EXPECT_EQ(s.in_flight(), 0u);
}

TEST(Scheduler, RetryNowMakesDeferredDue) {
    Scheduler s({}, {});
    auto m = message(1, {"a@x.test"}, 500'000);
    m.rcpts[0].state = RcptState::deferred;
    s.add(std::move(m));
    EXPECT_TRUE(s.take_due(0).empty());
    EXPECT_TRUE(s.retry_now(1, 10));
    EXPECT_FALSE(s.retry_now(2, 10));
    EXPECT_EQ(envids(s.take_due(10)), (std::vector<std::uint64_t>{1}));
}

TEST(Scheduler, AHeldMessageStartsNothingUntilReleasedEvenWhenRetriedOrAddedHeld) {
    Scheduler s({}, {});
    s.add(message(1, {"a@x.test"}));
    s.add(message(2, {"b@y.test"}));
    EXPECT_TRUE(s.set_held(1, true, 0));
    EXPECT_FALSE(s.set_held(9, true, 0)); // not queued here
    EXPECT_EQ(envids(s.take_due(0)), (std::vector<std::uint64_t>{2}));
    EXPECT_TRUE(s.retry_now(1, 5)); // the operator's retry does not lift a hold
    EXPECT_TRUE(s.take_due(5).empty());
    EXPECT_TRUE(s.set_held(1, false, 10));
    EXPECT_EQ(envids(s.take_due(10)), (std::vector<std::uint64_t>{1}));
    // Recovered with its hold (the shell marks it from the delivery log).
    auto held = message(3, {"c@z.test"});
    held.held = true;
    s.add(std::move(held));
    EXPECT_TRUE(s.take_due(20).empty());
    // A release keeps a deferred recipient's own due time.
    auto later = message(4, {"d@w.test"}, 1'000);
    later.rcpts[0].state = RcptState::deferred;
    later.rcpts[0].attempts = 1;
    later.held = true;
    s.add(std::move(later));
    s.set_held(4, false, 30);
    EXPECT_TRUE(s.take_due(30).empty());
    EXPECT_EQ(envids(s.take_due(1'000)), (std::vector<std::uint64_t>{4}));
}

// A message the admission (the engine's memory budget) turns away holds no place in the limits,
// waits in no lane (nothing to wake up for), and is due again once memory is freed; a message
// held meanwhile stays held.
TEST(Scheduler, AMessageTurnedAwayByAdmissionWaitsWithoutAPlace) {
    Scheduler s({.max_deliveries = 1}, {});
    std::set<std::uint64_t> refused{1, 2};
    std::vector<std::uint64_t> asked;
    s.set_admission({[&](std::uint64_t e) {
                         asked.push_back(e);
                         return refused.count(e) == 0;
                     },
                     {}});
    s.add(message(1, {"a@one.test"}));
    s.add(message(2, {"b@two.test"}));
    s.add(message(3, {"c@three.test"}));
    const auto first = s.take_due(0);
    EXPECT_EQ(envids(first), (std::vector<std::uint64_t>{3})); // 1 and 2 took no place
    EXPECT_EQ(asked, (std::vector<std::uint64_t>{1, 2, 3}));
    EXPECT_EQ(s.in_flight(), 1u);
    EXPECT_FALSE(s.next_wakeup(10).has_value());
    EXPECT_TRUE(s.take_due(10).empty());
    refused.clear();
    s.set_held(2, true, 10);
    s.memory_freed(20);
    auto jobs = s.take_due(20);
    EXPECT_TRUE(jobs.empty()); // 3 still holds the only place
    s.release(first.at(0));
    jobs = s.take_due(30);
    EXPECT_EQ(envids(jobs), (std::vector<std::uint64_t>{1})); // 2 is held
    EXPECT_EQ(jobs[0].started_ms, 30);                        // the wait is not the attempt's time
}

// The warm-up cap may leave an admitted attempt nothing to send: its admission is refunded.
TEST(Scheduler, AnAdmissionTheWarmupCapLeavesUnusedIsRefunded) {
    Scheduler s({}, {});
    std::vector<std::uint64_t> refunded;
    s.set_admission({[](std::uint64_t) { return true; }, [&](std::uint64_t e) { refunded.push_back(e); }});
    auto m = message(1, {"a@one.test"});
    m.warmup = WarmupPlan{0, 0, 0, 30}; // a cap of 0 today
    s.add(std::move(m));
    EXPECT_TRUE(s.take_due(0).empty());
    EXPECT_EQ(refunded, (std::vector<std::uint64_t>{1}));
}
