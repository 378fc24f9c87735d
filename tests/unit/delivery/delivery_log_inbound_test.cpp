// The delivery log's lookups for inbound reports: the Message-ID index, one recipient as sent,
// whether an account mailed a recipient, and the index pruned with its message.
#include "temp_dir.hpp"

#include "mailpush/delivery/delivery_log.hpp"
#include "mailpush/delivery/event_feed.hpp"

#include <gtest/gtest.h>

using namespace mailpush::delivery;

namespace {
RecipientUpdate delivered(std::uint64_t envid, int idx, const std::string& address,
                          const std::string& msg_id) {
    RecipientUpdate u;
    u.record = {envid, idx, address, RcptState::delivered, 1, 0, "250 ok", "SendOk", 0};
    u.attempt = {envid, idx, 900, 1'000, "mx", "250 ok"};
    u.event =
        "env_id=" + std::to_string(envid) + "&msg_id=" + msg_id + "&account=s@example.com&rcpt=" + address;
    u.report = {0, "acme", "s@example.com", "", "tag", "Subject", 0, "", "", 0};
    return u;
}
} // namespace

TEST(DeliveryLogInbound, MessageIdIndexRecipientAndHadMail) {
    const mailpush::test_support::TempDir temp{"mailpush-delivery-log-inbound"};
    DeliveryLog log((temp.path() / "d.db").string());
    log.apply({delivered(7, 0, "A@Remote.test", "order-1@app.test"),
               delivered(7, 1, "b@remote.test", "order-1@app.test"),
               delivered(8, 0, "c@remote.test", "order%261@app.test")});
    EXPECT_EQ(log.envids_by_message_id("order-1@app.test"), std::vector<std::uint64_t>{7});
    EXPECT_EQ(log.envids_by_message_id("order&1@app.test"), std::vector<std::uint64_t>{8}); // decoded
    EXPECT_TRUE(log.envids_by_message_id("nope@app.test").empty());

    const auto a = log.sent_recipient(7, "a@remote.TEST");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->record.idx, 0);
    EXPECT_EQ(a->record.state, RcptState::delivered);
    EXPECT_EQ(a->report.account, "acme");
    EXPECT_EQ(a->report.tag, "tag");
    EXPECT_EQ(a->event.substr(0, 9), "env_id=7&");
    EXPECT_FALSE(log.sent_recipient(7, "c@remote.test"));
    EXPECT_FALSE(log.sent_recipient(9, "a@remote.test"));

    EXPECT_TRUE(log.had_mail("acme", "C@remote.test"));
    EXPECT_FALSE(log.had_mail("other", "c@remote.test"));
    EXPECT_FALSE(log.had_mail("acme", "d@remote.test"));

    // A later event (an asynchronous bounce) is the one returned.
    auto bounce = delivered(7, 0, "A@Remote.test", "order-1@app.test");
    bounce.record.state = RcptState::failed;
    bounce.record.status = 2;
    bounce.event += "&status=2";
    log.apply({bounce});
    const auto after = log.sent_recipient(7, "a@remote.test");
    ASSERT_TRUE(after);
    EXPECT_EQ(after->record.state, RcptState::failed);
    EXPECT_EQ(after->report.status, 2);
    EXPECT_NE(after->event.find("&status=2"), std::string::npos);

    EXPECT_EQ(log.prune(2'000), 1u); // message 8 (7 holds the newest event)
    EXPECT_TRUE(log.envids_by_message_id("order&1@app.test").empty());
}

// The notifier types each event by its own status, not by the report row a later event changed.
TEST(DeliveryLogInbound, FeedKeepsEachEventsOwnStatus) {
    const mailpush::test_support::TempDir temp{"mailpush-delivery-log-feed"};
    DeliveryLog log((temp.path() / "d.db").string());
    auto first = delivered(7, 0, "a@remote.test", "m@x");
    first.event += "&status=0&event=deliver";
    auto bounce = delivered(7, 0, "a@remote.test", "m@x");
    bounce.record.state = RcptState::failed;
    bounce.record.status = 2;
    bounce.event += "&status=2&event=deliver";
    log.apply({first});
    log.apply({bounce});
    EventFeed feed((temp.path() / "d.db").string());
    const auto events = feed.events_after(0, 10);
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[0].status, 0);
    EXPECT_EQ(events[1].status, 2);
    EXPECT_EQ(events[0].account, "acme");
}
