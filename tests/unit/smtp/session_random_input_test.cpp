// Bounded randomized input against the session core: whatever arrives, every reply is a
// well-formed SMTP line, the session never emits a 250 for DATA without a commit action, and
// it never crashes (this test also runs under ASan+UBSan). Deterministic seeds: reproducible.
#include "session_fixture.hpp"

#include <random>

namespace mailpush::smtp::test {
namespace {
const std::vector<std::string> kFragments = {
    "EHLO x\r\n",
    "HELO y\r\n",
    "AUTH PLAIN ",
    "AUTH LOGIN\r\n",
    "MAIL FROM:<sender@example.com>\r\n",
    "MAIL FROM:<x@y> SIZE=99999999\r\n",
    "RCPT TO:<a@b.test>\r\n",
    "RCPT TO:<bad\r\n",
    "DATA\r\n",
    "\r\n.\r\n",
    ".\r\n",
    "..\r\n",
    "\n",
    "\r",
    "RSET\r\n",
    "NOOP\r\n",
    "STARTTLS\r\n",
    "AUTH PLAIN AHNlbmRlckBleGFtcGxlLmNvbQBwdw==\r\n", // \0sender@example.com\0pw
    "*\r\n",
    "=\r\n",
    "AGVzdA==\r\n",
    std::string("\0", 1),
    "\xff\xfe",
    std::string(300, 'A'),
    "VRFY\r\n",
    "BDAT 10\r\n",
    "MAIL FROM:<sender@example.com> SMTPUTF8 BODY=8BITMIME RET=FULL ENVID=x\r\n",
    "RCPT TO:<\xe4\xbd\xa0@b.c>\r\n"};

bool well_formed(const std::string& wire) {
    std::size_t pos = 0;
    while (pos < wire.size()) {
        const auto eol = wire.find("\r\n", pos);
        if (eol == std::string::npos) return false;
        const auto line = std::string_view(wire).substr(pos, eol - pos);
        if (line.size() < 4 || line[0] < '2' || line[0] > '5' || (line[3] != ' ' && line[3] != '-'))
            return false;
        if (line.find('\r') != std::string_view::npos || line.find('\n') != std::string_view::npos)
            return false;
        pos = eol + 2;
    }
    return true;
}
} // namespace

TEST_F(SessionTest, RandomInputNeverBreaksTheSession) {
    std::size_t steps = 0, commits = 0;
    for (unsigned seed = 1; seed <= 300; ++seed) {
        std::mt19937 rng(seed);
        limits.max_errors = 1000;
        limits.max_auth_failures = 1000;
        start(seed % 2 ? ReplyStyle::rfc : ReplyStyle::directmail);
        for (int step = 0; step < 200 && !session->closed(); ++step, ++steps) {
            std::string input;
            const int pieces = 1 + static_cast<int>(rng() % 4);
            for (int p = 0; p < pieces; ++p) {
                if (rng() % 5 == 0) {
                    std::string noise(rng() % 40, '\0');
                    for (auto& c : noise)
                        c = static_cast<char>(rng() % 256);
                    input += noise;
                } else {
                    input += kFragments[rng() % kFragments.size()];
                }
            }
            Output out = session->on_input(input);
            // Only a commit result may carry "Data Ok"; complete actions with random verdicts.
            bool from_commit = false; // `out` came from on_commit_result
            for (int guard = 0; guard < 10; ++guard) {
                ASSERT_TRUE(well_formed(out.wire)) << "seed " << seed << " wire " << out.wire;
                switch (out.action.kind) {
                case ActionKind::verify_credentials:
                    ASSERT_EQ(out.wire.find("Data Ok"), std::string::npos) << "seed " << seed;
                    out = session->on_auth_result(rng() % 2 ? AuthVerdict::ok : AuthVerdict::failed);
                    from_commit = false;
                    continue;
                case ActionKind::commit_message: {
                    ++commits;
                    const bool ok = rng() % 3 != 0;
                    out = session->on_commit_result({ok, ok ? 7u : 0u, {}});
                    from_commit = ok;
                    if (!ok) {
                        ASSERT_EQ(out.wire.find("Data Ok"), std::string::npos) << "seed " << seed;
                    }
                    continue;
                }
                case ActionKind::start_tls:
                    out = session->on_tls_established();
                    from_commit = false;
                    continue;
                case ActionKind::inbound_message:
                    ASSERT_EQ(out.action.envelope.recipients.size(), 1u) << "seed " << seed;
                    out = session->on_inbound_result(replies::report_accepted());
                    from_commit = false;
                    continue;
                case ActionKind::none:
                    if (!from_commit) {
                        ASSERT_EQ(out.wire.find("Data Ok"), std::string::npos) << "seed " << seed;
                    }
                    break;
                }
                break;
            }
        }
    }
    EXPECT_GT(steps, 10'000u); // the sessions really ran
    EXPECT_GT(commits, 10u);   // and reached the commit path
}

} // namespace mailpush::smtp::test
