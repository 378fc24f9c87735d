#include "mailpush/common/random.hpp"
#include "mailpush/common/secret_box.hpp"
#include "mailpush/store/dns_records.hpp"
#include "mailpush/store/quota_meter.hpp"
#include "mailpush/verification/dns_answers.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

using namespace mailpush::store;
using mailpush::verification::judge_record;

namespace {
constexpr std::int64_t kDay = 86'400;
constexpr std::int64_t kNov23_10utc = 1795428000; // 2026-11-23 18:00 at +08:00
} // namespace

TEST(QuotaMeter, DailyMonthlyAndNotEnough) {
    QuotaMeter m(480);
    EXPECT_EQ(m.check("a", 3, 5, 0, kNov23_10utc), QuotaVerdict::ok);
    EXPECT_EQ(m.check("a", 3, 5, 4, kNov23_10utc), QuotaVerdict::not_enough);
    m.add("a", 3, kNov23_10utc);
    EXPECT_EQ(m.check("a", 3, 5, 0, kNov23_10utc), QuotaVerdict::daily_exceeded);
    EXPECT_EQ(m.check("b", 3, 5, 1, kNov23_10utc), QuotaVerdict::ok); // per account
    // Next local day: the daily count restarts, the monthly one does not.
    EXPECT_EQ(m.check("a", 3, 5, 2, kNov23_10utc + kDay), QuotaVerdict::ok);
    EXPECT_EQ(m.check("a", 3, 5, 3, kNov23_10utc + kDay), QuotaVerdict::not_enough);
    m.add("a", 2, kNov23_10utc + kDay);
    EXPECT_EQ(m.check("a", 3, 5, 0, kNov23_10utc + kDay), QuotaVerdict::monthly_exceeded);
    // December: a new month.
    EXPECT_EQ(m.check("a", 3, 5, 3, kNov23_10utc + 8 * kDay), QuotaVerdict::ok);
}

TEST(QuotaMeter, DaysFollowTheConfiguredOffset) {
    // 2026-11-23 17:00 UTC is already the 24th at +08:00.
    EXPECT_EQ(local_day(kNov23_10utc + 7 * 3600, 480), "2026-11-24");
    EXPECT_EQ(local_day(kNov23_10utc + 7 * 3600, 0), "2026-11-23");
    QuotaMeter m(480);
    m.add("a", 1, kNov23_10utc);
    m.add("a", 2, kNov23_10utc + 7 * 3600);
    const auto deltas = m.take_deltas();
    ASSERT_EQ(deltas.size(), 2u);
    EXPECT_EQ(deltas[0].day, "2026-11-23");
    EXPECT_EQ(deltas[1].day, "2026-11-24");
    EXPECT_TRUE(m.take_deltas().empty());
    EXPECT_EQ(m.usage("a", kNov23_10utc + 7 * 3600).month_used, 3);
}

TEST(QuotaMeter, ReserveTakesOnlyWhatFitsAndReleaseGivesItBack) {
    QuotaMeter m(480);
    EXPECT_EQ(m.reserve("a", 5, 100, 3, kNov23_10utc), QuotaVerdict::ok);
    EXPECT_EQ(m.reserve("a", 5, 100, 3, kNov23_10utc), QuotaVerdict::not_enough); // takes nothing
    EXPECT_EQ(m.usage("a", kNov23_10utc).day_used, 3);
    m.release("a", 2, kNov23_10utc); // two of the three were not sent
    EXPECT_EQ(m.usage("a", kNov23_10utc).day_used, 1);
    EXPECT_EQ(m.reserve("a", 5, 100, 4, kNov23_10utc), QuotaVerdict::ok);
    EXPECT_EQ(m.reserve("a", 5, 100, 1, kNov23_10utc), QuotaVerdict::daily_exceeded);
    // Only the net count reaches the store.
    const auto deltas = m.take_deltas();
    ASSERT_EQ(deltas.size(), 1u);
    EXPECT_EQ(deltas[0].count, 5);
    // Released after the day rolled over: the new day's count is untouched, the month's drops.
    m.release("a", 1, kNov23_10utc);
    EXPECT_EQ(m.reserve("a", 5, 100, 0, kNov23_10utc + kDay), QuotaVerdict::ok);
    const auto next = m.usage("a", kNov23_10utc + kDay);
    EXPECT_EQ(next.day_used, 0);
    EXPECT_EQ(next.month_used, 4);
}

TEST(QuotaMeter, HoldReleasesWhatWasNotKept) {
    QuotaMeter m(480);
    ASSERT_EQ(m.reserve("a", 10, 100, 4, kNov23_10utc), QuotaVerdict::ok);
    {
        QuotaHold hold(m, "a", 4, kNov23_10utc);
        hold.keep(3);
    }
    EXPECT_EQ(m.usage("a", kNov23_10utc).day_used, 3);
    ASSERT_EQ(m.reserve("a", 10, 100, 2, kNov23_10utc), QuotaVerdict::ok);
    { QuotaHold dropped(m, "a", 2, kNov23_10utc); } // e.g. an exception before the commit
    EXPECT_EQ(m.usage("a", kNov23_10utc).day_used, 3);
}

TEST(QuotaMeter, ConcurrentReservationsNeverPassTheQuota) {
    QuotaMeter m(480);
    std::atomic<int> granted{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 500; ++i)
                if (m.reserve("a", 1000, 100000, 3, kNov23_10utc) == QuotaVerdict::ok) ++granted;
        });
    for (auto& t : threads)
        t.join();
    EXPECT_EQ(granted.load(), 333);
    EXPECT_EQ(m.usage("a", kNov23_10utc).day_used, 999);
}

TEST(DnsRecords, RequiredRecordsAndJudgement) {
    auto records = required_records("mail.example.com", "tok", "mx.mailpush.test");
    ASSERT_EQ(records.size(), 4u);
    EXPECT_EQ(records[0].host, "aliyundm.mail.example.com");
    EXPECT_EQ(records[1].value, "v=spf1 include:spf.mx.mailpush.test -all");
    judge_record(records[0], mailpush::dns::Outcome::ok, {"other", " tok "});
    EXPECT_EQ(records[0].status, "ok");
    judge_record(records[1], mailpush::dns::Outcome::ok,
                 {"v=spf1 include:_spf.google.com include:spf.mx.mailpush.test ~all"});
    EXPECT_EQ(records[1].status, "ok");
    auto spf = records[1];
    judge_record(spf, mailpush::dns::Outcome::ok, {"v=spf1 include:spf.mx.mailpush.test.evil.com -all"});
    EXPECT_EQ(spf.status, "mismatch");
    judge_record(records[2], mailpush::dns::Outcome::ok, {"MX.mailpush.test."});
    EXPECT_EQ(records[2].status, "ok");
    judge_record(records[3], mailpush::dns::Outcome::nxdomain, {});
    EXPECT_EQ(records[3].status, "missing");
    EXPECT_TRUE(domain_verified(records));
    records[0].status = "error";
    EXPECT_FALSE(domain_verified(records));
}

TEST(SecretBox, SealsAndDetectsTampering) {
    const auto box = mailpush::common::SecretBox::from_key(std::string(32, 'k'));
    const auto sealed = box.seal("the secret");
    EXPECT_EQ(sealed.find("the secret"), std::string::npos);
    EXPECT_NE(box.seal("the secret"), sealed); // fresh nonce each time
    EXPECT_EQ(box.open(sealed), "the secret");
    auto tampered = sealed;
    tampered[tampered.size() - 3] = tampered[tampered.size() - 3] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(box.open(tampered));
    EXPECT_FALSE(mailpush::common::SecretBox::from_key(std::string(32, 'x')).open(sealed));
    EXPECT_FALSE(box.open("garbage"));
    const auto token = mailpush::common::random_token(40);
    EXPECT_EQ(token.size(), 40u);
    EXPECT_EQ(token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"),
              std::string::npos);
}
