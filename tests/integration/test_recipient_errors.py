"""Recipients over [limits] max_recipients do not count toward [smtp] max_errors: a relay sending
51 recipients, or several over-limit transactions on one connection, keeps its connection."""
import pytest

from harness import SENDER, RawClient, envid_of

OVER = {"rfc": "452 4.5.3 Too many recipients", "directmail": "556 The number of RCPTs is over size"}


@pytest.mark.parametrize("style", ["rfc", "directmail"])
def test_over_limit_recipients_keep_the_connection(make_server, style):
    srv = make_server(smtp=f'reply_style = "{style}"\nmax_errors = 5').start().provision()
    c = RawClient(srv.ports["plain"])
    c.login()
    for count in (51, 40, 40):  # three transactions, 21 + 10 + 10 over-limit replies
        assert c.cmd(f"MAIL FROM:<{SENDER}>").startswith("250")
        replies = [c.cmd(f"RCPT TO:<r{i}@dest.test>") for i in range(count)]
        assert all(r.startswith("250") for r in replies[:30]), replies[:30]
        assert replies[30:] == [OVER[style]] * (count - 30)
        assert c.cmd("DATA").startswith("354")
        envid_of(c.cmd(f"From: <{SENDER}>\r\nSubject: x\r\n\r\nbody\r\n."))
    assert c.cmd("NOOP").startswith("250")
    c.close()
