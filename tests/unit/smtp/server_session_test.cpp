#include "session_fixture.hpp"

namespace mailpush::smtp::test {

TEST_F(SessionTest, GreetingAndEhloInSpecOrder) {
    start();
    EXPECT_EQ(last.wire, "220 mx.test ESMTP mailpush\r\n");
    EXPECT_EQ(send("EHLO client.test\r\n"),
              "250-mx.test\r\n250-8BITMIME\r\n250-SIZE 1000\r\n250-AUTH=PLAIN LOGIN\r\n"
              "250-AUTH PLAIN LOGIN\r\n250-PIPELINING\r\n250-SMTPUTF8\r\n"
              "250 STARTTLS\r\n");
}

TEST_F(SessionTest, RfcStyleAdvertisesEnhancedStatusCodes) {
    start(ReplyStyle::rfc);
    EXPECT_EQ(send("EHLO c\r\n"), "250-mx.test\r\n250-8BITMIME\r\n250-SIZE 1000\r\n250-AUTH=PLAIN LOGIN\r\n"
                                  "250-AUTH PLAIN LOGIN\r\n250-PIPELINING\r\n250-ENHANCEDSTATUSCODES\r\n"
                                  "250-SMTPUTF8\r\n250 STARTTLS\r\n");
    EXPECT_EQ(send("NOOP\r\n"), "250 2.0.0 Ok\r\n");
    EXPECT_EQ(send("QUIT\r\n"), "221 2.0.0 Bye\r\n");
}

TEST_F(SessionTest, NoStarttlsOrAuthAdvertisedWhenAuthNeedsTls) {
    limits.starttls_available = false;
    limits.auth_requires_tls = true;
    start();
    EXPECT_EQ(send("EHLO c\r\n"), "250-mx.test\r\n250-8BITMIME\r\n250-SIZE 1000\r\n250-PIPELINING\r\n"
                                  "250 SMTPUTF8\r\n");
    EXPECT_EQ(send("AUTH PLAIN " + plain_ir("a@b.c", "x") + "\r\n"),
              "530 5.7.0 Must issue a STARTTLS command first\r\n");
}

TEST_F(SessionTest, HeloWorksAndNeedsArgument) {
    start();
    EXPECT_EQ(send("HELO\r\n"), "501 5.5.4 Syntax: EHLO hostname\r\n");
    EXPECT_EQ(send("EHLO a\rReceived: forged\r\n"), "501 5.5.4 Syntax: EHLO hostname\r\n");
    EXPECT_EQ(send("EHLO a\x01b\r\n"), "501 5.5.4 Syntax: EHLO hostname\r\n");
    EXPECT_EQ(send("HELO client\r\n"), "250 mx.test\r\n");
}

TEST_F(SessionTest, AuthPlainWithInitialResponse) {
    start();
    send("EHLO c\r\n");
    send("AUTH PLAIN " + plain_ir("sender@example.com", "pw") + "\r\n");
    ASSERT_EQ(last.action.kind, ActionKind::verify_credentials);
    EXPECT_EQ(last.action.credentials.username, "sender@example.com");
    EXPECT_EQ(last.action.credentials.password, "pw");
    EXPECT_EQ(session->on_auth_result(AuthVerdict::ok).wire, "235 Authentication successful\r\n");
    EXPECT_TRUE(session->authenticated());
}

TEST_F(SessionTest, AuthPlainWithoutInitialResponse) {
    start();
    send("EHLO c\r\n");
    EXPECT_EQ(send("AUTH PLAIN\r\n"), "334 \r\n");
    send(plain_ir("sender@example.com", "pw") + "\r\n");
    ASSERT_EQ(last.action.kind, ActionKind::verify_credentials);
    EXPECT_EQ(last.action.credentials.password, "pw");
}

TEST_F(SessionTest, AuthLoginPromptsExactly) {
    start();
    send("EHLO c\r\n");
    EXPECT_EQ(send("AUTH LOGIN\r\n"), "334 dXNlcm5hbWU6\r\n");
    EXPECT_EQ(send(common::base64_encode("test@test.com") + "\r\n"), "334 UGFzc3dvcmQ6\r\n");
    send(common::base64_encode("test") + "\r\n");
    ASSERT_EQ(last.action.kind, ActionKind::verify_credentials);
    EXPECT_EQ(last.action.credentials.username, "test@test.com");
    EXPECT_EQ(last.action.credentials.password, "test");
}

TEST_F(SessionTest, AuthLoginWithInitialUsername) {
    start();
    send("EHLO c\r\n");
    EXPECT_EQ(send("AUTH LOGIN " + common::base64_encode("u@x.y") + "\r\n"), "334 UGFzc3dvcmQ6\r\n");
}

TEST_F(SessionTest, AuthFailureIsDelayedAndCountedThenCloses) {
    limits.max_auth_failures = 2;
    start();
    send("EHLO c\r\n");
    send("AUTH PLAIN " + plain_ir("a@b.c", "bad") + "\r\n");
    auto out = session->on_auth_result(AuthVerdict::failed);
    EXPECT_EQ(out.wire, "535 Authentication failure\r\n");
    EXPECT_TRUE(out.delay);
    EXPECT_FALSE(out.close);
    send("AUTH PLAIN " + plain_ir("a@b.c", "bad") + "\r\n");
    out = session->on_auth_result(AuthVerdict::failed);
    EXPECT_EQ(out.wire,
              "535 Authentication failure\r\n421 4.7.0 mx.test Too many failed authentication attempts\r\n");
    EXPECT_TRUE(out.close);
}

TEST_F(SessionTest, AuthFailureRfcStyle) {
    start(ReplyStyle::rfc);
    send("EHLO c\r\n");
    send("AUTH PLAIN " + plain_ir("a@b.c", "bad") + "\r\n");
    EXPECT_EQ(session->on_auth_result(AuthVerdict::failed).wire, "535 5.7.8 Authentication failure\r\n");
    send("AUTH PLAIN " + plain_ir("a@b.c", "ok") + "\r\n");
    EXPECT_EQ(session->on_auth_result(AuthVerdict::ok).wire, "235 2.7.0 Authentication successful\r\n");
}

TEST_F(SessionTest, AuthThrottledAndTemporaryFailure) {
    start();
    send("EHLO c\r\n");
    send("AUTH PLAIN " + plain_ir("a@b.c", "x") + "\r\n");
    EXPECT_EQ(session->on_auth_result(AuthVerdict::throttled).wire,
              "454 4.7.0 Too many authentication failures from your address, try again later\r\n");
    send("AUTH PLAIN " + plain_ir("a@b.c", "x") + "\r\n");
    EXPECT_EQ(session->on_auth_result(AuthVerdict::temporary_failure).wire,
              "454 4.7.0 Temporary authentication failure\r\n");
}

TEST_F(SessionTest, AuthBadInputs) {
    start();
    EXPECT_EQ(send("AUTH PLAIN\r\n"), "503 5.5.1 Send HELO/EHLO first\r\n");
    send("EHLO c\r\n");
    EXPECT_EQ(send("AUTH PLAIN !!!notbase64\r\n"), "501 5.5.2 Cannot decode response\r\n");
    EXPECT_EQ(send("AUTH PLAIN " + common::base64_encode("no-nuls-here") + "\r\n"),
              "501 5.5.2 Malformed authentication response\r\n");
    EXPECT_EQ(send("AUTH PLAIN " + common::base64_encode(std::string("other\0u@x.y\0pw", 14)) + "\r\n"),
              "501 5.5.2 Malformed authentication response\r\n");
    EXPECT_EQ(send("AUTH CRAM-MD5\r\n"), "504 5.5.4 Unrecognized authentication type\r\n");
    EXPECT_EQ(send("AUTH LOGIN\r\n"), "334 dXNlcm5hbWU6\r\n");
    EXPECT_EQ(send("*\r\n"), "501 5.7.0 Authentication cancelled\r\n");
    EXPECT_EQ(send("AUTH LOGIN\r\n"), "334 dXNlcm5hbWU6\r\n");
    EXPECT_EQ(send("a=b=\r\n"), "501 5.5.2 Cannot decode response\r\n");
    EXPECT_EQ(send("AUTH PLAIN\r\n"), "334 \r\n");
    EXPECT_EQ(send("*\r\n"), "501 5.7.0 Authentication cancelled\r\n");
}

TEST_F(SessionTest, AuthRefusedWhenAlreadyAuthenticatedOrInTransaction) {
    start();
    login();
    EXPECT_EQ(send("AUTH PLAIN " + plain_ir("a@b.c", "x") + "\r\n"), "503 5.5.1 Already authenticated\r\n");
}

TEST_F(SessionTest, MailRequiresAuth) {
    start();
    EXPECT_EQ(send("MAIL FROM:<sender@example.com>\r\n"), "503 5.5.1 Send HELO/EHLO first\r\n");
    send("EHLO c\r\n");
    EXPECT_EQ(send("MAIL FROM:<sender@example.com>\r\n"), "530 5.7.0 Authentication required\r\n");
}

TEST_F(SessionTest, SenderMustEqualAuthenticatedAddress) {
    start();
    login("Sender@Example.com");
    EXPECT_EQ(send("MAIL FROM:<other@example.com>\r\n"),
              "553 5.7.1 Sender address does not match the authenticated user\r\n");
    EXPECT_EQ(send("MAIL FROM:<sender@example.com>\r\n"),
              "553 5.7.1 Sender address does not match the authenticated user\r\n"); // local part is exact
    EXPECT_EQ(send("MAIL FROM: <Sender@EXAMPLE.COM>\r\n"), "250 Mail Ok\r\n"); // domain case-insensitive
    // A null reverse-path is accepted (its recipients are limited: bounces_session_test.cpp).
}

TEST_F(SessionTest, EhloAfterAuthKeepsLoginAndResetsTransaction) {
    start();
    login();
    EXPECT_EQ(send("MAIL FROM:<sender@example.com>\r\n"), "250 Mail Ok\r\n");
    send("EHLO again\r\n");
    EXPECT_TRUE(session->authenticated());
    EXPECT_FALSE(session->in_transaction());
    EXPECT_EQ(send("MAIL FROM:<sender@example.com>\r\n"), "250 Mail Ok\r\n");
}

TEST_F(SessionTest, FullTransactionProducesCommitAndQueuedReply) {
    start();
    login();
    EXPECT_EQ(send("MAIL FROM:<sender@example.com> SIZE=100 BODY=8BITMIME\r\n"), "250 Mail Ok\r\n");
    EXPECT_EQ(send("RCPT TO:<a@dest.test>\r\n"), "250 Rcpt Ok\r\n");
    EXPECT_EQ(send("DATA\r\n"), "354 End data with <CR><LF>.<CR><LF>\r\n");
    send("Subject: hi\r\n\r\n..dotted\r\nbody\r\n.\r\n");
    ASSERT_EQ(last.action.kind, ActionKind::commit_message);
    EXPECT_EQ(last.action.body, "Subject: hi\r\n\r\n.dotted\r\nbody\r\n");
    EXPECT_EQ(last.action.envelope.mail_from, "sender@example.com");
    EXPECT_EQ(last.action.envelope.body_type, "8BITMIME");
    EXPECT_EQ(last.action.envelope.ret, "");
    EXPECT_EQ(last.action.envelope.dsn_envid, "");
    ASSERT_EQ(last.action.envelope.recipients.size(), 1u);
    EXPECT_EQ(last.action.envelope.recipients[0].notify, "");
    EXPECT_EQ(session->on_commit_result({true, 148316944, {}}).wire,
              "250 Data Ok: queued as freedom ###envid=148316944\r\n");
}

TEST_F(SessionTest, QueuedReplyRfcStyle) {
    start(ReplyStyle::rfc);
    send("EHLO c\r\n");
    send("AUTH PLAIN " + plain_ir("sender@example.com", "x") + "\r\n");
    session->on_auth_result(AuthVerdict::ok);
    EXPECT_EQ(send("MAIL FROM:<sender@example.com>\r\n"), "250 2.1.0 Mail Ok\r\n");
    EXPECT_EQ(send("RCPT TO:<a@b.test>\r\n"), "250 2.1.5 Rcpt Ok\r\n");
    send("DATA\r\nx\r\n.\r\n");
    EXPECT_EQ(session->on_commit_result({true, 7, {}}).wire,
              "250 2.0.0 Data Ok: queued as freedom ###envid=7\r\n");
}

TEST_F(SessionTest, CommitFailureIsNever250) {
    start();
    login();
    send("MAIL FROM:<sender@example.com>\r\nRCPT TO:<a@b.test>\r\nDATA\r\nx\r\n.\r\n");
    ASSERT_EQ(last.action.kind, ActionKind::commit_message);
    EXPECT_EQ(session->on_commit_result({false, 0, {}}).wire,
              "451 4.3.0 Queue write error, try again later\r\n");
}

TEST_F(SessionTest, RefusedCommitGivesTheRefusalAndANewTransactionCanStart) {
    start();
    login();
    send("MAIL FROM:<sender@example.com>\r\nRCPT TO:<a@b.test>\r\nDATA\r\nx\r\n.\r\n");
    ASSERT_EQ(last.action.kind, ActionKind::commit_message);
    CommitResult refused{false, 0, replies::daily_quota_exceeded()};
    EXPECT_EQ(session->on_commit_result(refused).wire, "552 Daily sending quota exceeded\r\n");
    send("MAIL FROM:<sender@example.com>\r\n");
    EXPECT_EQ(last.wire.substr(0, 3), "250");
}

TEST_F(SessionTest, PipelinedTransactionInOneWrite) {
    start();
    login();
    send("MAIL FROM:<sender@example.com>\r\nRCPT TO:<a@b.test>\r\nRCPT "
         "TO:<c@d.test>\r\nDATA\r\nhello\r\n.\r\nQUIT\r\n");
    EXPECT_EQ(last.wire,
              "250 Mail Ok\r\n250 Rcpt Ok\r\n250 Rcpt Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n");
    ASSERT_EQ(last.action.kind, ActionKind::commit_message);
    auto out = session->on_commit_result({true, 5, {}});
    EXPECT_EQ(out.wire, "250 Data Ok: queued as freedom ###envid=5\r\n221 Bye\r\n");
    EXPECT_TRUE(out.close);
}

TEST_F(SessionTest, RecipientLimitIs556) {
    start();
    login();
    send("MAIL FROM:<sender@example.com>\r\n");
    for (int i = 0; i < 30; ++i)
        EXPECT_EQ(send("RCPT TO:<r" + std::to_string(i) + "@b.test>\r\n"), "250 Rcpt Ok\r\n");
    EXPECT_EQ(send("RCPT TO:<r31@b.test>\r\n"), "556 The number of RCPTs is over size\r\n");
}

TEST_F(SessionTest, RecipientLimitRfcStyle) {
    limits.max_recipients = 1;
    start(ReplyStyle::rfc);
    send("EHLO c\r\nAUTH PLAIN " + plain_ir("sender@example.com", "x") + "\r\n");
    session->on_auth_result(AuthVerdict::ok);
    send("MAIL FROM:<sender@example.com>\r\nRCPT TO:<a@b.test>\r\n");
    EXPECT_EQ(send("RCPT TO:<c@b.test>\r\n"), "452 4.5.3 Too many recipients\r\n");
}

TEST_F(SessionTest, DuplicateRecipientStoredOnce) {
    start();
    login();
    send("MAIL FROM:<sender@example.com>\r\nRCPT TO:<a@b.test>\r\nRCPT TO:<a@B.TEST>\r\nDATA\r\nx\r\n.\r\n");
    ASSERT_EQ(last.action.kind, ActionKind::commit_message);
    EXPECT_EQ(last.action.envelope.recipients.size(), 1u);
}

TEST_F(SessionTest, InvalidAddressLibraryIs559) {
    policy.invalid.insert("gone@b.test");
    start();
    login();
    send("MAIL FROM:<sender@example.com>\r\n");
    EXPECT_EQ(send("RCPT TO:<gone@b.test>\r\n"), "559 Invalid rcptto\r\n");
}

TEST_F(SessionTest, SizeParameterAboveLimitIs552) {
    start();
    login();
    EXPECT_EQ(send("MAIL FROM:<sender@example.com> SIZE=1001\r\n"),
              "552 5.3.4 Message size exceeds fixed maximum message size\r\n");
    EXPECT_EQ(send("MAIL FROM:<sender@example.com> SIZE=abc\r\n"),
              "501 5.5.4 Syntax error in parameters or arguments\r\n");
}

TEST_F(SessionTest, OversizedDataIs557AndSessionContinues) {
    start();
    login();
    send("MAIL FROM:<sender@example.com>\r\nRCPT TO:<a@b.test>\r\nDATA\r\n");
    send(std::string(2000, 'x') + "\r\n.\r\n");
    EXPECT_EQ(last.wire, "557 The length of DATA content is achieved the maximum threshold\r\n");
    EXPECT_EQ(last.action.kind, ActionKind::none);
    EXPECT_EQ(send("MAIL FROM:<sender@example.com>\r\n"), "250 Mail Ok\r\n");
}

TEST_F(SessionTest, BareLineFeedRejectsWholeMessageNeverSplits) {
    start();
    login();
    send("MAIL FROM:<sender@example.com>\r\nRCPT TO:<a@b.test>\r\nDATA\r\n");
    // A smuggling attempt: <LF>.<CRLF> followed by a second transaction.
    send("part one\n.\r\nMAIL FROM:<sender@example.com>\r\nRCPT TO:<x@b.test>\r\nDATA\r\nevil\r\n.\r\n");
    EXPECT_EQ(last.wire, "554 5.6.11 Message contains bare CR or LF, rejected\r\n");
    EXPECT_EQ(last.action.kind, ActionKind::none);
    EXPECT_FALSE(session->in_transaction());
}

TEST_F(SessionTest, BareCarriageReturnRejected) {
    start();
    login();
    send("MAIL FROM:<sender@example.com>\r\nRCPT TO:<a@b.test>\r\nDATA\r\n");
    EXPECT_EQ(send("a\rb\r\n.\r\n"), "554 5.6.11 Message contains bare CR or LF, rejected\r\n");
}

TEST_F(SessionTest, WrongOrderIs503) {
    start();
    login();
    EXPECT_EQ(send("RCPT TO:<a@b.test>\r\n"), "503 5.5.1 Need MAIL command\r\n");
    EXPECT_EQ(send("DATA\r\n"), "503 5.5.1 Need MAIL command\r\n");
    send("MAIL FROM:<sender@example.com>\r\n");
    EXPECT_EQ(send("MAIL FROM:<sender@example.com>\r\n"), "503 5.5.1 Sender already specified\r\n");
    EXPECT_EQ(send("DATA\r\n"), "503 5.5.1 Need RCPT command\r\n");
    EXPECT_EQ(send("RCPT TO:<bad address>\r\n"), "501 5.1.3 Bad recipient address syntax\r\n");
    EXPECT_EQ(send("DATA\r\n"), "554 5.5.1 No valid recipients\r\n");
    EXPECT_EQ(send("RSET\r\n"), "250 2.0.0 Ok\r\n");
    EXPECT_EQ(send("RCPT TO:<a@b.test>\r\n"), "503 5.5.1 Need MAIL command\r\n");
}

TEST_F(SessionTest, MalformedCommands) {
    start();
    login();
    EXPECT_EQ(send("FOO\r\n"), "500 5.5.2 Syntax error, command unrecognized\r\n");
    EXPECT_EQ(send("MAIL TO:<x@y.z>\r\n"), "501 5.1.7 Bad sender address syntax\r\n");
    EXPECT_EQ(send("MAIL FROM:<sender@example.com\r\n"), "501 5.1.7 Bad sender address syntax\r\n");
    EXPECT_EQ(send("MAIL FROM:sender@example.com>\r\n"), "501 5.1.7 Bad sender address syntax\r\n");
    EXPECT_EQ(send("MAIL FROM:<sender@example.com> FOO=1\r\n"),
              "555 5.5.4 Unsupported MAIL/RCPT parameter\r\n");
    EXPECT_EQ(send("MAIL FROM:<s\xc3\xa9@example.com>\r\n"),
              "553 5.6.7 Non-ASCII address requires SMTPUTF8\r\n");
    EXPECT_EQ(send("EXPN list\r\n"), "502 5.5.1 Command not implemented\r\n");
    EXPECT_EQ(send("VRFY x\r\n"),
              "252 2.5.2 Cannot VRFY user, but will accept message and attempt delivery\r\n");
    EXPECT_EQ(send("HELP\r\n").substr(0, 10), "214 2.0.0 ");
    EXPECT_EQ(send(std::string("NO\0OP\r\n", 7)), "500 5.5.2 Syntax error, command unrecognized\r\n");
}

TEST_F(SessionTest, BareAddressWithoutAngleBracketsAccepted) {
    start();
    login();
    EXPECT_EQ(send("MAIL FROM:sender@example.com SIZE=10\r\n"), "250 Mail Ok\r\n");
    EXPECT_EQ(send("RCPT TO:a@b.test\r\n"), "250 Rcpt Ok\r\n");
}

TEST_F(SessionTest, Smtputf8AddressesAccepted) {
    start();
    login("sender@example.com");
    EXPECT_EQ(send("MAIL FROM:<sender@example.com> SMTPUTF8\r\n"), "250 Mail Ok\r\n");
    EXPECT_EQ(send("RCPT TO:<\xe7\x94\xa8\xe6\x88\xb7@\xe4\xbe\x8b\xe5\xad\x90.test>\r\n"),
              "250 Rcpt Ok\r\n");
}

TEST_F(SessionTest, LongCommandLineAnsweredOnceAndSkipped) {
    start();
    EXPECT_EQ(send("NOOP " + std::string(5000, 'a')), "500 5.5.2 Line too long\r\n");
    EXPECT_EQ(send(std::string(100, 'b') + "\r\nNOOP\r\n"), "250 2.0.0 Ok\r\n");
}

TEST_F(SessionTest, TooManyErrorsCloses) {
    limits.max_errors = 3;
    start();
    send("X\r\nY\r\n");
    EXPECT_FALSE(last.close);
    EXPECT_EQ(send("Z\r\nNOOP\r\n"),
              "500 5.5.2 Syntax error, command unrecognized\r\n421 4.7.0 mx.test Error: too many errors\r\n");
    EXPECT_TRUE(last.close);
    EXPECT_TRUE(session->closed());
}

TEST_F(SessionTest, StarttlsDiscardsPipelinedInputAndResetsState) {
    start();
    login();
    EXPECT_EQ(send("STARTTLS\r\nMAIL FROM:<sender@example.com>\r\n"), "220 2.0.0 Ready to start TLS\r\n");
    EXPECT_EQ(last.action.kind, ActionKind::start_tls);
    EXPECT_EQ(session->buffered(), 0u);
    auto out = session->on_tls_established();
    EXPECT_EQ(out.wire, ""); // the injected MAIL was discarded, not answered
    EXPECT_FALSE(session->authenticated());
    EXPECT_EQ(send("MAIL FROM:<sender@example.com>\r\n"), "503 5.5.1 Send HELO/EHLO first\r\n");
    EXPECT_EQ(send("EHLO c\r\n").find("STARTTLS"), std::string::npos);
    EXPECT_EQ(send("STARTTLS\r\n"), "503 5.5.1 TLS already active\r\n");
}

TEST_F(SessionTest, StarttlsUnavailable) {
    limits.starttls_available = false;
    start();
    send("EHLO c\r\n");
    EXPECT_EQ(send("STARTTLS\r\n"), "454 4.7.0 TLS not available\r\n");
}

TEST_F(SessionTest, StorageLowAtMail) {
    policy.storage_low = true;
    start();
    login();
    EXPECT_EQ(send("MAIL FROM:<sender@example.com>\r\n"), "452 4.3.1 Insufficient system storage\r\n");
}

TEST_F(SessionTest, TimeoutAndShutdownClose) {
    start();
    auto out = session->on_timeout();
    EXPECT_EQ(out.wire, "421 4.4.2 mx.test Error: timeout exceeded\r\n");
    EXPECT_TRUE(out.close);
    start();
    out = session->on_shutdown();
    EXPECT_EQ(out.wire, "421 4.3.2 mx.test Service shutting down\r\n");
}

TEST_F(SessionTest, ByteAtATimeInput) {
    start();
    login();
    const std::string script = "MAIL FROM:<sender@example.com>\r\nRCPT TO:<a@b.test>\r\nDATA\r\nab\r\n.\r\n";
    std::string wire;
    for (char c : script)
        wire += send(std::string(1, c));
    EXPECT_EQ(wire, "250 Mail Ok\r\n250 Rcpt Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n");
    ASSERT_EQ(last.action.kind, ActionKind::commit_message);
    EXPECT_EQ(last.action.body, "ab\r\n");
}

struct AuthorPolicy : FakePolicy {
    bool may_author(const Envelope& env, std::string_view address) override {
        return SessionPolicy::may_author(env, address) || address.ends_with("@example.com");
    }
};

TEST_F(SessionTest, HeaderFromMustBelongToTheSender) {
    AuthorPolicy author_policy;
    limits.from_header_policy = FromHeaderPolicy::account_domains;
    session = std::make_unique<ServerSession>(limits, author_policy);
    session->on_connect();
    login();
    const std::string tx = "MAIL FROM:<sender@example.com>\r\nRCPT TO:<a@b.test>\r\nDATA\r\n";
    send(tx + "From: \"Your Bank\" <security@bank.test>\r\nSubject: x\r\n\r\nbody\r\n.\r\n");
    EXPECT_EQ(last.action.kind, ActionKind::none); // nothing to store
    EXPECT_TRUE(last.wire.ends_with("550 5.7.1 From header not allowed for this sender\r\n")) << last.wire;
    send(tx + "From: me@example.com\r\nSender: boss@bank.test\r\n\r\nbody\r\n.\r\n");
    EXPECT_TRUE(last.wire.ends_with("550 5.7.1 From header not allowed for this sender\r\n")) << last.wire;
    send(tx + "From: (no address)\r\n\r\nbody\r\n.\r\n");
    EXPECT_TRUE(last.wire.ends_with("550 5.6.0 Malformed From or Sender header\r\n")) << last.wire;
    // The AUTH address, another address on the account's domain, or no From: at all pass.
    for (const char* header : {"From: Sender <sender@example.com>\r\n", "From: news@example.com\r\n", ""}) {
        send(tx + header + "Subject: x\r\n\r\nbody\r\n.\r\n");
        ASSERT_EQ(last.action.kind, ActionKind::commit_message) << header;
        session->on_commit_result({true, 1, {}});
    }
}

TEST_F(SessionTest, HeaderFromPolicyAnyChecksNothing) {
    limits.from_header_policy = FromHeaderPolicy::any;
    start();
    login();
    send("MAIL FROM:<sender@example.com>\r\nRCPT TO:<a@b.test>\r\nDATA\r\nFrom: "
         "x@bank.test\r\n\r\nb\r\n.\r\n");
    EXPECT_EQ(last.action.kind, ActionKind::commit_message);
}

TEST_F(SessionTest, InvalidUtf8AddressRefusedAtMailAndRcpt) {
    start();
    login("\xc3\xa9@example.com");
    EXPECT_EQ(send("MAIL FROM:<\xc3@example.com> SMTPUTF8\r\n"), "501 5.1.7 Bad sender address syntax\r\n");
    EXPECT_EQ(send("MAIL FROM:<\xc3\xa9@example.com> SMTPUTF8\r\n"), "250 Mail Ok\r\n");
    EXPECT_EQ(send("RCPT TO:<\xff\xfe@b.test>\r\n"), "501 5.1.3 Bad recipient address syntax\r\n");
    EXPECT_EQ(send("RCPT TO:<\xe7\x94\xa8@b.test>\r\n"), "250 Rcpt Ok\r\n");
}

TEST_F(SessionTest, RefusalsAreReportedWithTheirCommand) {
    start();
    std::vector<std::string> seen;
    session->observe_refusals([&](std::string_view command, const Reply& r) {
        seen.push_back(std::string(command) + " " + std::to_string(r.code));
    });
    login();
    send("MAIL FROM:<other@example.com>\r\nMAIL FROM:<sender@example.com>\r\nRCPT TO:<bad address>\r\nNOOP "
         "x\r\n");
    EXPECT_EQ(seen, (std::vector<std::string>{"MAIL 553", "RCPT 501"}));
}

} // namespace mailpush::smtp::test
