// A tracked message (opens or links) is attempted one recipient per attempt, as each recipient's
// body carries its own pixel and links; the flags reach the attempt.
#include "packed.hpp"

#include "mailpush/delivery/scheduler.hpp"

#include <gtest/gtest.h>

#include <algorithm>

using namespace mailpush::delivery;

namespace {

std::vector<AttemptJob> jobs_for(bool opens, bool links) {
    Scheduler s({}, {});
    QueuedMessage m;
    m.info.envid = 21;
    m.info.envelope = mailpush::testing::packed("news@shop.test", {"a@one.test", "b@one.test", "c@one.test"},
                                                "news@shop.test", [&](auto& e) {
                                                    e.track_opens = opens;
                                                    e.track_links = links;
                                                });
    for (int idx = 0; idx < 3; ++idx)
        m.rcpts.push_back({idx, RcptState::queued, 0, 0, false});
    s.add(std::move(m));
    auto jobs = s.take_due(0);
    std::sort(jobs.begin(), jobs.end(), [](auto& x, auto& y) { return x.rcpt_indices < y.rcpt_indices; });
    return jobs;
}

} // namespace

TEST(SchedulerTracking, EitherFlagMeansOneRecipientPerAttempt) {
    struct Case {
        bool opens, links;
    };
    for (const Case c : {Case{true, false}, Case{false, true}, Case{true, true}}) {
        SCOPED_TRACE(testing::Message() << "opens=" << c.opens << " links=" << c.links);
        const auto jobs = jobs_for(c.opens, c.links);
        ASSERT_EQ(jobs.size(), 3u);
        for (std::size_t i = 0; i < jobs.size(); ++i) {
            EXPECT_EQ(jobs[i].rcpt_indices, (std::vector<int>{static_cast<int>(i)}));
            EXPECT_EQ(jobs[i].message.recipients.size(), 1u);
            EXPECT_EQ(jobs[i].track_opens, c.opens);
            EXPECT_EQ(jobs[i].track_links, c.links);
            EXPECT_EQ(jobs[i].unsubscribe, "");
        }
    }
}

TEST(SchedulerTracking, UntrackedRecipientsOfADomainShareAnAttempt) {
    const auto jobs = jobs_for(false, false);
    ASSERT_EQ(jobs.size(), 1u);
    EXPECT_EQ(jobs[0].rcpt_indices, (std::vector<int>{0, 1, 2}));
    EXPECT_FALSE(jobs[0].track_opens);
    EXPECT_FALSE(jobs[0].track_links);
}
