// Both session cores report every state change to their observer, in order, and only real changes.
#include "session_fixture.hpp"

#include "mailpush/smtp/client_session.hpp"

#include <utility>
#include <vector>

namespace mailpush::smtp::test {
namespace {

template <class Session>
class TransitionLog {
public:
    using State = typename Session::State;
    explicit TransitionLog(Session& session) {
        session.observe_transitions([this](State from, State to) { seen_.emplace_back(from, to); });
    }
    // The transitions seen since the last call.
    std::vector<std::pair<State, State>> take() { return std::exchange(seen_, {}); }

private:
    std::vector<std::pair<State, State>> seen_;
};

using S = ServerSession::State;
using C = ClientSession::State;
using ServerSteps = std::vector<std::pair<S, S>>;
using ClientSteps = std::vector<std::pair<C, C>>;

} // namespace

TEST_F(SessionTest, EveryServerTransitionIsReported) {
    start();
    TransitionLog log(*session);
    send("EHLO c\r\nMAIL FROM:<a@b.c>\r\n"); // refused before AUTH: no state change
    EXPECT_EQ(log.take(), ServerSteps{});

    send("AUTH PLAIN " + plain_ir("sender@example.com", "pw") + "\r\n");
    EXPECT_EQ(log.take(), (ServerSteps{{S::command, S::waiting}}));
    session->on_auth_result(AuthVerdict::ok);
    EXPECT_EQ(log.take(), (ServerSteps{{S::waiting, S::command}}));

    send("MAIL FROM:<sender@example.com>\r\nRCPT TO:<r@x.test>\r\nDATA\r\n");
    EXPECT_EQ(log.take(), (ServerSteps{{S::command, S::data}}));
    send("Subject: t\r\n\r\nbody\r\n.\r\n");
    EXPECT_EQ(log.take(), (ServerSteps{{S::data, S::waiting}}));
    EXPECT_EQ(session->state(), S::waiting);
    session->on_commit_result(CommitResult{true, 7, std::nullopt});
    EXPECT_EQ(log.take(), (ServerSteps{{S::waiting, S::command}}));

    send("QUIT\r\n");
    EXPECT_EQ(log.take(), (ServerSteps{{S::command, S::closed}}));
}

TEST_F(SessionTest, AuthLoginAndStarttlsTransitionsAreReported) {
    start();
    TransitionLog log(*session);
    send("EHLO c\r\nAUTH LOGIN\r\n");
    EXPECT_EQ(log.take(), (ServerSteps{{S::command, S::auth_login_user}}));
    send(common::base64_encode("u@x.y") + "\r\n");
    EXPECT_EQ(log.take(), (ServerSteps{{S::auth_login_user, S::auth_login_pass}}));
    send("*\r\n");
    EXPECT_EQ(log.take(), (ServerSteps{{S::auth_login_pass, S::command}}));

    send("STARTTLS\r\n");
    EXPECT_EQ(log.take(), (ServerSteps{{S::command, S::waiting}}));
    session->on_tls_established();
    EXPECT_EQ(log.take(), (ServerSteps{{S::waiting, S::command}}));
    session->on_timeout();
    EXPECT_EQ(log.take(), (ServerSteps{{S::command, S::closed}}));
}

TEST(ClientTransitions, EveryClientTransitionIsReported) {
    ClientSession c{ClientOptions{"mx.me", false}};
    TransitionLog log(c);
    c.on_input("220 x.test ESMTP\r\n");
    EXPECT_EQ(log.take(), (ClientSteps{{C::greeting, C::ehlo}}));
    c.on_input("250 x.test\r\n");
    EXPECT_EQ(log.take(), (ClientSteps{{C::ehlo, C::ready}}));

    c.submit({"s@example.com", {"a@x.test"}, "Subject: t\r\n\r\nbody\r\n", false, false, ""});
    EXPECT_EQ(log.take(), (ClientSteps{{C::ready, C::mail}}));
    c.on_input("250 ok\r\n");
    EXPECT_EQ(log.take(), (ClientSteps{{C::mail, C::rcpt}}));
    c.on_input("550 5.1.1 no such user\r\n"); // the only recipient refused: RSET
    EXPECT_EQ(log.take(), (ClientSteps{{C::rcpt, C::rset}}));
    c.on_input("250 ok\r\n");
    EXPECT_EQ(log.take(), (ClientSteps{{C::rset, C::ready}}));

    c.quit();
    EXPECT_EQ(log.take(), (ClientSteps{{C::ready, C::quit}}));
    c.on_input("221 bye\r\n");
    EXPECT_EQ(log.take(), (ClientSteps{{C::quit, C::closed}}));
}

TEST(ClientTransitions, StateNamesAreDistinct) {
    EXPECT_EQ(to_string(S::auth_login_pass), "auth_login_pass");
    EXPECT_EQ(to_string(C::starttls), "starttls");
    EXPECT_NE(to_string(C::data), to_string(C::body));
}

} // namespace mailpush::smtp::test
