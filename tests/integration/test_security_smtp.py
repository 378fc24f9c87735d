"""SMTP AUTH and submission hardening, against the real server: the AUTH gate decides before the
password check, unknown users cost a check, old password hashes are upgraded, header From: belongs
to the sender, invalid UTF-8 addresses are refused at RCPT, and refusals are logged with a reason."""
import base64
import hashlib
import socket
import sqlite3
import threading
import tomllib
from pathlib import Path

from harness import PASSWORD, SENDER, RawClient, read_queue, wait_for

REPO = Path(__file__).resolve().parents[2]


def plain_ir(user, password):
    return base64.b64encode(b"\0" + user.encode() + b"\0" + password.encode()).decode()


def client_from(srv, source_ip, listener="plain"):
    """A RawClient whose connection comes from `source_ip` (any 127.0.0.0/8 address on Linux)."""
    c = RawClient.__new__(RawClient)
    c.sock = socket.create_connection(("127.0.0.1", srv.ports[listener]), timeout=15, source_address=(source_ip, 0))
    c.buf = b""
    return c


def auth_metric(srv, result):
    return srv.metric(f'mailpush_smtp_auth_total{{result="{result}"}}') or 0


def parallel_auths(srv, passwords, helo="attacker.test"):
    """One connection per password from one IP, each ready after EHLO, all sending AUTH PLAIN as
    SENDER at the same moment. Returns the final reply of each."""
    n = len(passwords)
    clients = []
    for _ in range(n):
        c = RawClient(srv.ports["plain"])
        c.reply()
        c.cmd(f"EHLO {helo}")
        clients.append(c)
    go = threading.Barrier(n)
    replies = [None] * n

    def attempt(i):
        go.wait(timeout=30)
        replies[i] = clients[i].cmd("AUTH PLAIN " + plain_ir(SENDER, passwords[i]))

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    for c in clients:
        c.close()
    return replies


def parallel_wrong_attempts(srv, n=30):
    """n different wrong passwords at the same moment."""
    return parallel_auths(srv, [f"Wrong{i:04d}ab" for i in range(n)])


def test_thirty_parallel_wrong_passwords_get_at_most_the_concurrency_cap_of_checks(make_server):
    srv = make_server(smtp="auth_failures_per_ip = 20\nauth_concurrent_per_ip = 4")
    # A check as slow as a production one (64 MiB), so the 30 attempts overlap.
    srv.config.write_text(srv.config.read_text().replace("argon2_memory_kib = 64\n", "argon2_memory_kib = 65536\n"))
    srv.start().provision()
    replies = parallel_wrong_attempts(srv)
    checked = [r for r in replies if r.startswith("535 ")]
    refused = [r for r in replies if r.startswith("454 4.7.0 ")]
    assert len(checked) + len(refused) == 30, replies
    assert 1 <= len(checked) <= 4, replies
    # The metric counts password checks that failed: exactly the 535s, never more than the limit.
    assert auth_metric(srv, "failure") == len(checked)
    assert "security event=auth_throttled ip=127.0.0.1" in srv.log()


def test_thirty_parallel_wrong_passwords_never_overrun_the_ip_budget(make_server):
    # With no concurrency cap in the way, the checks in flight are reservations on the budget.
    srv = make_server(smtp="auth_failures_per_ip = 20\nauth_concurrent_per_ip = 100\nauth_failures_per_address = 100")
    srv.start().provision()
    replies = parallel_wrong_attempts(srv)
    checked = [r for r in replies if r.startswith("535 ")]
    assert len(checked) <= 20, replies
    assert auth_metric(srv, "failure") == len(checked) <= 20
    assert auth_metric(srv, "failure") + auth_metric(srv, "throttled") == 30
    assert "reason=ip_throttled" in srv.log()


def test_thirty_parallel_copies_of_one_wrong_password_each_cost_the_ip_a_failure(make_server):
    # They share one check (password_flights), but each copy is a guess against the budget of 20:
    # exactly 20 get 535 and the others 454, whichever of them ran the check.
    srv = make_server(smtp="auth_failures_per_ip = 20\nauth_concurrent_per_ip = 100\nauth_failures_per_address = 100")
    srv.config.write_text(srv.config.read_text().replace("argon2_memory_kib = 64\n", "argon2_memory_kib = 65536\n"))
    srv.start().provision()
    replies = parallel_auths(srv, ["Wrong2026abcd"] * 30)
    failed = [r for r in replies if r.startswith("535 ")]
    throttled = [r for r in replies if r.startswith("454 4.7.0 Too many authentication failures")]
    assert (len(failed), len(throttled)) == (20, 10), replies
    assert (auth_metric(srv, "failure"), auth_metric(srv, "throttled")) == (20, 10)
    assert "reason=ip_throttled" in srv.log()


def test_an_application_opening_twenty_connections_at_once_gets_in_on_one_check(make_server):
    """A cold login cache and 20 simultaneous AUTHs of one address with its right password, from
    one IP, with the default cap of 4 checks per IP: one check runs, the others wait for its
    verdict; nobody gets 454. The same wrong password 20 times: one check, 20 535s (20 failures
    of the IP's budget, so the budget here is larger than that)."""
    srv = make_server(smtp="auth_failures_per_ip = 50")
    srv.config.write_text(srv.config.read_text().replace("argon2_memory_kib = 64\n", "argon2_memory_kib = 65536\n"))
    srv.start().provision()
    n = 20

    def burst(password):
        return parallel_auths(srv, [password] * n, helo="app.test")

    wrong = burst("Wrong2026abcd")
    assert all(r.startswith("535 ") for r in wrong), wrong
    replies = burst(PASSWORD)
    assert all(r.startswith("235 ") for r in replies), replies
    assert "auth_throttled" not in srv.log()


def test_unknown_user_is_checked_and_logged_without_the_password(server):
    c = RawClient(server.ports["plain"])
    assert c.login("nobody@example.com", "Guess2026xy") == "535 Authentication failure"
    c.close()
    c = RawClient(server.ports["plain"])
    assert c.login(SENDER, "Wrong2026xy") == "535 Authentication failure"
    c.close()
    log = wait_for(lambda: (l := server.log()).count("security event=auth_failed") >= 2 and l, 10, "auth events")
    assert "user=nobody@example.com result=fail reason=unknown_user" in log
    assert f"user={SENDER} result=fail reason=bad_password" in log
    assert "account=acme" in log  # the known address's account is named
    # A check ran for both (the dummy hash for the unknown user), and no secret reached the log.
    assert auth_metric(server, "failure") == 2
    for secret in ("Guess2026xy", "Wrong2026xy", plain_ir("nobody@example.com", "Guess2026xy")):
        assert secret not in log


def test_an_address_guessed_from_many_ips_pauses_but_is_never_locked(make_server):
    srv = make_server(smtp="auth_failures_per_ip = 100\nauth_failures_per_address = 3").start().provision()
    for i in range(3):
        c = client_from(srv, f"127.0.0.{10 + i}")
        assert c.login(SENDER, "Wrong2026xy") == "535 Authentication failure"
        c.close()
    # A fourth IP is told to come back later, without a check; other addresses are not affected.
    c = client_from(srv, "127.0.0.20")
    assert c.login(SENDER, "Wrong2026xy").startswith("454 4.7.0 ")
    c.close()
    assert auth_metric(srv, "failure") == 3
    c = client_from(srv, "127.0.0.21")
    assert c.login("nobody@example.com", "Wrong2026xy") == "535 Authentication failure"
    c.close()
    assert "reason=address_paused" in srv.log()

    # The pause is short (1 s after the limit): the owner gets in once it is over.
    def owner_logs_in():
        owner = client_from(srv, "127.0.0.30")
        try:
            return owner.login(SENDER, PASSWORD) == "235 Authentication successful"
        finally:
            owner.close()

    wait_for(owner_logs_in, 15, "the owner's login after the pause", pause=0.2)


def pbkdf2_hash(password, iterations=1000):
    salt = b"0123456789abcdef"
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations, 32)
    return f"pbkdf2-sha256${iterations}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def stored_hash(srv, address=SENDER):
    db = sqlite3.connect(f"file:{srv.data / 'store.db'}?mode=ro", uri=True, timeout=5)
    try:
        return db.execute("SELECT password_hash FROM addresses WHERE address=?", (address,)).fetchone()[0]
    finally:
        db.close()


def test_a_legacy_pbkdf2_hash_is_upgraded_to_argon2id_on_the_next_login(server):
    assert stored_hash(server).startswith("$argon2id$v=19$")  # new passwords
    server.stop()
    db = sqlite3.connect(server.data / "store.db", timeout=5)
    db.execute("UPDATE addresses SET password_hash=? WHERE address=?", (pbkdf2_hash(PASSWORD), SENDER))
    db.commit()
    db.close()
    server.start()
    c = RawClient(server.ports["plain"])
    assert c.login(SENDER, "Wrong2026xy") == "535 Authentication failure"  # a failure upgrades nothing
    c.close()
    assert stored_hash(server).startswith("pbkdf2-sha256$")
    c = RawClient(server.ports["plain"])
    assert c.login() == "235 Authentication successful"
    c.close()
    wait_for(lambda: stored_hash(server).startswith("$argon2id$"), 10, "the upgraded hash")
    assert f"auth.rehash user={SENDER}" in server.log()
    c = RawClient(server.ports["plain"])
    assert c.login() == "235 Authentication successful"  # the new hash proves the same password
    c.close()


def submit(srv, message, mail_from=SENDER):
    c = RawClient(srv.ports["plain"])
    assert c.login() == "235 Authentication successful"
    assert c.cmd(f"MAIL FROM:<{mail_from}>") == "250 Mail Ok"
    assert c.cmd("RCPT TO:<rcpt@dest.test>") == "250 Rcpt Ok"
    assert c.cmd("DATA").startswith("354 ")
    reply = c.cmd(message.replace("\n", "\r\n") + "\r\n.")
    c.close()
    return reply


def test_a_spoofed_header_from_is_refused_after_data_and_nothing_is_stored(server):
    spoof = 'From: "Your Bank" <security@bank.test>\nTo: rcpt@dest.test\nSubject: verify\n\nclick'
    assert submit(server, spoof) == "550 5.7.1 From header not allowed for this sender"
    assert submit(server, f"From: {SENDER}\nSender: boss@bank.test\n\nx") == \
        "550 5.7.1 From header not allowed for this sender"
    assert submit(server, f"From: {SENDER}, boss@bank.test\n\nx") == "550 5.7.1 From header not allowed for this sender"
    # Whitespace before the colon is still a From:/Sender: field (RFC 5322 obsolete syntax).
    assert submit(server, "From : security@bank.test\n\nx") == "550 5.7.1 From header not allowed for this sender"
    assert submit(server, f"From: {SENDER}\nSender\t: boss@bank.test\n\nx") == \
        "550 5.7.1 From header not allowed for this sender"
    assert submit(server, "From: nobody\n\nx") == "550 5.6.0 Malformed From or Sender header"
    assert read_queue(server.data) == {}
    assert 'smtp.refused' in server.log() and 'reason="From header not allowed for this sender"' in server.log()
    # The AUTH address with a display name, and another address of the account's domain, pass.
    assert submit(server, f"From: =?utf-8?B?5byg5LiJ?= <{SENDER}>\n\nx").startswith("250 ")
    assert submit(server, "From: News <news@EXAMPLE.com>\n\nx").startswith("250 ")
    assert len(read_queue(server.data)) == 2


def test_from_header_policy_any_lets_it_through(make_server):
    srv = make_server(smtp='from_header_policy = "any"').start().provision()
    assert submit(srv, "From: security@bank.test\n\nx").startswith("250 ")


def test_invalid_utf8_recipient_refused_at_rcpt_and_logged(server):
    c = RawClient(server.ports["plain"])
    assert c.login() == "235 Authentication successful"
    assert c.cmd(f"MAIL FROM:<{SENDER}> SMTPUTF8") == "250 Mail Ok"
    c.send(b"RCPT TO:<\xff\xfe@dest.test>\r\n")
    assert c.reply() == ["501 5.1.3 Bad recipient address syntax"]
    c.send("RCPT TO:<用户@dest.test>\r\n".encode())
    assert c.reply() == ["250 Rcpt Ok"]
    c.close()
    wait_for(lambda: 'cmd=RCPT code=501 reason="Bad recipient address syntax"' in server.log(), 10, "the log line")


def test_production_template_requires_tls_for_auth_on_25_but_not_on_80():
    cfg = tomllib.loads((REPO / "config/mailpushd.toml").read_text())
    by_port = {l["port"]: l for l in cfg["listener"]}
    assert by_port[25].get("auth_requires_tls") is True
    assert by_port[80].get("auth_requires_tls", False) is False  # cleartext AUTH on 80: docs/security.md
    assert by_port[465]["tls"] == "implicit"
