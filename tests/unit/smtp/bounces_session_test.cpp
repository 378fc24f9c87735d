// The submission session's side of honest bounces: DSN is not offered and its parameters are
// refused (docs/adr/0007-dsn.md), recipients over the limit get 452 4.5.3 in rfc style, and a
// null reverse-path is accepted from an authenticated session for the account's own addresses.
#include "session_fixture.hpp"

namespace mailpush::smtp::test {
namespace {

struct OwnAddressPolicy : FakePolicy {
    std::set<std::string> own{"sender@example.com", "other-sender@example.com"};
    bool owns_address(const Envelope&, std::string_view address) override {
        return own.count(std::string(address)) != 0;
    }
    // The account's domain (the From: check of a null-sender message is the normal one).
    bool may_author(const Envelope&, std::string_view address) override {
        return address.ends_with("@example.com");
    }
};

class BounceSessionTest : public SessionTest {
protected:
    OwnAddressPolicy own_policy;
    void start_own(ReplyStyle style = ReplyStyle::directmail) {
        limits.style = style;
        session = std::make_unique<ServerSession>(limits, own_policy);
        last = session->on_connect();
    }
};

} // namespace

TEST_F(SessionTest, DsnIsNotAdvertised) {
    for (auto style : {ReplyStyle::directmail, ReplyStyle::rfc}) {
        start(style);
        EXPECT_EQ(send("EHLO c\r\n").find("DSN"), std::string::npos);
    }
}

TEST_F(SessionTest, DsnParametersAreRefusedWith555AndChangeNothing) {
    start(ReplyStyle::rfc);
    send("EHLO c\r\nAUTH PLAIN " + plain_ir("sender@example.com", "x") + "\r\n");
    session->on_auth_result(AuthVerdict::ok);
    for (const char* mail :
         {"MAIL FROM:<sender@example.com> RET=HDRS\r\n", "MAIL FROM:<sender@example.com> ENVID=abc+2B1\r\n",
          "MAIL FROM:<sender@example.com> RET=FULL ENVID=x\r\n"}) {
        EXPECT_EQ(send(mail), "555 5.5.4 Unsupported MAIL/RCPT parameter\r\n") << mail;
        EXPECT_FALSE(session->in_transaction());
    }
    EXPECT_EQ(send("MAIL FROM:<sender@example.com>\r\n"), "250 2.1.0 Mail Ok\r\n");
    for (const char* rcpt :
         {"RCPT TO:<a@dest.test> NOTIFY=SUCCESS,FAILURE\r\n", "RCPT TO:<a@dest.test> NOTIFY=NEVER\r\n",
          "RCPT TO:<a@dest.test> ORCPT=rfc822;a@dest.test\r\n"})
        EXPECT_EQ(send(rcpt), "555 5.5.4 Unsupported MAIL/RCPT parameter\r\n") << rcpt;
    EXPECT_EQ(send("DATA\r\n"), "554 5.5.1 No valid recipients\r\n");
}

TEST_F(SessionTest, RecipientsOverTheLimitGet452InRfcStyle) {
    start(ReplyStyle::rfc);
    send("EHLO c\r\nAUTH PLAIN " + plain_ir("sender@example.com", "x") + "\r\n");
    session->on_auth_result(AuthVerdict::ok);
    send("MAIL FROM:<sender@example.com>\r\n");
    for (int i = 1; i <= 30; ++i)
        EXPECT_EQ(send("RCPT TO:<r" + std::to_string(i) + "@b.test>\r\n"), "250 2.1.5 Rcpt Ok\r\n");
    for (int i = 31; i <= 35; ++i)
        EXPECT_EQ(send("RCPT TO:<r" + std::to_string(i) + "@b.test>\r\n"),
                  "452 4.5.3 Too many recipients\r\n");
    // The 30 accepted ones still go: the client sends the rest in a second transaction.
    EXPECT_EQ(send("DATA\r\n"), "354 End data with <CR><LF>.<CR><LF>\r\n");
    send("Subject: x\r\n\r\nbody\r\n.\r\n");
    ASSERT_EQ(last.action.kind, ActionKind::commit_message);
    EXPECT_EQ(last.action.envelope.recipients.size(), 30u);
}

TEST_F(SessionTest, RecipientsOverTheLimitKeepThe556InDirectmailStyle) {
    start();
    login();
    send("MAIL FROM:<sender@example.com>\r\n");
    for (int i = 1; i <= 30; ++i)
        send("RCPT TO:<r" + std::to_string(i) + "@b.test>\r\n");
    EXPECT_EQ(send("RCPT TO:<r31@b.test>\r\n"), "556 The number of RCPTs is over size\r\n");
}

TEST_F(BounceSessionTest, NullSenderToTheAccountsOwnAddressesIsAccepted) {
    start_own();
    login();
    EXPECT_EQ(send("MAIL FROM:<>\r\n"), "250 Mail Ok\r\n");
    EXPECT_EQ(send("RCPT TO:<sender@example.com>\r\n"), "250 Rcpt Ok\r\n");
    EXPECT_EQ(send("RCPT TO:<other-sender@example.com>\r\n"), "250 Rcpt Ok\r\n");
    EXPECT_EQ(send("DATA\r\n"), "354 End data with <CR><LF>.<CR><LF>\r\n");
    // A bounce's From: is the relay's MAILER-DAEMON: it must be on one of the account's domains
    // like any From: (the fixture's from_header_policy is the default, account-domains).
    send("From: MAILER-DAEMON@example.com (Mail Delivery System)\r\nSubject: Undelivered\r\n\r\nx\r\n.\r\n");
    ASSERT_EQ(last.action.kind, ActionKind::commit_message);
    EXPECT_EQ(last.action.envelope.mail_from, "");
    EXPECT_EQ(last.action.envelope.auth_user, "sender@example.com");
    EXPECT_EQ(last.action.envelope.recipients.size(), 2u);
}

TEST_F(BounceSessionTest, NullSenderWithAForeignFromIsRefused) {
    start_own();
    login();
    send("MAIL FROM:<>\r\nRCPT TO:<sender@example.com>\r\nDATA\r\n");
    EXPECT_EQ(send("From: MAILER-DAEMON@relay.example\r\nSubject: Undelivered\r\n\r\nx\r\n.\r\n"),
              "550 5.7.1 From header not allowed for this sender\r\n");
    EXPECT_EQ(last.action.kind, ActionKind::none);
}

TEST_F(BounceSessionTest, NullSenderToAnyOtherAddressIsRefused) {
    start_own(ReplyStyle::rfc);
    send("EHLO c\r\nAUTH PLAIN " + plain_ir("sender@example.com", "x") + "\r\n");
    session->on_auth_result(AuthVerdict::ok);
    EXPECT_EQ(send("MAIL FROM:<>\r\n"), "250 2.1.0 Mail Ok\r\n");
    EXPECT_EQ(send("RCPT TO:<someone@elsewhere.test>\r\n"),
              "550 5.7.1 A null sender may only send to the account's own addresses\r\n");
    EXPECT_EQ(send("DATA\r\n"), "554 5.5.1 No valid recipients\r\n");
}

TEST_F(BounceSessionTest, NullSenderNeedsAuthentication) {
    start_own();
    send("EHLO c\r\n");
    EXPECT_EQ(send("MAIL FROM:<>\r\n"), "530 5.7.0 Authentication required\r\n");
}

TEST_F(SessionTest, DefaultPolicyOwnsOnlyTheAuthAddress) {
    start();
    login();
    send("MAIL FROM:<>\r\n");
    EXPECT_EQ(send("RCPT TO:<sender@EXAMPLE.com>\r\n"), "250 Rcpt Ok\r\n"); // the domain is case-insensitive
    EXPECT_EQ(
        send("RCPT TO:<SENDER@example.com>\r\n"),
        "550 5.7.1 A null sender may only send to the account's own addresses\r\n"); // the local part is not
    EXPECT_EQ(send("RCPT TO:<friend@example.com>\r\n"),
              "550 5.7.1 A null sender may only send to the account's own addresses\r\n");
}

TEST_F(SessionTest, AnotherSenderIsStillRefused) {
    start();
    login();
    EXPECT_EQ(send("MAIL FROM:<someone@example.com>\r\n"),
              "553 5.7.1 Sender address does not match the authenticated user\r\n");
}

} // namespace mailpush::smtp::test
