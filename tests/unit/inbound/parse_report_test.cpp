// What parse_message makes of real-looking and broken reports.
#include "samples.hpp"

#include "mailpush/common/base64.hpp"
#include "mailpush/inbound/report.hpp"

#include <gtest/gtest.h>

namespace mailpush::inbound::test {
namespace {

TEST(ParseReport, PostfixBounce) {
    const auto p = parse_message(postfix_bounce("4711", "Someone@Remote.test", "abc.4711@mx.example.com"));
    ASSERT_EQ(p.kind, Kind::delivery_report) << p.problem;
    EXPECT_EQ(p.original_envelope_id, "4711");
    ASSERT_EQ(p.recipients.size(), 1u);
    const auto& r = p.recipients[0];
    EXPECT_EQ(r.final_recipient, "someone@remote.test");
    EXPECT_EQ(r.original_recipient, "someone@remote.test");
    EXPECT_EQ(r.action, "failed");
    EXPECT_EQ(r.status, "5.1.1");
    EXPECT_EQ(
        r.diagnostic_code,
        "550 5.1.1 <Someone@Remote.test>: Recipient address rejected: User unknown in local recipient table");
    EXPECT_EQ(p.original_message_id, "abc.4711@mx.example.com");
    EXPECT_EQ(p.original_to, "someone@remote.test");
}

TEST(ParseReport, ExchangeStyleBounceWithTheWholeMessage) {
    const auto p = parse_message(exchange_bounce("user@remote.test", "CAF=x@app.example.com"));
    ASSERT_EQ(p.kind, Kind::delivery_report) << p.problem;
    EXPECT_EQ(p.original_envelope_id, "");
    ASSERT_EQ(p.recipients.size(), 1u);
    EXPECT_EQ(p.recipients[0].recipient(), "user@remote.test");
    EXPECT_EQ(p.recipients[0].original_recipient, "");
    EXPECT_EQ(p.recipients[0].diagnostic_code, "552 5.2.2 mailbox full");
    EXPECT_EQ(p.original_message_id, "CAF=x@app.example.com");
    EXPECT_EQ(p.original_to, "user@remote.test");
}

TEST(ParseReport, Base64DeliveryStatusIsDecoded) {
    std::string msg = postfix_bounce("9", "a@remote.test", "m@x");
    const std::string fields = "Reporting-MTA: dns; mx\r\n\r\nFinal-Recipient: rfc822; b@remote.test\r\n"
                               "Action: delayed\r\nStatus: 4.4.1\r\n";
    const auto at = msg.find("Content-Type: message/delivery-status\r\n\r\n");
    const auto end = msg.find("--ABC123", at);
    msg.replace(at, end - at,
                "Content-Type: message/delivery-status\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
                    common::base64_encode(fields) + "\r\n\r\n");
    const auto p = parse_message(msg);
    ASSERT_EQ(p.kind, Kind::delivery_report) << p.problem;
    ASSERT_EQ(p.recipients.size(), 1u);
    EXPECT_EQ(p.recipients[0].recipient(), "b@remote.test");
    EXPECT_EQ(p.recipients[0].action, "delayed");
}

TEST(ParseReport, Rfc5965Complaint) {
    const auto p =
        parse_message(arf_complaint("Victim@Remote.test", "8787KJKJ3K4J3K4J3K4J3.mail@example.com"));
    ASSERT_EQ(p.kind, Kind::feedback_report) << p.problem;
    EXPECT_EQ(p.feedback_type, "abuse");
    EXPECT_EQ(p.original_mail_from, "<sender@example.com>");
    EXPECT_EQ(p.original_rcpt_to, "victim@remote.test");
    EXPECT_EQ(p.reported_domain, "example.com");
    EXPECT_EQ(p.arrival_date, "Thu, 8 Mar 2005 14:00:00 EDT");
    EXPECT_EQ(p.original_message_id, "8787KJKJ3K4J3K4J3K4J3.mail@example.com");
    EXPECT_EQ(p.original_to, "victim@remote.test");
}

TEST(ParseReport, PlainReplyIsHuman) {
    EXPECT_EQ(parse_message("From: a@remote.test\r\nSubject: Re: hi\r\n\r\nthanks\r\n").kind, Kind::human);
    EXPECT_EQ(parse_message("").kind, Kind::human);
    // Another report type (a read receipt) is not a bounce either.
    EXPECT_EQ(parse_message("Content-Type: multipart/report; report-type=disposition-notification; "
                            "boundary=b\r\n\r\n--b\r\n\r\nx\r\n--b--\r\n")
                  .kind,
              Kind::human);
}

TEST(ParseReport, ReportWithoutBoundaryIsNotAReport) {
    const auto p =
        parse_message("Content-Type: multipart/report; report-type=delivery-status\r\n\r\n"
                      "Final-Recipient: rfc822; a@remote.test\r\nAction: failed\r\nStatus: 5.1.1\r\n");
    EXPECT_EQ(p.kind, Kind::malformed_report);
    EXPECT_FALSE(p.problem.empty());
    EXPECT_TRUE(p.recipients.empty());
}

TEST(ParseReport, TruncatedReportIsNotAReport) {
    const std::string full = postfix_bounce("1", "a@remote.test", "m@x");
    const auto cut = full.find("Final-Recipient");
    const auto p = parse_message(full.substr(0, cut));
    EXPECT_EQ(p.kind, Kind::malformed_report);
    EXPECT_TRUE(p.recipients.empty());
}

TEST(ParseReport, RecipientBlocksWithoutActionOrStatusAreSkipped) {
    std::string msg = postfix_bounce("1", "a@remote.test", "m@x");
    const auto at = msg.find("Action: failed\r\n");
    msg.erase(at, std::string("Action: failed\r\n").size());
    EXPECT_EQ(parse_message(msg).kind, Kind::malformed_report);
}

TEST(ParseReport, HugeHeadersAndManyBlocksStayBounded) {
    std::string header = "X-Big: " + std::string(200000, 'a') + "\r\n";
    std::string msg = header + postfix_bounce("1", "a@remote.test", "m@x");
    EXPECT_EQ(parse_message(msg).kind, Kind::delivery_report);
    std::string blocks;
    for (int i = 0; i < 500; ++i)
        blocks += "Final-Recipient: rfc822; r" + std::to_string(i) +
                  "@remote.test\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n";
    std::string many = postfix_bounce("1", "a@remote.test", "m@x");
    const auto at = many.find("Final-Recipient");
    many.insert(at, blocks);
    const auto p = parse_message(many);
    ASSERT_EQ(p.kind, Kind::delivery_report);
    EXPECT_EQ(p.recipients.size(), kMaxDsnRecipients);
}

TEST(ParseReport, GarbageDoesNotCrash) {
    for (const std::string& s : {std::string("\0\0\0", 3), std::string("Content-Type: multipart/report;"),
                                 std::string("Content-Type: multipart/report; report-type=feedback-report; "
                                             "boundary=\"\"\r\n\r\n--\r\n--\r\n"),
                                 std::string(10000, '-')})
        (void)parse_message(s);
}

TEST(ReportFields, BlocksUnfoldAndLowerCaseNames) {
    const auto b = parse_field_blocks("A-Name: one\r\n two\r\nbogus line\r\n\r\n\r\nB: x\r\n", 10);
    ASSERT_EQ(b.size(), 2u);
    EXPECT_EQ(b[0][0].name, "a-name");
    EXPECT_EQ(b[0][0].value, "one two");
    EXPECT_EQ(b[1][0].value, "x");
    EXPECT_EQ(parse_field_blocks("A: 1\r\n\r\nB: 2\r\n\r\nC: 3\r\n", 2).size(), 2u);
}

TEST(ReportFields, Rfc822Addresses) {
    EXPECT_EQ(rfc822_address("rfc822; A@B.test"), "a@b.test");
    EXPECT_EQ(rfc822_address("RFC822;<a@b.test>"), "a@b.test");
    EXPECT_EQ(rfc822_address("x400; /C=US/"), "");
    EXPECT_EQ(rfc822_address("rfc822;"), "");
    EXPECT_EQ(rfc822_address("a@b.test"), "");
    EXPECT_EQ(rfc822_address("rfc822; a b@c"), "");
}

} // namespace
} // namespace mailpush::inbound::test
