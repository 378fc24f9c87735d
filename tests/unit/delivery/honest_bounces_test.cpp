// Honest bounces: what counts as a bad address (the invalid-address library) and what does not
// (expiry, policy refusals, rate limits, a temporary "user unknown"), with an injected clock.
#include "packed.hpp"

#include "mailpush/delivery/classifier.hpp"
#include "mailpush/delivery/outcome.hpp"

#include <gtest/gtest.h>

using namespace mailpush::delivery;
using mailpush::smtp::ServerReply;
using std::chrono::milliseconds;

namespace {
constexpr std::int64_t kMinute = 60'000;
constexpr std::int64_t kHour = 60 * kMinute;

struct Facts {
    MessageInfo message{9, 0,
                        mailpush::testing::packed("from@mail.test", {"to@example.com"}, "user@mail.test")};
    QueuedRecipient recipient{0, RcptState::queued, 0, 0, false};
    std::string host = "mx.example.com[192.0.2.1]:25", msg_id = "id@mail.test", tag, subject = "Hi",
                account = "acct";
    // A one-hour lifetime: retries at 1, 3, 7, 15, 31 minutes, then nothing fits.
    OutcomeRules rules{RetryPolicy{milliseconds(kMinute), milliseconds(kHour), milliseconds(kHour)},
                       "cn-hangzhou", 480};

    Outcome run(int code, std::string text, std::int64_t now) {
        const ServerReply reply{code, std::move(text), {}};
        return decide_outcome({message, recipient, reply, now - 10, now, host, msg_id, tag, subject, account},
                              rules);
    }
    // Feeds the same reply at every scheduled attempt until the recipient is final; bounded.
    Outcome until_final(int code, const std::string& text) {
        std::int64_t now = 0;
        for (int i = 0; i < 100; ++i) {
            auto o = run(code, text, now);
            if (o.update.record.state != RcptState::deferred) return o;
            recipient.attempts = o.update.record.attempts;
            now = o.update.record.next_attempt_ms;
        }
        ADD_FAILURE() << "never final";
        return run(code, text, now);
    }
};

std::string field(const std::string& event, const std::string& name) {
    const auto at = event.find("&" + name + "=");
    if (at == std::string::npos) return "<none>";
    const auto start = at + name.size() + 2;
    return event.substr(start, event.find('&', start) - start);
}
} // namespace

TEST(HonestBounces, TemporaryUserUnknownExpiresAsTempErrNeverAHardBounce) {
    Facts f;
    const auto o = f.until_final(450, "4.1.1 <to@example.com>: Recipient address rejected: User unknown");
    EXPECT_EQ(o.update.record.state, RcptState::expired);
    EXPECT_EQ(o.update.record.attempts, 6);
    EXPECT_EQ(o.update.record.status, 4);
    EXPECT_EQ(o.update.record.failed_type, "SmtpTempErr");
    EXPECT_FALSE(o.hard_bounce);
    EXPECT_EQ(o.update.record.last_reply,
              "450 4.4.7 Delivery time expired after 6 attempts; last reply: 450 4.1.1 "
              "<to@example.com>: Recipient address rejected: User unknown");
    // The event: status 4, SmtpTempErr, the last code, the expiry text.
    EXPECT_EQ(field(o.update.event, "status"), "4");
    EXPECT_EQ(field(o.update.event, "failed_type"), "SmtpTempErr");
    EXPECT_EQ(field(o.update.event, "err_code"), "450");
    EXPECT_EQ(field(o.update.event, "err_msg").rfind("450 4.4.7 Delivery time expired", 0), 0u);
    // The attempt itself is recorded with the reply as received.
    EXPECT_EQ(o.update.attempt.reply, "450 4.1.1 <to@example.com>: Recipient address rejected: User unknown");
}

TEST(HonestBounces, ExpiryIsDecidedByTheInjectedClock) {
    Facts f;
    f.recipient.attempts = 5;
    // Attempt 6 at 31 min: the next would be at 63 min, past the hour.
    EXPECT_EQ(f.run(421, "4.4.2 timeout", 31 * kMinute).update.record.state, RcptState::expired);
    // With a longer lifetime the same reply is deferred.
    f.rules.policy.lifetime = milliseconds(2 * kHour);
    EXPECT_EQ(f.run(421, "4.4.2 timeout", 31 * kMinute).update.record.state, RcptState::deferred);
}

TEST(HonestBounces, ExpiredSpamKeepsStatus3) {
    Facts f;
    const auto o = f.until_final(451, "DT:SPM mx.example.com");
    EXPECT_EQ(o.update.record.state, RcptState::expired);
    EXPECT_EQ(o.update.record.status, 3);
    EXPECT_EQ(o.update.record.failed_type, "SmtpContSpam");
    EXPECT_FALSE(o.hard_bounce);
}

TEST(HonestBounces, ExpiredFrequencyLimitKeepsItsType) {
    Facts f;
    const auto o = f.until_final(550, "frequency limited");
    EXPECT_EQ(o.update.record.state, RcptState::expired);
    EXPECT_EQ(o.update.record.failed_type, "SmtpMfFreq");
    EXPECT_EQ(o.update.record.status, 4);
    EXPECT_FALSE(o.hard_bounce);
    // The enhanced code's class follows the 5xx reply code.
    EXPECT_EQ(o.update.record.last_reply,
              "550 5.4.7 Delivery time expired after 4 attempts; last reply: 550 frequency limited");
}

TEST(HonestBounces, PermanentUnknownMailboxIsTheOnlyHardBounce) {
    Facts f;
    const auto o = f.run(550, "5.1.1 <to@example.com>: User unknown", 0);
    EXPECT_EQ(o.update.record.state, RcptState::failed);
    EXPECT_EQ(o.update.record.status, 2);
    EXPECT_TRUE(o.hard_bounce);
    EXPECT_EQ(o.update.record.last_reply, "550 5.1.1 <to@example.com>: User unknown");
}

// Policy refusals judge the sender, the IP or the message, never the address.
struct PolicyCase {
    int code;
    const char* text;
    const char* failed_type;
};
const PolicyCase kPolicyRefusals[] = {
    {550, "5.7.1 Message rejected due to local policy", "SmtpZPermErr"},
    {550, "5.7.1 Recipient address rejected: Access denied, invalid recipient policy", "SmtpZPermErr"},
    {554, "5.7.1 <to@example.com>: Relay access denied", "SmtpZPermErr"},
    {550, "5.7.1 Service unavailable; client [192.0.2.1] blocked using zen.example.org", "SmtpZPermErr"},
    {550, "5.7.1 Message rejected as spam", "SmtpContSpam"},
    {550, "5.7.26 Unauthenticated email from mail.test is not accepted due to domain's DMARC policy",
     "SmtpAuthFail"},
    {550, "5.7.23 SPF validation failed", "SmtpAuthFail"},
    {550, "5.7.25 The IP address sending this message does not have a PTR record", "SmtpAuthFail"},
    {421, "4.7.28 Our system has detected an unusual rate of mail: rate limited", "SmtpMfFreq"},
    {451, "4.7.650 The mail server [192.0.2.1] has been temporarily rate limited", "SmtpMfFreq"},
    {451, "4.7.1 user unknown here until your IP warms up", "SmtpTempErr"},
    {550, "frequency limited", "SmtpMfFreq"},
    {421, "4.7.0 Too many connections, rate limit", "SmtpMfFreq"},
};

TEST(HonestBounces, PolicyRefusalsAreNeverBadAddresses) {
    for (const auto& c : kPolicyRefusals) {
        const auto cls = classify(c.code, c.text);
        EXPECT_EQ(cls.failed_type, c.failed_type) << c.code << " " << c.text << " (" << cls.rule << ")";
        EXPECT_NE(cls.status, Status::invalid_address) << c.text;
        Facts f;
        const auto o = f.until_final(c.code, c.text);
        EXPECT_FALSE(o.hard_bounce) << c.text;
        EXPECT_NE(o.update.record.status, 2) << c.text;
    }
}

// Enhanced codes are parsed values: "5.1.10" is not "5.1.1", digits inside an IP are no code,
// and a code matches whatever number of digits it is written with.
TEST(HonestBounces, EnhancedCodesAreComparedAsParsedValues) {
    EXPECT_EQ(classify(550, "5.1.1 bad mailbox").failed_type, "SmtpNxBox");
    EXPECT_EQ(classify(550, "5.1.01 bad mailbox").failed_type, "SmtpNxBox"); // same code, zero-padded
    EXPECT_EQ(classify(556, "5.1.10 Recipient address has null MX").failed_type, "SmtpZPermErr");
    EXPECT_EQ(classify(550, "5.1.1: bad").failed_type, "SmtpZPermErr"); // not a code token
    EXPECT_EQ(classify(550, "rejected from 5.1.1.9").failed_type, "SmtpZPermErr");
    EXPECT_EQ(classify(452, "4.2.2 mailbox over quota").failed_type, "SmtpRcptFreq");
    EXPECT_EQ(classify(552, "5.2.2").failed_type, "SmtpRcptFreq");
    EXPECT_EQ(classify(550, "5.2.20 whatever").failed_type, "SmtpZPermErr");
    EXPECT_EQ(classify(550, "5.7.1").rule, "policy-5xx");
    EXPECT_EQ(classify(450, "4.7.1").rule, "policy-4xx");
    // A class-4 code on a 5xx reply is still the reply's class that decides the retry.
    EXPECT_EQ(classify(550, "4.1.1 odd").failed_type, "SmtpZPermErr");
}
