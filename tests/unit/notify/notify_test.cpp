#include "temp_dir.hpp"

#include "mailpush/common/http_url.hpp"
#include "mailpush/common/strings.hpp"
#include "mailpush/delivery/delivery_log.hpp"
#include "mailpush/notify/notifier.hpp"
#include "mailpush/notify/notify_log.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>

using namespace mailpush;
using namespace mailpush::notify;

namespace {
delivery::RecipientUpdate final_update(std::uint64_t envid, const std::string& account,
                                       const std::string& from, const std::string& rcpt, int status) {
    delivery::RecipientUpdate u;
    u.record = {envid, 0, rcpt, delivery::RcptState::delivered, 1, 0, "250 ok", "SendOk", status};
    u.attempt = {envid, 0, 1000, 1010, "capture:x", "250 ok"};
    u.event = "env_id=" + std::to_string(envid) + "&rcpt=" + rcpt;
    u.report = {0, account, from, "", "", "", 0, "", "", 0};
    return u;
}

class NotifyLogTest : public ::testing::Test {
protected:
    void SetUp() override { delivery_log = std::make_unique<delivery::DeliveryLog>((dir / "d.db").string()); }
    void TearDown() override { delivery_log.reset(); }
    test_support::TempDir temp{"mailpush-notify"};
    std::filesystem::path dir = temp.path();
    std::unique_ptr<delivery::DeliveryLog> delivery_log;
};

// Account "q" goes to its queue, "h" to its push target, anything else nowhere.
const Resolver kResolver = [](const RoutedEvent& ev) -> std::optional<Destination> {
    if (ev.account == "q") return Destination{true, ""};
    if (ev.account == "h") return Destination{false, ev.sender};
    return std::nullopt;
};
} // namespace

TEST_F(NotifyLogTest, HistoryIsNotNotifiedAndEachEventIsRoutedOnce) {
    delivery_log->apply({final_update(1, "q", "a@x.test", "old@y.test", 0)});
    NotifyLog log((dir / "d.db").string());
    EXPECT_EQ(log.route(kResolver, 100, 5000), 0u); // the cursor starts after existing events
    delivery_log->apply({final_update(2, "q", "a@x.test", "r1@y.test", 0),
                         final_update(3, "h", "b@x.test", "r2@y.test", 4),
                         final_update(4, "other", "c@x.test", "r3@y.test", 0)});
    EXPECT_EQ(log.route(kResolver, 2, 5000), 2u); // bounded
    EXPECT_EQ(log.route(kResolver, 100, 5000), 1u);
    EXPECT_EQ(log.route(kResolver, 100, 5000), 0u);
    EXPECT_EQ(log.queue_size("q"), 1u);
    const auto due = log.due(5000, 10);
    ASSERT_EQ(due.size(), 1u);
    EXPECT_EQ(due[0].account, "h");
    EXPECT_EQ(due[0].address, "b@x.test");
    EXPECT_EQ(due[0].type, "Deliver:SendFailed");
    EXPECT_EQ(due[0].text, "env_id=3&rcpt=r2@y.test");
}

TEST_F(NotifyLogTest, EventsAfterPruningAreStillRouted) {
    NotifyLog log((dir / "d.db").string());
    delivery_log->apply(
        {final_update(1, "q", "a@x.test", "r1@y.test", 0), final_update(2, "q", "a@x.test", "r2@y.test", 0)});
    EXPECT_EQ(log.route(kResolver, 100, 1000), 2u);
    // Both messages are old, but the one with the newest event stays, so ids never go back.
    EXPECT_EQ(delivery_log->prune(1'000'000), 1u);
    delivery_log->apply({final_update(3, "q", "a@x.test", "r3@y.test", 0)});
    EXPECT_EQ(log.route(kResolver, 100, 2000), 1u);
    EXPECT_EQ(log.queue_size("q"), 3u);
}

TEST_F(NotifyLogTest, OutboxRescheduleAndAcknowledge) {
    NotifyLog log((dir / "d.db").string());
    delivery_log->apply({final_update(1, "h", "a@x.test", "r@y.test", 0)});
    log.route(kResolver, 100, 1000);
    auto due = log.due(1000, 10);
    ASSERT_EQ(due.size(), 1u);
    log.reschedule({due[0].id}, 3000, "HTTP 503");
    EXPECT_TRUE(log.due(2999, 10).empty());
    due = log.due(3000, 10);
    ASSERT_EQ(due.size(), 1u);
    EXPECT_EQ(due[0].attempts, 1);
    log.acknowledge({due[0].id});
    EXPECT_EQ(log.outbox_size(), 0u);
}

TEST_F(NotifyLogTest, QueueReceiveHidesAndOnlyTheLatestReceiptDeletes) {
    NotifyLog log((dir / "d.db").string());
    delivery_log->apply(
        {final_update(1, "q", "a@x.test", "r1@y.test", 0), final_update(2, "q", "a@x.test", "r2@y.test", 0)});
    log.route(kResolver, 100, 1000);
    const auto first = log.receive("q", 10, 1000, 30'000);
    ASSERT_EQ(first.size(), 2u);
    EXPECT_EQ(first[0].dequeue_count, 1);
    EXPECT_EQ(first[0].first_dequeue_ms, 1000);
    EXPECT_EQ(first[0].next_visible_ms, 31'000);
    EXPECT_TRUE(log.receive("q", 10, 30'999, 30'000).empty());
    EXPECT_TRUE(log.receive("other", 10, 99'000, 30'000).empty()); // per account
    const auto again = log.receive("q", 1, 31'000, 30'000);
    ASSERT_EQ(again.size(), 1u);
    EXPECT_EQ(again[0].dequeue_count, 2);
    EXPECT_EQ(again[0].first_dequeue_ms, 1000);
    EXPECT_NE(again[0].receipt, first[0].receipt);
    EXPECT_EQ(log.remove("q", {first[0].receipt}), std::vector<std::string>{first[0].receipt}); // stale
    EXPECT_TRUE(log.remove("other", {again[0].receipt}).size() == 1); // not its queue
    EXPECT_TRUE(log.remove("q", {again[0].receipt, first[1].receipt}).empty());
    EXPECT_EQ(log.queue_size("q"), 0u);
}

TEST_F(NotifyLogTest, PruneDropsOldItems) {
    NotifyLog log((dir / "d.db").string());
    delivery_log->apply(
        {final_update(1, "q", "a@x.test", "r1@y.test", 0), final_update(2, "h", "a@x.test", "r2@y.test", 0)});
    log.route(kResolver, 100, 1000);
    EXPECT_EQ(log.prune(1000, 1000), 0u);
    EXPECT_EQ(log.prune(1001, 1001), 2u);
    EXPECT_EQ(log.queue_size("q") + log.outbox_size(), 0u);
}

TEST(Notifier, PushBodySignatureAndRetryDelay) {
    OutboxItem item;
    item.id = 7;
    item.type = "Deliver:SendSuccessfully";
    item.text = "env_id=1&status=0";
    item.attempts = 2;
    const auto body = nlohmann::json::parse(push_body({item}));
    EXPECT_EQ(body["events"][0]["id"], 7);
    EXPECT_EQ(body["events"][0]["type"], "Deliver:SendSuccessfully");
    EXPECT_EQ(body["events"][0]["message"], "env_id=1&status=0");
    EXPECT_EQ(body["events"][0]["attempt"], 3);
    // RFC 4231 test case 2.
    EXPECT_EQ(push_signature("Jefe", "what do ya want for nothing?"),
              "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    NotifierOptions o;
    o.retry_initial = std::chrono::milliseconds(100);
    o.retry_max = std::chrono::milliseconds(1000);
    EXPECT_EQ(push_retry_delay(0, o).count(), 100);
    EXPECT_EQ(push_retry_delay(3, o).count(), 800);
    EXPECT_EQ(push_retry_delay(4, o).count(), 1000);
    EXPECT_EQ(push_retry_delay(60, o).count(), 1000);
}

TEST(HttpUrl, ParsesWebhookTargets) {
    auto u = common::parse_http_url("https://hooks.example.com/mail/events?k=1");
    ASSERT_TRUE(u);
    EXPECT_TRUE(u->tls);
    EXPECT_EQ(u->host, "hooks.example.com");
    EXPECT_EQ(u->port, "443");
    EXPECT_EQ(u->target, "/mail/events?k=1");
    u = common::parse_http_url("http://127.0.0.1:8081");
    ASSERT_TRUE(u);
    EXPECT_FALSE(u->tls);
    EXPECT_EQ(u->port, "8081");
    EXPECT_EQ(u->target, "/");
    u = common::parse_http_url("http://[::1]:9000/h");
    ASSERT_TRUE(u);
    EXPECT_EQ(u->host, "::1");
    for (const char* bad : {"ftp://x.test/", "http://", "http://user:pw@x.test/", "http://x.test/#frag",
                            "/relative", "http://x.test:0/", "http://x.test:99999/", "not a url"})
        EXPECT_FALSE(common::parse_http_url(bad)) << bad;
}

TEST(SplitList, TrimsAndDropsEmptyParts) {
    EXPECT_EQ(common::split_list(" a, b,,c ,", ','), (std::vector<std::string>{"a", "b", "c"}));
    EXPECT_TRUE(common::split_list("", ',').empty());
    EXPECT_TRUE(common::split_list(" , ", ',').empty());
}
