#include "temp_dir.hpp"

#include "mailpush/delivery/delivery_log.hpp"

#include <gtest/gtest.h>

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
} // namespace

TEST(DeliveryLog, PruneForgetsOnlyFinishedMessagesPastTheCutoff) {
    const mailpush::test_support::TempDir temp{"mailpush-delivery-log-prune"};
    const auto& dir = temp.path();
    {
        DeliveryLog log((dir / "d.db").string());
        log.ensure_recipients(1, {"old@example.org"});
        log.ensure_recipients(2, {"new@example.org"});
        log.ensure_recipients(3, {"done@example.org", "waiting@example.org"});
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
