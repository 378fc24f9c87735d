// TrackingRecorder over a real delivery.db: links through the cache and the read connection,
// hits flushed in one transaction with their exact Open/Click event strings, the queue's bound,
// hits that name nothing known, and pruning by link_retention.
#include "tracking_fixture.hpp"

#include "mailpush/common/metrics.hpp"
#include "mailpush/sqlite/sqlite.hpp"

#include <gtest/gtest.h>

namespace mailpush::delivery {
namespace {
using test_support::click_hit;
using test_support::kDay1Ms;
using test_support::kDayMs;
using test_support::open_hit;

std::int64_t count_rows(const std::string& path, const char* sql) {
    sqlite3* db = nullptr;
    sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    std::int64_t n = -1;
    {
        sqlite::Statement st(db, sql);
        if (st.step()) n = st.integer(0);
    }
    sqlite3_close(db);
    return n;
}

class TrackingRecorderTest : public ::testing::Test {
protected:
    test_support::TrackingLog t;
    void SetUp() override {
        t.sent(7, 0, "bob@example.org", kDay1Ms);
        t.log.store_links(7, {"https://shop.example/a?x=1&y=2", "https://shop.example/b"}, kDay1Ms - 1000);
    }
};

TEST_F(TrackingRecorderTest, LinksAreReadThroughTheCacheAndUnknownOnesAreNot) {
    auto r = t.recorder();
    EXPECT_EQ(r->link_url(7, 1), "https://shop.example/a?x=1&y=2");
    EXPECT_EQ(r->link_url(7, 2), "https://shop.example/b");
    EXPECT_EQ(r->link_url(7, 3), std::nullopt);
    EXPECT_EQ(r->link_url(7, 0), std::nullopt); // the pixel
    EXPECT_EQ(r->link_url(8, 1), std::nullopt);
    // Stored once: a second store_links changes nothing.
    t.log.store_links(7, {"https://evil.example/"}, kDay1Ms);
    {
        sqlite3* db = nullptr;
        sqlite3_open_v2(t.path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr);
        sqlite::exec(db, "DELETE FROM tracked_links WHERE envid=7 AND link=1");
        sqlite3_close(db);
    }
    EXPECT_EQ(r->link_url(7, 1), "https://shop.example/a?x=1&y=2"); // from the cache
    auto fresh = t.recorder();
    EXPECT_EQ(fresh->link_url(7, 1), std::nullopt); // the table: gone
    EXPECT_EQ(fresh->link_url(7, 2), "https://shop.example/b");
}

TEST_F(TrackingRecorderTest, TheCacheKeepsAtMostLinkCacheEntries) {
    TrackingRecorderOptions o;
    o.link_cache = 1;
    auto r = t.recorder(o);
    EXPECT_TRUE(r->link_url(7, 1));
    EXPECT_TRUE(r->link_url(7, 2)); // evicts link 1
    sqlite3* db = nullptr;
    sqlite3_open_v2(t.path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr);
    sqlite::exec(db, "DELETE FROM tracked_links WHERE envid=7");
    sqlite3_close(db);
    EXPECT_EQ(r->link_url(7, 2), "https://shop.example/b");
    EXPECT_EQ(r->link_url(7, 1), std::nullopt);
}

TEST_F(TrackingRecorderTest, FlushWritesHitsAndTheirExactEvents) {
    std::vector<tracking::HitFacts> seen;
    std::vector<std::size_t> earlier;
    auto r = t.recorder({}, [&](const tracking::HitFacts& f) {
        earlier.push_back(f.earlier_clicks.size());
        seen.push_back(f);
        return test_support::class_by_agent(f);
    });
    EXPECT_TRUE(r->record(open_hit(7, 0, kDay1Ms + 60'000, "Mozilla/5.0 proxy")));
    EXPECT_TRUE(r->record(click_hit(7, 0, 1, kDay1Ms + 120'000)));
    EXPECT_TRUE(r->record(click_hit(7, 0, 2, kDay1Ms + 121'000, "scanner")));
    EXPECT_EQ(r->pending(), 3u);
    EXPECT_EQ(r->flush(), 3u);
    EXPECT_EQ(r->pending(), 0u);
    EXPECT_EQ(r->transactions(), 1u);
    ASSERT_EQ(seen.size(), 3u);
    EXPECT_EQ(seen[0].delivered_ms, kDay1Ms);
    EXPECT_EQ(seen[0].links_in_message, 2u);
    EXPECT_EQ(seen[1].kind, tracking::HitKind::click);
    EXPECT_EQ(earlier, (std::vector<std::size_t>{0, 0, 1})); // the second click sees the first
    const auto events = t.log.events(7);
    ASSERT_EQ(events.size(), 4u); // the delivery event, then the three hits
    EXPECT_EQ(events[1], "event=Open&region=cn-hangzhou&env_id=7&from=news@example.com&rcpt=bob@example.org"
                         "&operate_time=2026-11-24 10:01:00&class=proxy");
    // The url keeps its own '&' percent-encoded and comes last.
    EXPECT_EQ(events[2],
              "event=Click&region=cn-hangzhou&env_id=7&from=news@example.com&rcpt=bob@example.org"
              "&operate_time=2026-11-24 10:02:00&class=human&url=https://shop.example/a?x=1%26y=2");
    EXPECT_EQ(events[3], "event=Click&region=cn-hangzhou&env_id=7&from=news@example.com&rcpt=bob@example.org"
                         "&operate_time=2026-11-24 10:02:01&class=scanner&url=https://shop.example/b");
    EXPECT_EQ(count_rows(t.path, "SELECT count(*) FROM track_hits WHERE machine=1"), 1);
    EXPECT_EQ(count_rows(t.path, "SELECT count(*) FROM track_hits WHERE kind='open' AND link=0"), 1);
    // A later flush knows the earlier clicks (from memory), and a new recorder too (from the table).
    EXPECT_TRUE(r->record(click_hit(7, 0, 1, kDay1Ms + 200'000)));
    r->flush();
    auto again = t.recorder({}, [&](const tracking::HitFacts& f) {
        earlier.push_back(f.earlier_clicks.size());
        return tracking::HitClass::human;
    });
    again->record(click_hit(7, 0, 1, kDay1Ms + 300'000));
    again->flush();
    EXPECT_EQ(earlier, (std::vector<std::size_t>{0, 0, 1, 2, 3}));
}

TEST_F(TrackingRecorderTest, TenThousandHitsAreOneTransactionAndTheThreadFlushesFew) {
    auto r = t.recorder();
    for (int i = 0; i < 10'000; ++i)
        ASSERT_TRUE(r->record(open_hit(7, 0, kDay1Ms + i)));
    EXPECT_EQ(r->flush(), 10'000u);
    EXPECT_EQ(r->transactions(), 1u);
    EXPECT_EQ(count_rows(t.path, "SELECT count(*) FROM track_hits"), 10'000);
    EXPECT_EQ(count_rows(t.path, "SELECT count(*) FROM events WHERE text LIKE 'event=Open&%'"), 10'000);

    TrackingRecorderOptions o;
    o.flush_interval = std::chrono::milliseconds(200);
    auto threaded = t.recorder(o);
    threaded->start();
    for (int i = 0; i < 10'000; ++i)
        ASSERT_TRUE(threaded->record(click_hit(7, 0, 2, kDay1Ms + i)));
    threaded->stop(); // flushes what is left
    EXPECT_EQ(threaded->pending(), 0u);
    EXPECT_GE(threaded->transactions(), 1u);
    EXPECT_LE(threaded->transactions(), 20u); // batches, never one per hit
    EXPECT_EQ(count_rows(t.path, "SELECT count(*) FROM track_hits WHERE kind='click'"), 10'000);
}

TEST_F(TrackingRecorderTest, AFullQueueDropsAndCounts) {
    auto& dropped = metrics::registry().counter("mailpush_tracking_dropped_total", "");
    const auto before = dropped.value();
    TrackingRecorderOptions o;
    o.max_pending = 2;
    auto r = t.recorder(o);
    EXPECT_TRUE(r->record(open_hit(7, 0, kDay1Ms)));
    EXPECT_TRUE(r->record(open_hit(7, 0, kDay1Ms)));
    EXPECT_FALSE(r->record(open_hit(7, 0, kDay1Ms)));
    EXPECT_EQ(dropped.value(), before + 1);
    EXPECT_EQ(r->pending(), 2u);
    EXPECT_NE(metrics::registry().render().find("mailpush_tracking_pending 2"), std::string::npos);
    EXPECT_EQ(r->flush(), 2u);
    EXPECT_TRUE(r->record(open_hit(7, 0, kDay1Ms))); // room again
}

TEST_F(TrackingRecorderTest, HitsOnUnknownMessagesRecipientsOrLinksRecordNothing) {
    t.sent(9, 0, "eve@example.org", kDay1Ms); // sent, but never tracked
    auto& human_opens = metrics::registry().counter("mailpush_tracking_hits_total", "",
                                                    {{"kind", "open"}, {"class", "human"}});
    const auto before = human_opens.value();
    auto r = t.recorder();
    r->record(open_hit(99, 0, kDay1Ms));    // no such message
    r->record(open_hit(9, 0, kDay1Ms));     // not tracked
    r->record(open_hit(7, 5, kDay1Ms));     // no such recipient
    r->record(click_hit(7, 0, 3, kDay1Ms)); // no such link
    r->record(open_hit(7, 0, kDay1Ms));
    EXPECT_EQ(r->flush(), 1u);
    EXPECT_EQ(count_rows(t.path, "SELECT count(*) FROM track_hits"), 1);
    EXPECT_EQ(t.log.events(9).size(), 1u);
    EXPECT_EQ(t.log.events(7).size(), 2u);
    EXPECT_EQ(human_opens.value(), before + 1);
}

TEST_F(TrackingRecorderTest, ALongUserAgentIsCutAtACharacterBoundary) {
    auto r = t.recorder();
    std::string agent(511, 'a');
    agent += "\xC3\xA9tail"; // é straddles byte 512
    r->record(open_hit(7, 0, kDay1Ms, agent));
    r->flush();
    EXPECT_EQ(count_rows(t.path, "SELECT length(CAST(user_agent AS BLOB)) FROM track_hits"), 511);
}

TEST_F(TrackingRecorderTest, PruneForgetsLinksAndHitsPastTheRetentionOnly) {
    t.sent(8, 0, "ann@example.org", kDay1Ms + 10 * kDayMs);
    t.log.store_links(8, {"https://shop.example/new"}, kDay1Ms + 10 * kDayMs);
    TrackingRecorderOptions o;
    o.link_retention = std::chrono::hours(24 * 5);
    auto r = t.recorder(o);
    r->record(open_hit(7, 0, kDay1Ms + 1000));
    r->record(open_hit(8, 0, kDay1Ms + 10 * kDayMs));
    r->flush();
    EXPECT_EQ(r->link_url(7, 1), "https://shop.example/a?x=1&y=2"); // now cached
    EXPECT_EQ(r->prune(kDay1Ms + 4 * kDayMs), 0u);
    EXPECT_EQ(r->prune(kDay1Ms + 6 * kDayMs), 1u);
    EXPECT_EQ(r->link_url(7, 1), std::nullopt); // the cache forgot it too
    EXPECT_EQ(r->link_url(8, 1), "https://shop.example/new");
    EXPECT_EQ(count_rows(t.path, "SELECT count(*) FROM track_hits WHERE envid=7"), 0);
    EXPECT_EQ(count_rows(t.path, "SELECT count(*) FROM track_hits WHERE envid=8"), 1);
    // The delivery log's own rows (and the events) stay: their retention is the log's.
    EXPECT_EQ(t.log.events(7).size(), 2u);
}

} // namespace
} // namespace mailpush::delivery

namespace mailpush::delivery {
TEST(TrackedLinksHost, ADatabaseFromBeforeTheHostColumnGetsItAndItsLinksAnswerOnAnyHost) {
    test_support::TempDir temp{"mailpush-tracked-migration"};
    const auto path = (temp.path() / "delivery.db").string();
    {
        sqlite3* db = nullptr;
        ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
        sqlite::exec(
            db,
            "CREATE TABLE tracked (envid INTEGER PRIMARY KEY, links INTEGER NOT NULL, "
            "stored_ms INTEGER NOT NULL);"
            "CREATE TABLE tracked_links (envid INTEGER NOT NULL, link INTEGER NOT NULL, "
            "url TEXT NOT NULL, PRIMARY KEY (envid, link)) WITHOUT ROWID;"
            "INSERT INTO tracked VALUES (3, 1, 0); INSERT INTO tracked_links VALUES (3, 1, 'https://old/');");
        sqlite3_close(db);
    }
    DeliveryLog log(path);
    log.store_links({{4, {"https://new/"}, "dmtrace.example.com"}}, 1);
    TrackingRecorder recorder(path, {}, test_support::class_by_agent);
    const auto old = recorder.link_target(3, 1);
    ASSERT_TRUE(old);
    EXPECT_EQ(old->url, "https://old/");
    EXPECT_EQ(old->host, "");
    const auto fresh = recorder.link_target(4, 1);
    ASSERT_TRUE(fresh);
    EXPECT_EQ(fresh->host, "dmtrace.example.com");
}
} // namespace mailpush::delivery
