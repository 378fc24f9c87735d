// Transcripts of unauthenticated (inbound) mail: accepted for local recipients on an inbound
// listener only, one recipient per message, no relaying, handed to the inbound handler.
#include "session_fixture.hpp"

namespace mailpush::smtp::test {
namespace {

class InboundSessionTest : public SessionTest {
protected:
    void SetUp() override {
        limits.inbound = true;
        policy.local = {"sender@example.com", "postmaster@example.com"};
        policy.local_domains = {"example.com"};
    }
};

TEST_F(InboundSessionTest, LocalRecipientWithoutAuthReachesTheInboundHandler) {
    start();
    send("EHLO mx.remote.test\r\n");
    EXPECT_EQ(send("MAIL FROM:<>\r\n"), "250 Mail Ok\r\n");
    EXPECT_EQ(send("RCPT TO:<sender@example.com>\r\n"), "250 Rcpt Ok\r\n");
    EXPECT_EQ(send("DATA\r\n"), "354 End data with <CR><LF>.<CR><LF>\r\n");
    // A From: on no account domain is fine here: it is the remote MTA's.
    send("From: MAILER-DAEMON@remote.test\r\nSubject: x\r\n\r\nbody\r\n.\r\n");
    ASSERT_EQ(last.action.kind, ActionKind::inbound_message);
    EXPECT_EQ(last.action.envelope.auth_user, "");
    EXPECT_EQ(last.action.envelope.mail_from, "");
    ASSERT_EQ(last.action.envelope.recipients.size(), 1u);
    EXPECT_EQ(last.action.envelope.recipients[0].address, "sender@example.com");
    EXPECT_EQ(last.action.body, "From: MAILER-DAEMON@remote.test\r\nSubject: x\r\n\r\nbody\r\n");
    EXPECT_TRUE(session->in_transaction() || session->state() == ServerSession::State::waiting);
    EXPECT_EQ(session->on_inbound_result(replies::report_accepted()).wire, "250 2.0.0 Report accepted\r\n");
    EXPECT_EQ(session->state(), ServerSession::State::command);
    EXPECT_FALSE(session->in_transaction());
}

TEST_F(InboundSessionTest, ForeignRecipientIsRelayingAndNeedsAuth) {
    start();
    send("EHLO mx.remote.test\r\n");
    EXPECT_EQ(send("MAIL FROM:<spammer@remote.test>\r\n"), "250 Mail Ok\r\n");
    EXPECT_EQ(send("RCPT TO:<victim@elsewhere.test>\r\n"), "530 5.7.0 Authentication required\r\n");
    EXPECT_EQ(send("DATA\r\n"), "554 5.5.1 No valid recipients\r\n");
}

TEST_F(InboundSessionTest, UnknownLocalPartOnAnAccountDomain) {
    start();
    send("EHLO mx.remote.test\r\n");
    send("MAIL FROM:<a@remote.test>\r\n");
    EXPECT_EQ(send("RCPT TO:<nobody@example.com>\r\n"),
              "550 5.1.1 <nobody@example.com>: no such mailbox here\r\n");
}

TEST_F(InboundSessionTest, OneRecipientPerInboundMessage) {
    start();
    send("EHLO mx.remote.test\r\n");
    send("MAIL FROM:<a@remote.test>\r\n");
    EXPECT_EQ(send("RCPT TO:<sender@example.com>\r\n"), "250 Rcpt Ok\r\n");
    EXPECT_EQ(send("RCPT TO:<sender@example.com>\r\n"), "250 Rcpt Ok\r\n"); // the same one: stored once
    EXPECT_EQ(send("RCPT TO:<postmaster@example.com>\r\n"),
              "452 4.5.3 One recipient per message without authentication, send the others separately\r\n");
    send("DATA\r\n");
    send("Subject: x\r\n\r\nhi\r\n.\r\n");
    ASSERT_EQ(last.action.kind, ActionKind::inbound_message);
    EXPECT_EQ(last.action.envelope.recipients.size(), 1u);
}

TEST_F(InboundSessionTest, PipelinedRelayAttemptsAreBoundedByMaxErrors) {
    limits.max_errors = 5;
    start();
    send("EHLO mx.remote.test\r\n");
    std::string burst = "MAIL FROM:<a@remote.test>\r\n";
    for (int i = 0; i < 50; ++i)
        burst += "RCPT TO:<v" + std::to_string(i) + "@elsewhere.test>\r\n";
    const auto wire = send(burst);
    EXPECT_TRUE(last.close);
    EXPECT_NE(wire.find("421"), std::string::npos);
}

TEST_F(InboundSessionTest, ListenerWithoutInboundNeedsAuthAtMail) {
    limits.inbound = false;
    start();
    send("EHLO mx.remote.test\r\n");
    EXPECT_EQ(send("MAIL FROM:<>\r\n"), "530 5.7.0 Authentication required\r\n");
    EXPECT_EQ(send("RCPT TO:<sender@example.com>\r\n"), "503 5.5.1 Need MAIL command\r\n");
}

TEST_F(InboundSessionTest, AuthenticatedSessionIsUnchanged) {
    start();
    login();
    EXPECT_EQ(send("MAIL FROM:<other@example.com>\r\n"),
              "553 5.7.1 Sender address does not match the authenticated user\r\n");
    EXPECT_EQ(send("MAIL FROM:<sender@example.com>\r\n"), "250 Mail Ok\r\n");
    // Authenticated: any recipient, the normal checks (relaying is what AUTH is for).
    EXPECT_EQ(send("RCPT TO:<victim@elsewhere.test>\r\n"), "250 Rcpt Ok\r\n");
    EXPECT_EQ(send("RCPT TO:<other@elsewhere.test>\r\n"), "250 Rcpt Ok\r\n");
    send("DATA\r\n");
    send("From: sender@example.com\r\n\r\nhi\r\n.\r\n");
    EXPECT_EQ(last.action.kind, ActionKind::commit_message);
}

TEST_F(InboundSessionTest, InboundRefusalAfterDataIsSentAsGiven) {
    start();
    send("EHLO mx.remote.test\r\n");
    send("MAIL FROM:<a@remote.test>\r\nRCPT TO:<sender@example.com>\r\nDATA\r\n");
    send("Subject: hi\r\n\r\nthanks\r\n.\r\n");
    ASSERT_EQ(last.action.kind, ActionKind::inbound_message);
    EXPECT_EQ(session->on_inbound_result(replies::replies_not_accepted("sender@example.com")).wire,
              "550 5.7.1 <sender@example.com> does not accept replies\r\n");
    EXPECT_EQ(send("MAIL FROM:<a@remote.test>\r\n"), "250 Mail Ok\r\n"); // the session goes on
}

} // namespace
} // namespace mailpush::smtp::test
