#include "packed.hpp"

#include "mailpush/delivery/scheduler.hpp"

#include <gtest/gtest.h>

#include <algorithm>

using namespace mailpush::delivery;

TEST(SchedulerUnsubscribe, PerRecipientHeadersMeanOneRecipientPerAttempt) {
    Scheduler s({}, {});
    QueuedMessage m;
    m.info.envid = 7;
    m.info.envelope =
        mailpush::testing::packed("news@shop.test", {"a@one.test", "b@one.test", "c@two.test"},
                                  "news@shop.test", [](auto& e) { e.unsubscribe = "mailfrom"; });
    for (int idx = 0; idx < 3; ++idx)
        m.rcpts.push_back({idx, RcptState::queued, 0, 0, false});
    s.add(std::move(m));
    auto jobs = s.take_due(0);
    ASSERT_EQ(jobs.size(), 3u);
    std::sort(jobs.begin(), jobs.end(), [](auto& x, auto& y) { return x.rcpt_indices < y.rcpt_indices; });
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(jobs[i].rcpt_indices, (std::vector<int>{static_cast<int>(i)}));
        EXPECT_EQ(jobs[i].message.recipients.size(), 1u);
        EXPECT_EQ(jobs[i].unsubscribe, "mailfrom");
        EXPECT_EQ(jobs[i].auth_user, "news@shop.test");
    }
    EXPECT_EQ(jobs[0].domain, "one.test");
    EXPECT_EQ(jobs[0].cache_key, jobs[1].cache_key); // still one destination for the caps
    EXPECT_EQ(jobs[2].domain, "two.test");
}

TEST(SchedulerUnsubscribe, WithoutTheFlagRecipientsOfADomainShareAnAttempt) {
    Scheduler s({}, {});
    QueuedMessage m;
    m.info.envid = 8;
    m.info.envelope = mailpush::testing::packed("", {"a@one.test", "b@one.test"});
    m.rcpts.push_back({0, RcptState::queued, 0, 0, false});
    m.rcpts.push_back({1, RcptState::queued, 0, 0, false});
    s.add(std::move(m));
    const auto jobs = s.take_due(0);
    ASSERT_EQ(jobs.size(), 1u);
    EXPECT_EQ(jobs[0].rcpt_indices, (std::vector<int>{0, 1}));
    EXPECT_EQ(jobs[0].unsubscribe, "");
}
