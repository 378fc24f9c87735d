// Recipients over max_recipients are not client errors: an MTA sends its whole list and the
// rest in another transaction, so neither style's reply counts toward max_errors.
#include "session_fixture.hpp"

namespace mailpush::smtp::test {
namespace {

std::string rcpt(int i) {
    return "RCPT TO:<r" + std::to_string(i) + "@dest.test>\r\n";
}

class RecipientLimitErrors : public SessionTest, public ::testing::WithParamInterface<ReplyStyle> {
protected:
    std::string over_limit() const {
        return GetParam() == ReplyStyle::rfc ? "452 4.5.3 Too many recipients\r\n"
                                             : "556 The number of RCPTs is over size\r\n";
    }
    void login_any_style() {
        send("EHLO client.test\r\n");
        send("AUTH PLAIN " + plain_ir("sender@example.com", "Secret123ab") + "\r\n");
        ASSERT_EQ(last.action.kind, ActionKind::verify_credentials);
        last = session->on_auth_result(AuthVerdict::ok);
        ASSERT_EQ(last.wire.substr(0, 4), "235 ");
    }
    // MAIL, `count` RCPTs, DATA and a message; returns the number of over-limit replies.
    int transaction(int count) {
        send("MAIL FROM:<sender@example.com>\r\n");
        int over = 0;
        for (int i = 0; i < count; ++i) {
            const auto out = send(rcpt(i));
            EXPECT_FALSE(last.close) << "closed at RCPT " << i + 1;
            if (out == over_limit())
                ++over;
            else
                EXPECT_EQ(out.substr(0, 4), "250 ") << out;
        }
        send("DATA\r\n");
        send("From: <sender@example.com>\r\nSubject: t\r\n\r\nbody\r\n.\r\n");
        EXPECT_EQ(last.action.kind, ActionKind::commit_message);
        EXPECT_EQ(last.action.envelope.recipients.size(),
                  std::min<std::size_t>(static_cast<std::size_t>(count), limits.max_recipients));
        CommitResult ok;
        ok.ok = true;
        ok.envid = 1;
        last = session->on_commit_result(ok);
        EXPECT_EQ(last.wire.substr(0, 4), "250 ") << last.wire;
        return over;
    }
};

TEST_P(RecipientLimitErrors, FiftyOneRecipientsKeepTheTransaction) {
    limits.max_errors = 20;
    start(GetParam());
    login_any_style();
    EXPECT_EQ(transaction(51), 21);
    EXPECT_FALSE(session->closed());
}

TEST_P(RecipientLimitErrors, SeveralOverLimitTransactionsOnOneConnection) {
    limits.max_errors = 5;
    start(GetParam());
    login_any_style();
    for (int t = 0; t < 4; ++t)
        EXPECT_EQ(transaction(40), 10) << "transaction " << t;
    EXPECT_FALSE(session->closed());
    // Real errors still count.
    for (unsigned i = 0; i + 1 < limits.max_errors; ++i)
        send("BOGUS\r\n");
    EXPECT_FALSE(last.close);
    send("BOGUS\r\n");
    EXPECT_TRUE(last.close);
}

INSTANTIATE_TEST_SUITE_P(Styles, RecipientLimitErrors,
                         ::testing::Values(ReplyStyle::directmail, ReplyStyle::rfc));

} // namespace
} // namespace mailpush::smtp::test
