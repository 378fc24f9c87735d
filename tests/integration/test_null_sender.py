"""A null reverse-path (MAIL FROM:<>) reaches the account's own addresses and nothing else: never
a recipient list's alias, however the alias and a sender address differ in case or whichever was
created first, and its header From: passes the same check as any message's."""
import pytest

from harness import SENDER, RawClient, envid_of, wait_for

REFUSED_RCPT = "550 5.7.1 A null sender may only send to the account's own addresses"


@pytest.fixture
def srv(make_server, sink):
    return make_server(routes=(("*", f"smtp://127.0.0.1:{sink.port}"),)).start().provision()


def add_list(srv, name, alias, members):
    srv.ctl("list", "add", "acme", name, alias)
    rows = srv.dir / f"{name}.txt"
    rows.write_text("\n".join(members) + "\n")
    srv.ctl("list", "upload", "acme", name, str(rows))


def null_sender_rcpt(srv, rcpt):
    c = RawClient(srv.ports["plain"])
    c.login()
    assert c.cmd("MAIL FROM:<>") == "250 Mail Ok"
    reply = c.cmd(f"RCPT TO:<{rcpt}>")
    c.close()
    return reply


def test_an_alias_differing_from_a_sender_only_in_case_cannot_be_created(srv):
    srv.ctl("address", "add", "acme", "News@example.com")
    r = srv.ctl("list", "add", "acme", "news", "news@example.com", check=False)
    assert r.returncode != 0 and "the alias is a sender address" in r.stderr, r
    assert "news@example.com" not in srv.ctl("list", "list", "acme").stdout.lower()
    # The sender address alone is the account's own: a bounce to it is accepted, to nobody else.
    assert null_sender_rcpt(srv, "News@example.com") == "250 Rcpt Ok"


def test_a_sender_address_cannot_be_created_over_an_existing_alias(srv):
    add_list(srv, "team", "team@example.com", ["stranger1@elsewhere.test", "stranger2@elsewhere.test"])
    for address in ("team@example.com", "Team@example.com", "TEAM@EXAMPLE.COM"):
        r = srv.ctl("address", "add", "acme", address, check=False)
        assert r.returncode != 0 and "recipient list's alias" in r.stderr, (address, r)
    assert "team@" not in srv.ctl("address", "list", "acme").stdout.lower()
    for rcpt in ("team@example.com", "Team@example.com"):
        assert null_sender_rcpt(srv, rcpt) == REFUSED_RCPT


def test_an_alias_is_never_a_null_sender_recipient(srv, sink):
    add_list(srv, "staff", "staff@lists.test", ["s1@elsewhere.test"])
    assert null_sender_rcpt(srv, "staff@lists.test") == REFUSED_RCPT
    assert null_sender_rcpt(srv, "STAFF@lists.test") == REFUSED_RCPT
    # With a sender MAIL FROM the alias still reaches its members.
    c = RawClient(srv.ports["plain"])
    c.login()
    assert c.cmd(f"MAIL FROM:<{SENDER}>") == "250 Mail Ok"
    assert c.cmd("RCPT TO:<staff@lists.test>") == "250 Rcpt Ok"
    assert c.cmd("DATA").startswith("354")
    assert c.cmd(f"From: <{SENDER}>\r\nSubject: hi\r\n\r\nx\r\n.").startswith("250 Data Ok")
    c.close()
    assert [m[1] for m in sink.handler.wait_for(1)] == [["s1@elsewhere.test"]]


def null_sender_message(srv, rcpt, from_header):
    c = RawClient(srv.ports["plain"])
    c.login()
    assert c.cmd("MAIL FROM:<>") == "250 Mail Ok"
    assert c.cmd(f"RCPT TO:<{rcpt}>") == "250 Rcpt Ok"
    assert c.cmd("DATA").startswith("354")
    reply = c.cmd(f"From: {from_header}\r\nSubject: Undelivered Mail Returned to Sender\r\n\r\nbounce\r\n.")
    c.close()
    return reply


def test_a_forged_from_on_a_null_sender_message_is_refused(srv):
    for forged in ("ceo@bank.test", "MAILER-DAEMON@relay.example (Mail Delivery System)"):
        assert null_sender_message(srv, SENDER, forged) == "550 5.7.1 From header not allowed for this sender"
    assert srv.queue() == []


def test_own_bounce_to_own_address_is_accepted_and_delivered(srv, sink):
    reply = null_sender_message(srv, SENDER, "MAILER-DAEMON@example.com (Mail Delivery System)")
    assert reply.startswith("250 Data Ok"), reply
    envid_of(reply)
    msgs = sink.handler.wait_for(1)
    assert msgs[0][0] in ("", "<>") and [a.lower() for a in msgs[0][1]] == [SENDER], msgs
    wait_for(lambda: srv.queue() == [], 30, "the bounce left the queue")
