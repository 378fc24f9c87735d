// The correlation decision: which reports have an effect, and which effect.
#include "samples.hpp"

#include "mailpush/inbound/decision.hpp"

#include <gtest/gtest.h>

namespace mailpush::inbound::test {
namespace {

constexpr std::int64_t kNow = 1'800'000'000'000; // 2027-01-15 08:00:00 UTC

const std::string kEvent =
    "env_id=4711&msg_id=abc.4711@mx.example.com&account=sender@example.com&from=sender@"
    "example.com&rcpt=someone@remote.test&recv_time=2027-01-15 15:00:00&end_time=2027-01-15 "
    "15:00:01&status=0&event=deliver&region=cn-hangzhou&err_code=250&err_msg=250 Send Mail "
    "OK&failed_type=SendOk";

delivery::SentRecipient sent(std::string account = "acct",
                             delivery::RcptState state = delivery::RcptState::delivered) {
    delivery::SentRecipient s;
    s.record = {4711, 0, "someone@remote.test", state, 1, 0, "250 2.0.0 Ok", "SendOk", 0};
    s.report.envid = 4711;
    s.report.account = std::move(account);
    s.report.mail_from = "sender@example.com";
    s.report.rcpt = "someone@remote.test";
    s.report.tag = "t";
    s.event = kEvent;
    return s;
}

InboundFacts facts_for(const ParsedMessage& m) {
    return InboundFacts{m, "sender@example.com", "acct", "", false, {}, false, kNow, 480};
}

TEST(InboundLookup, EnvidFromTheEnvelopeIdAndMessageIdOnlyForTheIndex) {
    auto p = parse_message(postfix_bounce("4711", "someone@remote.test", "whatever@app.test"));
    EXPECT_EQ(lookup_keys(p).envid, 4711u);
    EXPECT_EQ(lookup_keys(p).message_id, "whatever@app.test");
    // One of our own Message-IDs names its envid, but a guessed one would too: only the index,
    // which compares the whole value (random part included), finds the message.
    p = parse_message(exchange_bounce("someone@remote.test", "0123456789abcdef.4712@mx.example.com"));
    EXPECT_FALSE(lookup_keys(p).envid);
    EXPECT_EQ(lookup_keys(p).message_id, "0123456789abcdef.4712@mx.example.com");
    p = parse_message(postfix_bounce("not-a-number", "someone@remote.test", "x.99@elsewhere"));
    EXPECT_FALSE(lookup_keys(p).envid);
}

TEST(InboundDecision, FailedDsnOnDeliveredMailIsAHardBounce) {
    const auto p = parse_message(postfix_bounce("4711", "someone@remote.test", "abc.4711@mx.example.com"));
    auto f = facts_for(p);
    f.originals = {sent()};
    const auto d = decide(f);
    EXPECT_EQ(d.result, "bounce");
    EXPECT_EQ(d.reply.code, 250);
    ASSERT_EQ(d.updates.size(), 1u);
    const auto& u = d.updates[0];
    EXPECT_EQ(u.record.state, delivery::RcptState::failed);
    EXPECT_EQ(u.record.status, 2);
    EXPECT_EQ(u.record.failed_type, "SmtpNxBox");
    EXPECT_EQ(u.attempt.host, kReportHost);
    EXPECT_EQ(u.attempt.ended_ms, kNow);
    EXPECT_EQ(u.report.account, "acct");
    EXPECT_EQ(u.report.tag, "t");
    EXPECT_NE(u.event.find("&status=2&event=deliver&"), std::string::npos) << u.event;
    EXPECT_NE(
        u.event.find("&err_code=550&err_msg=550 5.1.1 <someone@remote.test>: Recipient address rejected"),
        std::string::npos)
        << u.event;
    EXPECT_NE(u.event.find("&failed_type=SmtpNxBox"), std::string::npos);
    EXPECT_NE(u.event.find("&end_time=2027-01-15 16:00:00&"), std::string::npos) << u.event; // +08:00
    EXPECT_NE(u.event.find("&recv_time=2027-01-15 15:00:00&"), std::string::npos);           // kept
    EXPECT_EQ(d.hard_bounces, std::vector<std::string>{"someone@remote.test"});
}

TEST(InboundDecision, MailboxFullIsAFailureButNotAHardBounce) {
    const auto p = parse_message(exchange_bounce("someone@remote.test", "m@x"));
    auto f = facts_for(p);
    f.originals = {sent()};
    const auto d = decide(f);
    ASSERT_EQ(d.updates.size(), 1u);
    EXPECT_EQ(d.updates[0].record.status, 4);
    EXPECT_EQ(d.updates[0].record.failed_type, "SmtpRcptFreq");
    EXPECT_TRUE(d.hard_bounces.empty());
}

TEST(InboundDecision, ReportOnAnotherAccountsMailOrOnNothingIsRefused) {
    const auto p = parse_message(postfix_bounce("4711", "someone@remote.test", "abc.4711@mx.example.com"));
    auto f = facts_for(p);
    f.originals = {sent("other-account")};
    auto d = decide(f);
    EXPECT_EQ(d.result, "unmatched");
    EXPECT_EQ(d.reply.code, 550);
    EXPECT_TRUE(d.updates.empty());
    EXPECT_TRUE(d.hard_bounces.empty());
    f.originals = {std::nullopt};
    d = decide(f);
    EXPECT_EQ(d.result, "unmatched");
    EXPECT_TRUE(d.updates.empty());
}

TEST(InboundDecision, SecondReportAndNonFailedActionsHaveNoEffect) {
    const auto p = parse_message(postfix_bounce("4711", "someone@remote.test", "abc.4711@mx.example.com"));
    auto f = facts_for(p);
    f.originals = {sent("acct", delivery::RcptState::failed)};
    auto d = decide(f);
    EXPECT_EQ(d.result, "no_effect");
    EXPECT_EQ(d.reply.code, 250);
    EXPECT_TRUE(d.updates.empty());
    auto delayed = p;
    delayed.recipients[0].action = "delayed";
    InboundFacts g = facts_for(delayed);
    g.originals = {sent()};
    d = decide(g);
    EXPECT_EQ(d.result, "no_effect");
    EXPECT_TRUE(d.updates.empty());
}

TEST(InboundDecision, ComplaintOnOurMailSuppressesAndRecordsSpam) {
    const auto p = parse_message(arf_complaint("someone@remote.test", "abc.4711@mx.example.com"));
    auto f = facts_for(p);
    f.originals = {sent()};
    const auto d = decide(f);
    EXPECT_EQ(d.result, "complaint");
    EXPECT_EQ(d.reply.code, 250);
    EXPECT_EQ(d.suppress, "someone@remote.test");
    ASSERT_EQ(d.updates.size(), 1u);
    EXPECT_EQ(d.updates[0].record.state, delivery::RcptState::delivered); // it was delivered
    EXPECT_EQ(d.updates[0].record.status, 3);
    EXPECT_EQ(d.updates[0].record.failed_type, "SmtpContSpam");
    EXPECT_NE(d.updates[0].event.find("&status=3&"), std::string::npos);
    EXPECT_TRUE(d.hard_bounces.empty());
}

TEST(InboundDecision, ComplaintWithoutTheMessageNeedsMailToThatRecipient) {
    const auto p = parse_message(arf_complaint("someone@remote.test", "unknown@elsewhere"));
    auto f = facts_for(p);
    f.originals = {std::nullopt};
    auto d = decide(f);
    EXPECT_EQ(d.result, "unmatched");
    EXPECT_EQ(d.reply.code, 550);
    EXPECT_TRUE(d.suppress.empty());
    f.reported_had_mail = true;
    d = decide(f);
    EXPECT_EQ(d.result, "complaint");
    EXPECT_EQ(d.suppress, "someone@remote.test");
    EXPECT_TRUE(d.updates.empty());
}

TEST(InboundDecision, HumanReplyForwardedOnlyToAVerifiedReplyTo) {
    const auto p = parse_message("From: someone@remote.test\r\nSubject: Re: hi\r\n\r\nthanks\r\n");
    auto f = facts_for(p);
    auto d = decide(f);
    EXPECT_EQ(d.result, "refused");
    EXPECT_EQ(d.reply.code, 550);
    EXPECT_EQ(d.reply.text, "<sender@example.com> does not accept replies");
    f.reply_to = "owner@mailbox.test";
    d = decide(f);
    EXPECT_EQ(d.result, "forward");
    EXPECT_EQ(d.forward_to, "owner@mailbox.test");
    f.already_forwarded = true; // a loop through our own forward
    EXPECT_EQ(decide(f).result, "refused");
}

TEST(InboundDecision, MalformedReportIsRefused) {
    const auto p = parse_message("Content-Type: multipart/report; report-type=delivery-status\r\n\r\nx\r\n");
    const auto d = decide(facts_for(p));
    EXPECT_EQ(d.result, "malformed");
    EXPECT_EQ(d.reply.code, 550);
}

TEST(InboundEvent, RewriteKeepsOtherKeysAndEncodesTheMessage) {
    const auto e = rewrite_event(kEvent, 4, 552, "552 a&b", "SmtpRcptFreq", "2027-01-01 00:00:00");
    EXPECT_EQ(e.substr(0, 60), kEvent.substr(0, 60));
    EXPECT_NE(e.find("&err_msg=552 a%26b&"), std::string::npos) << e;
    EXPECT_NE(e.find("&region=cn-hangzhou&"), std::string::npos);
    EXPECT_NE(e.find("&end_time=2027-01-01 00:00:00&status=4&"), std::string::npos) << e;
}

} // namespace
} // namespace mailpush::inbound::test
