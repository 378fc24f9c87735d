#include "temp_dir.hpp"

#include "mailpush/delivery/delivery_log.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>

using namespace mailpush::delivery;

namespace {
RecipientUpdate final_update(std::uint64_t envid, int idx, const std::string& address,
                             std::int64_t ended_ms) {
    RecipientUpdate u;
    u.record = {envid, idx, address, RcptState::delivered, 1, 0, "250 ok", "SendOk", 0};
    u.attempt = {envid, idx, ended_ms - 10, ended_ms, "capture:x", "250 ok"};
    u.event = "env_id=" + std::to_string(envid);
    return u;
}
// Queued rows for a message's recipients, as a first result would make them.
void add_queued(DeliveryLog& log, std::uint64_t envid, const std::vector<std::string>& addresses) {
    std::vector<RecipientRecord> rows;
    for (std::size_t i = 0; i < addresses.size(); ++i)
        rows.push_back({envid, static_cast<int>(i), addresses[i], RcptState::queued, 0, 0, "", "", 0});
    log.upsert_recipients(rows);
}
} // namespace

TEST(DeliveryLog, PruneForgetsOnlyFinishedMessagesPastTheCutoff) {
    const mailpush::test_support::TempDir temp{"mailpush-delivery-log-prune"};
    const auto& dir = temp.path();
    {
        DeliveryLog log((dir / "d.db").string());
        add_queued(log, 1, {"old@example.org"});
        add_queued(log, 2, {"new@example.org"});
        add_queued(log, 3, {"done@example.org", "waiting@example.org"});
        log.apply({final_update(1, 0, "old@example.org", 1'000), final_update(2, 0, "new@example.org", 5'000),
                   final_update(3, 0, "done@example.org", 1'000)});
        EXPECT_EQ(log.prune(2'000), 1u); // message 3 still has a pending recipient
        EXPECT_TRUE(log.events(1).empty());
        EXPECT_TRUE(log.recipients(1).empty());
        EXPECT_TRUE(log.attempts(1).empty());
        EXPECT_EQ(log.events(2).size(), 1u);
        EXPECT_EQ(log.recipients(3).size(), 2u);
        EXPECT_EQ(log.pending().size(), 1u);
        EXPECT_EQ(log.prune(2'000), 0u); // idempotent
    }
}

// A pending result written after the recipient became final (a kept result written late, after
// a queue delete) does not make it pending again; a later final result still replaces a final one.
TEST(DeliveryLog, AFinalStateIsNotTurnedBackIntoAPendingOne) {
    const mailpush::test_support::TempDir temp{"mailpush-delivery-log-final"};
    DeliveryLog log((temp.path() / "d.db").string());
    add_queued(log, 1, {"a@example.org"});
    log.mark_deleted(1, {"a@example.org"});
    auto late = final_update(1, 0, "a@example.org", 1'000);
    late.record.state = RcptState::deferred;
    late.event.clear();
    log.apply({late});
    ASSERT_EQ(log.recipients(1).size(), 1u);
    EXPECT_EQ(log.recipients(1)[0].state, RcptState::failed);
    log.apply({final_update(1, 0, "a@example.org", 2'000)}); // final over final: replaced
    EXPECT_EQ(log.recipients(1)[0].state, RcptState::delivered);
}

// A message still in the spool is never forgotten: a recipient of it without a row (never
// attempted: held, say) would otherwise make its finished ones read as queued at the next start.
TEST(DeliveryLog, PruneKeepsMessagesStillQueued) {
    const mailpush::test_support::TempDir temp{"mailpush-delivery-log-prune-keep"};
    DeliveryLog log((temp.path() / "d.db").string());
    log.apply({final_update(1, 0, "a@example.org", 1'000), final_update(2, 0, "b@example.org", 1'000),
               final_update(3, 0, "c@example.org", 1'000)}); // 3 holds the newest event: kept anyway
    EXPECT_EQ(log.prune(2'000, [](std::uint64_t envid) { return envid == 1; }), 1u);
    EXPECT_EQ(log.recipients(1).size(), 1u);
    EXPECT_TRUE(log.recipients(2).empty());
    EXPECT_EQ(log.recipients_of({1, 2}).size(), 1u);
}

TEST(DeliveryLog, ReportsAreSearchableAndCounted) {
    const mailpush::test_support::TempDir temp{"mailpush-delivery-log-reports"};
    const auto& dir = temp.path();
    {
        DeliveryLog log((dir / "d.db").string());
        // 2026-11-23 23:30 UTC is already the 24th at +08:00.
        const std::int64_t t = 1795428000000 + 13 * 3600 * 1000 + 30 * 60 * 1000;
        auto u1 = final_update(1, 0, "a@example.org", t);
        u1.report = {0, "acme", "news@example.com", "", "promo", "Sale", 0, "", "", 0};
        auto u2 = final_update(1, 1, "b@example.org", t + 1000);
        u2.record.status = 2;
        u2.record.failed_type = "SmtpNxBox";
        u2.report = u1.report;
        auto u3 = final_update(2, 0, "c@example.org", t + 2000);
        u3.report = {0, "other", "x@other.test", "", "", "", 0, "", "", 0};
        log.apply({u1, u2, u3});
        DetailQuery q;
        q.account = "acme";
        const auto rows = log.details(q);
        ASSERT_EQ(rows.size(), 2u);
        EXPECT_EQ(rows[0].rcpt, "b@example.org"); // newest first
        EXPECT_EQ(rows[0].status, 2);
        EXPECT_EQ(rows[1].subject, "Sale");
        q.status = 2;
        EXPECT_EQ(log.count_details(q), 1);
        q.status = -1;
        q.rcpt = "a@example.org";
        EXPECT_EQ(log.details(q).size(), 1u);
        StatQuery s;
        s.account = "acme";
        const auto days = log.stats(s);
        ASSERT_EQ(days.size(), 1u);
        EXPECT_EQ(days[0].key, "2026-11-24");
        EXPECT_EQ(days[0].total, 2);
        EXPECT_EQ(days[0].delivered, 1);
        EXPECT_EQ(days[0].invalid, 1);
        s.utc_offset_minutes = 0;
        EXPECT_EQ(log.stats(s)[0].key, "2026-11-23");
        s.group = "tag";
        EXPECT_EQ(log.stats(s)[0].key, "promo");
        // Reports go with the rest; message 2 has the newest event, which always stays.
        EXPECT_EQ(log.prune(t + 10'000), 1u);
        EXPECT_TRUE(log.details(q).empty());
    }
}

TEST(DeliveryLog, UnattemptedDeferralsWriteTheStateButNeverReopenAFinalRecipient) {
    const mailpush::test_support::TempDir temp{"mailpush-delivery-log-defer"};
    const auto& dir = temp.path();
    DeliveryLog log((dir / "d.db").string());
    log.apply({final_update(1, 0, "done@example.org", 1'000)});
    const std::string reply = "451 4.7.0 warm-up cap";
    log.upsert_recipients({{1, 0, "done@example.org", RcptState::deferred, 0, 86'400'000, reply, "", 0},
                           {1, 1, "later@example.org", RcptState::deferred, 0, 86'400'000, reply, "", 0}});
    const auto rows = log.recipients(1);
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].state, RcptState::delivered); // final stays final
    EXPECT_EQ(rows[1].state, RcptState::deferred);
    EXPECT_EQ(rows[1].attempts, 0);
    EXPECT_EQ(rows[1].next_attempt_ms, 86'400'000);
    EXPECT_EQ(rows[1].last_reply, reply);
    EXPECT_EQ(log.attempts(1).size(), 1u); // no attempt row for a deferral
}

// The statistics and counts read the 15-minute buckets for whole buckets and the reports for the
// edges: every window gives what counting the reports gives, also after a report is replaced
// (a later bounce), after a prune, and for a log written before the buckets existed.
TEST(DeliveryLog, BucketedStatisticsEqualTheReportsForAnyWindow) {
    const mailpush::test_support::TempDir temp{"mailpush-delivery-log-buckets"};
    const auto path = (temp.path() / "d.db").string();
    const std::int64_t day0 = 1795392000000; // 2026-11-23 00:00 UTC
    auto report = [&](std::uint64_t envid, int idx, std::int64_t ended, int status, const std::string& tag) {
        auto u = final_update(
            envid, idx, "r" + std::to_string(envid) + "_" + std::to_string(idx) + "@example.org", ended);
        u.record.status = status;
        u.report = {0,  "acme", envid % 2 ? "a@example.com" : "b@example.com", "", tag, "s", status, "",
                    "", 0};
        return u;
    };
    std::vector<RecipientUpdate> updates;
    for (std::uint64_t e = 1; e <= 60; ++e) // every 7 minutes for 7 hours, across bucket edges
        for (int i = 0; i < 2; ++i)
            updates.push_back(report(e, i, day0 + static_cast<std::int64_t>(e) * 7 * 60'000 + i * 1000,
                                     static_cast<int>(e % 5 == 0   ? 2
                                                      : e % 7 == 0 ? 4
                                                                   : 0),
                                     e % 3 ? "t1" : "t2"));
    {
        DeliveryLog log(path);
        for (std::uint64_t e = 1; e <= 60; ++e)
            add_queued(log, e, {"x", "y"});
        log.apply(updates);
        // A later report replaces one: delivered becomes an invalid address.
        log.apply({report(3, 0, day0 + 3 * 7 * 60'000, 2, "t2")});
    }
    auto expected = [&](std::int64_t from, std::int64_t to, int status, const std::string& tag) {
        std::int64_t n = 0;
        for (auto u : updates) {
            if (u.record.envid == 3 && u.record.idx == 0) u.record.status = 2;
            const auto ended = u.attempt.ended_ms;
            if (ended >= from && ended < to && (status < 0 || u.record.status == status) &&
                (tag.empty() || u.report.tag == tag))
                ++n;
        }
        return n;
    };
    DeliveryLog log(path);
    const std::pair<std::int64_t, std::int64_t> windows[] = {
        {0, INT64_MAX},
        {day0 + 17 * 60'000 + 123, day0 + 3 * 3600'000 + 1},
        {day0 + 15 * 60'000, day0 + 30 * 60'000},
        {day0 + 16 * 60'000, day0 + 29 * 60'000},
        {day0 + 3600'000, day0 + 2 * 3600'000 + 7 * 60'000}};
    for (const auto& [from, to] : windows)
        for (const int status : {-1, 0, 2, 4})
            for (const std::string tag : {"", "t2"}) {
                DetailQuery q;
                q.account = "acme";
                q.from_ms = from;
                q.to_ms = to;
                q.status = status;
                q.tag = tag;
                EXPECT_EQ(log.count_details(q), expected(from, to, status, tag))
                    << from << " " << to << " " << status;
                StatQuery s;
                s.account = "acme";
                s.from_ms = from;
                s.to_ms = to;
                s.tag = tag;
                s.utc_offset_minutes = 0;
                const auto days = log.stats(s);
                const StatRow none{};
                const auto& day = days.empty() ? none : days[0];
                const auto got = status == -1  ? day.total
                                 : status == 0 ? day.delivered
                                 : status == 2 ? day.invalid
                                               : day.failed;
                EXPECT_EQ(got, expected(from, to, status, tag)) << from << " " << to << " " << status;
            }
    // A prune takes its reports out of the buckets too.
    EXPECT_GT(log.prune(day0 + 3600'000), 0u);
    DetailQuery all;
    all.account = "acme";
    // Message 3 has the newest event (its replaced report), which always stays.
    EXPECT_EQ(log.count_details(all), expected(day0 + 3600'000, INT64_MAX, -1, "") + 2);
    StatQuery every;
    every.account = "acme";
    EXPECT_EQ(log.stats(every)[0].total, expected(day0 + 3600'000, INT64_MAX, -1, "") + 2);
}

TEST(DeliveryLog, ALogWithoutBucketsGetsThemFromItsReports) {
    const mailpush::test_support::TempDir temp{"mailpush-delivery-log-bucket-migration"};
    const auto path = (temp.path() / "d.db").string();
    {
        DeliveryLog log(path);
        add_queued(log, 1, {"a@example.org"});
        auto u = final_update(1, 0, "a@example.org", 1795392000000);
        u.report = {0, "acme", "a@example.com", "", "", "s", 0, "", "", 0};
        log.apply({u});
    }
    sqlite3* db = nullptr; // as an older version left it: no buckets
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "DROP TRIGGER reports_bucket_add; DROP TRIGGER reports_bucket_remove; "
                           "DROP TABLE report_buckets",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
    DeliveryLog log(path);
    StatQuery s;
    s.account = "acme";
    ASSERT_EQ(log.stats(s).size(), 1u);
    EXPECT_EQ(log.stats(s)[0].delivered, 1);
}
