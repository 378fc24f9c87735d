#include "packed.hpp"

#include "mailpush/delivery/outcome.hpp"

#include <gtest/gtest.h>

using namespace mailpush::delivery;
using mailpush::smtp::ServerReply;
using std::chrono::milliseconds;

namespace {
constexpr std::int64_t kMinute = 60'000;
constexpr std::int64_t kDay = 86'400'000;

struct Case {
    MessageInfo message{
        7, 0, mailpush::testing::packed("from@mail.test", {"", "", "", "to@example.com"}, "user@mail.test")};
    QueuedRecipient recipient{3, RcptState::queued, 0, 0, false};
    std::string host = "mx.example.com[192.0.2.1]:25", msg_id = "id@mail.test", tag = "t1", subject = "Hi",
                account = "acct";
    OutcomeRules rules{RetryPolicy{milliseconds(kMinute), milliseconds(60 * kMinute), milliseconds(3 * kDay)},
                       "cn-hangzhou", 480};

    Outcome run(int code, std::string text, std::int64_t now) {
        const ServerReply reply{code, std::move(text), {}};
        return decide_outcome(
            {message, recipient, reply, now - 100, now, host, msg_id, tag, subject, account}, rules);
    }
};
} // namespace

TEST(Outcome, DeliveredIsFinalWithEventAndReport) {
    Case c;
    const auto o = c.run(250, "2.0.0 Ok", 5 * kMinute);
    const auto& rec = o.update.record;
    EXPECT_EQ(rec.state, RcptState::delivered);
    EXPECT_EQ(rec.envid, 7u);
    EXPECT_EQ(rec.idx, 3);
    EXPECT_EQ(rec.attempts, 1);
    EXPECT_EQ(rec.last_reply, "250 2.0.0 Ok");
    EXPECT_EQ(rec.failed_type, "SendOk");
    EXPECT_EQ(rec.status, 0);
    EXPECT_EQ(o.update.attempt.started_ms, 5 * kMinute - 100);
    EXPECT_EQ(o.update.attempt.host, c.host);
    EXPECT_FALSE(o.update.event.empty());
    EXPECT_NE(o.update.event.find("to@example.com"), std::string::npos);
    EXPECT_EQ(o.update.report.account, "acct");
    EXPECT_EQ(o.update.report.mail_from, "user@mail.test"); // the AUTH identity
    EXPECT_EQ(o.update.report.tag, "t1");
    EXPECT_FALSE(o.hard_bounce);
}

TEST(Outcome, TemporaryFailureIsDeferredByThePolicy) {
    Case c;
    auto o = c.run(451, "4.3.0 try later", kMinute);
    EXPECT_EQ(o.update.record.state, RcptState::deferred);
    EXPECT_EQ(o.update.record.next_attempt_ms, 2 * kMinute);
    EXPECT_EQ(o.update.record.status, 0);
    EXPECT_TRUE(o.update.event.empty());

    c.recipient.attempts = 2; // the third failure waits 4 initial delays
    o = c.run(451, "4.3.0 try later", 10 * kMinute);
    EXPECT_EQ(o.update.record.attempts, 3);
    EXPECT_EQ(o.update.record.next_attempt_ms, 14 * kMinute);
}

TEST(Outcome, ExpiresAtMaxLifetime) {
    Case c;
    // The next attempt would start exactly at the end of the lifetime: no further attempt.
    auto o = c.run(451, "4.3.0 try later", 3 * kDay - kMinute);
    EXPECT_EQ(o.update.record.state, RcptState::expired);
    EXPECT_EQ(o.update.record.failed_type, "SmtpTempErr");
    EXPECT_EQ(o.update.record.status, 4);
    EXPECT_FALSE(o.update.event.empty());
    // One millisecond earlier it still fits.
    o = c.run(451, "4.3.0 try later", 3 * kDay - kMinute - 1);
    EXPECT_EQ(o.update.record.state, RcptState::deferred);
}

TEST(Outcome, UnknownMailboxIsAHardBounce) {
    Case c;
    const auto o = c.run(550, "5.1.1 user unknown", kMinute);
    EXPECT_EQ(o.update.record.state, RcptState::failed);
    EXPECT_EQ(o.update.record.status, 2);
    EXPECT_TRUE(o.hard_bounce);
    EXPECT_FALSE(o.update.event.empty());
}

TEST(Outcome, FrequencyLimitsRetrySlower) {
    Case c;
    const auto o = c.run(552, "5.2.2 mailbox full", kMinute);
    EXPECT_EQ(o.classification.failed_type, "SmtpRcptFreq");
    EXPECT_EQ(o.update.record.state, RcptState::deferred);
    EXPECT_EQ(o.update.record.next_attempt_ms, kMinute + 4 * kMinute);
}

TEST(Outcome, ReportSenderFallsBackToMailFrom) {
    Case c;
    c.message.envelope = mailpush::testing::packed("from@mail.test", {"", "", "", "to@example.com"});
    EXPECT_EQ(c.run(250, "ok", 0).update.report.mail_from, "from@mail.test");
}
