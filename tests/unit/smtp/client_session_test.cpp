#include "mailpush/smtp/client_session.hpp"

#include <gtest/gtest.h>

namespace mailpush::smtp {
namespace {
OutboundMessage msg(std::vector<std::string> rcpts = {"a@x.test", "b@x.test"}) {
    return {"s@example.com", std::move(rcpts), "Subject: t\r\n\r\n.dot\r\nbody\r\n", false, false, ""};
}

class ClientTest : public ::testing::Test {
protected:
    ClientSession c{ClientOptions{"mx.me", false}};
    ClientStep step;
    ClientStep in(const std::string& s) { return step = c.on_input(s); }
    void
    greet(const std::string& ehlo = "250-x.test\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SIZE 1000\r\n") {
        EXPECT_EQ(in("220 x.test ESMTP\r\n").wire, "EHLO mx.me\r\n");
        in(ehlo);
        ASSERT_TRUE(step.ready);
    }
};
} // namespace

TEST_F(ClientTest, PipelinedTransactionWithOneRejectedRecipient) {
    greet();
    EXPECT_TRUE(c.pipelining());
    step = c.submit(msg());
    EXPECT_EQ(step.wire,
              "MAIL FROM:<s@example.com> SIZE=26\r\nRCPT TO:<a@x.test>\r\nRCPT TO:<b@x.test>\r\nDATA\r\n");
    in("250 ok\r\n250 ok\r\n550 5.1.1 no such user\r\n354 go\r\n");
    EXPECT_EQ(step.wire, "Subject: t\r\n\r\n..dot\r\nbody\r\n.\r\n");
    in("250 2.0.0 queued as X\r\n");
    ASSERT_TRUE(step.result);
    EXPECT_EQ(step.result->rcpt_replies[0].code, 250);
    EXPECT_EQ(step.result->rcpt_replies[1].line(), "550 5.1.1 no such user");
    EXPECT_EQ(step.result->final_reply.line(), "250 2.0.0 queued as X");
    EXPECT_TRUE(step.ready);
    EXPECT_EQ(step.wire, "");
}

TEST_F(ClientTest, LockStepWithoutPipelining) {
    greet("250 x.test\r\n");
    step = c.submit(msg());
    EXPECT_EQ(step.wire, "MAIL FROM:<s@example.com>\r\n");
    EXPECT_EQ(in("250 ok\r\n").wire, "RCPT TO:<a@x.test>\r\n");
    EXPECT_EQ(in("250 ok\r\n").wire, "RCPT TO:<b@x.test>\r\n");
    EXPECT_EQ(in("250 ok\r\n").wire, "DATA\r\n");
    EXPECT_EQ(in("354 go\r\n").wire, "Subject: t\r\n\r\n..dot\r\nbody\r\n.\r\n");
    in("250 ok\r\n");
    ASSERT_TRUE(step.result);
    EXPECT_EQ(step.result->final_reply.code, 250);
}

TEST_F(ClientTest, EhloRefusedFallsBackToHelo) {
    EXPECT_EQ(in("220 old\r\n").wire, "EHLO mx.me\r\n");
    EXPECT_EQ(in("502 what\r\n").wire, "HELO mx.me\r\n");
    in("250 hi\r\n");
    EXPECT_TRUE(step.ready);
    EXPECT_FALSE(c.pipelining());
}

TEST(ClientTls, OpportunisticStarttlsThenEhloAgain) {
    ClientSession c{ClientOptions{"mx.me", true}};
    c.on_input("220 x\r\n");
    auto s = c.on_input("250-x\r\n250-STARTTLS\r\n250 PIPELINING\r\n");
    EXPECT_EQ(s.wire, "STARTTLS\r\n");
    EXPECT_FALSE(s.ready);
    s = c.on_input("220 go ahead\r\n");
    EXPECT_TRUE(s.start_tls);
    s = c.on_tls_established();
    EXPECT_EQ(s.wire, "EHLO mx.me\r\n");
    s = c.on_input("250-x\r\n250 PIPELINING\r\n");
    EXPECT_TRUE(s.ready);
    EXPECT_TRUE(c.tls_active());
}

TEST(ClientTls, RefusedStarttlsContinuesInPlainText) {
    ClientSession c{ClientOptions{"mx.me", true}};
    c.on_input("220 x\r\n");
    c.on_input("250-x\r\n250 STARTTLS\r\n");
    auto s = c.on_input("454 4.7.0 TLS not available\r\n");
    EXPECT_TRUE(s.ready);
    EXPECT_FALSE(c.tls_active());
}

TEST_F(ClientTest, GreetingRefusalEndsSession) {
    in("554 go away\r\n");
    ASSERT_TRUE(step.closed);
    EXPECT_EQ(step.closed->code, 554);
    EXPECT_TRUE(c.closed());
}

TEST_F(ClientTest, MailRefusedThenRset) {
    greet("250 x\r\n");
    c.submit(msg());
    in("451 4.3.0 try later\r\n");
    ASSERT_TRUE(step.result);
    EXPECT_EQ(step.result->final_reply.code, 451);
    EXPECT_EQ(step.result->rcpt_replies.size(), 2u);
    EXPECT_EQ(step.result->rcpt_replies[1].code, 451);
    EXPECT_EQ(step.wire, "RSET\r\n");
    EXPECT_FALSE(step.ready);
    in("250 ok\r\n");
    EXPECT_TRUE(step.ready);
}

TEST_F(ClientTest, PipelinedMailRefused) {
    greet();
    c.submit(msg());
    in("550 5.7.1 sender refused\r\n503 need MAIL\r\n503 need MAIL\r\n503 need RCPT\r\n");
    ASSERT_TRUE(step.result);
    EXPECT_EQ(step.result->final_reply.line(), "550 5.7.1 sender refused");
    EXPECT_EQ(step.result->rcpt_replies[0].line(), "550 5.7.1 sender refused");
    EXPECT_EQ(step.wire, "RSET\r\n");
}

TEST_F(ClientTest, PipelinedAllRecipientsRefusedAndDataRefused) {
    greet();
    c.submit(msg());
    in("250 ok\r\n550 no\r\n551 no\r\n554 5.5.1 no valid recipients\r\n");
    ASSERT_TRUE(step.result);
    EXPECT_EQ(step.result->final_reply.code, 551);
    EXPECT_EQ(step.wire, "RSET\r\n");
}

TEST_F(ClientTest, PipelinedAllRecipientsRefusedButDataAcceptedSendsEmptyMessageAndFails) {
    greet();
    c.submit(msg());
    in("250 ok\r\n550 no\r\n550 no\r\n354 go\r\n");
    EXPECT_EQ(step.wire, ".\r\n");
    in("250 ok\r\n");
    ASSERT_TRUE(step.result);
    EXPECT_EQ(step.result->final_reply.code, 550); // not delivered, whatever the server said to "."
    EXPECT_EQ(step.wire, "RSET\r\n");
}

TEST_F(ClientTest, ServerClosingMidTransaction) {
    greet();
    c.submit(msg());
    in("250 ok\r\n421 4.3.2 shutting down\r\n");
    ASSERT_TRUE(step.result);
    EXPECT_EQ(step.result->final_reply.code, 421);
    ASSERT_TRUE(step.closed);
    EXPECT_TRUE(c.closed());
}

TEST_F(ClientTest, MalformedReplyIsATemporaryProtocolError) {
    greet();
    c.submit(msg());
    in("hello there\r\n");
    ASSERT_TRUE(step.closed);
    EXPECT_EQ(step.closed->code, 421);
    ASSERT_TRUE(step.result);
    EXPECT_EQ(step.result->final_reply.code, 421);
}

TEST_F(ClientTest, Smtputf8RefusedLocallyWhenNotOffered) {
    greet();
    auto m = msg();
    m.smtputf8 = true;
    step = c.submit(m);
    EXPECT_EQ(step.wire, "");
    ASSERT_TRUE(step.result);
    EXPECT_EQ(step.result->final_reply.code, 553);
    EXPECT_TRUE(step.ready);
}

TEST_F(ClientTest, EightBitBodyAnnouncedWhenOffered) {
    greet();
    auto m = msg({"a@x.test"});
    m.eight_bit = true;
    EXPECT_TRUE(c.submit(m).wire.starts_with("MAIL FROM:<s@example.com> SIZE=26 BODY=8BITMIME\r\n"));
}

TEST_F(ClientTest, SeveralMessagesPerConnectionAndQuit) {
    greet();
    for (int i = 0; i < 3; ++i) {
        c.submit(msg({"a@x.test"}));
        in("250 ok\r\n250 ok\r\n354 go\r\n");
        in("250 ok\r\n");
        ASSERT_TRUE(step.result) << i;
        EXPECT_TRUE(step.ready);
    }
    EXPECT_EQ(c.quit().wire, "QUIT\r\n");
    in("221 bye\r\n");
    ASSERT_TRUE(step.closed);
    EXPECT_EQ(step.closed->code, 221);
}

// A borrowed message (the delivery engine's, no copy of its body) goes out as an owned one.
TEST_F(ClientTest, ABorrowedMessageIsSentTheSame) {
    greet();
    const auto m = msg({"a@x.test"});
    step = c.submit_borrowed(m);
    EXPECT_TRUE(step.wire.starts_with("MAIL FROM:<s@example.com> SIZE=26"));
    in("250 ok\r\n250 ok\r\n354 go\r\n");
    EXPECT_EQ(step.wire, dot_stuff(m.body));
    in("250 ok\r\n");
    ASSERT_TRUE(step.result);
    EXPECT_EQ(step.result->final_reply.code, 250);
}

TEST_F(ClientTest, ReplyTimeoutsFollowRfc5321) {
    using std::chrono::seconds;
    EXPECT_EQ(c.reply_timeout(), seconds(300)); // greeting
    greet("250 x\r\n");
    c.submit(msg({"a@x.test"}));
    EXPECT_EQ(c.reply_timeout(), seconds(300)); // MAIL
    in("250 ok\r\n");
    EXPECT_EQ(c.reply_timeout(), seconds(300)); // RCPT
    in("250 ok\r\n");
    EXPECT_EQ(c.reply_timeout(), seconds(120)); // DATA initiation
    in("354 go\r\n");
    EXPECT_EQ(c.reply_timeout(), seconds(600)); // final dot
}

TEST(ReplyParser, MultiLineSplitAnywhere) {
    const std::string wire = "250-first\r\n250-second\r\n250 last\r\n";
    for (std::size_t cut = 0; cut <= wire.size(); ++cut) {
        ReplyParser p;
        std::string_view a = std::string_view(wire).substr(0, cut), b = std::string_view(wire).substr(cut);
        a.remove_prefix(p.consume(a));
        auto r = p.take();
        if (!r) {
            b.remove_prefix(p.consume(b));
            r = p.take();
        }
        ASSERT_TRUE(r) << cut;
        EXPECT_EQ(r->code, 250);
        EXPECT_EQ(r->text, "first second last");
        EXPECT_EQ(r->lines.size(), 3u);
    }
}

TEST(ReplyParser, InconsistentCodesAndOverlongLinesAreMalformed) {
    ReplyParser p;
    p.consume("250-a\r\n251 b\r\n");
    EXPECT_EQ(p.take()->code, 421);
    ReplyParser q;
    q.consume("250 " + std::string(5000, 'x') + "\r\n");
    EXPECT_EQ(q.take()->code, 421);
    ReplyParser bare;
    bare.consume("250\r\n");
    EXPECT_EQ(bare.take()->code, 250);
}

TEST(DotStuff, StuffsAndTerminates) {
    EXPECT_EQ(dot_stuff(".a\r\nb\r\n..c\r\n"), "..a\r\nb\r\n...c\r\n.\r\n");
    EXPECT_EQ(dot_stuff("no final newline"), "no final newline\r\n.\r\n");
    EXPECT_EQ(dot_stuff(""), ".\r\n");
    EXPECT_EQ(dot_stuff("a\n.b\r\n.\r\n"), "a\n..b\r\n..\r\n.\r\n"); // a line start after a bare LF too
    std::string wire = "DATA\r\n";
    dot_stuff_into(".x\r\n", wire); // appended to what the wire holds
    EXPECT_EQ(wire, "DATA\r\n..x\r\n.\r\n");
}

TEST_F(ClientTest, RemoteEnhancedCodesAreTypedValues) {
    greet();
    step = c.submit(msg({"a@x.test"}));
    in("250 ok\r\n550 5.1.1 no such user\r\n554 5.5.1 no valid recipients\r\n");
    ASSERT_TRUE(step.result);
    EXPECT_EQ(step.result->rcpt_replies[0].enhanced(), (EnhancedStatus{5, 1, 1}));
    EXPECT_FALSE((ServerReply{250, "ok", {"ok"}}.enhanced()));
    // Our own stand-in replies carry a typed code too.
    EXPECT_EQ(c.submit(msg()).result->final_reply.enhanced(), (EnhancedStatus{4, 4, 0}));
}

} // namespace mailpush::smtp

namespace mailpush::smtp {
TEST_F(ClientTest, EnvidAndOrcptOnlyWhenTheReceiverOffersDsn) {
    greet("250-x.test\r\n250-PIPELINING\r\n250 DSN\r\n");
    auto m = msg({"a+b@x.test"});
    m.envid = "4711";
    step = c.submit(m);
    EXPECT_EQ(step.wire,
              "MAIL FROM:<s@example.com> ENVID=4711\r\nRCPT TO:<a+b@x.test> ORCPT=rfc822;a+2Bb@x.test\r\n"
              "DATA\r\n");
}

TEST_F(ClientTest, NoDsnParametersWithoutDsn) {
    greet();
    auto m = msg({"a@x.test"});
    m.envid = "4711";
    step = c.submit(m);
    EXPECT_EQ(step.wire, "MAIL FROM:<s@example.com> SIZE=26\r\nRCPT TO:<a@x.test>\r\nDATA\r\n");
}
} // namespace mailpush::smtp
