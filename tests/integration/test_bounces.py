"""Honest bounces with the real mailpushd delivering to scripted receivers on loopback: expiry
is not a bad address, policy refusals are not bad addresses, a broken STARTTLS falls back to
plain text unless the domain requires TLS, recipients over the limit get 452 in the rfc style,
a null reverse-path is accepted for the account's own addresses, and DSN is not offered."""
import json
import socketserver
import threading

from aiosmtpd.controller import Controller

from harness import SENDER, RawClient, envid_of, wait_for
from sink import free_port

OTHER_SENDER = "billing@example.com"  # a second sender address of the same account


class Receiver:
    """A scripted receiver (aiosmtpd): the local part chooses the reply to RCPT."""

    def __init__(self):
        self.messages = []  # (mail_from, [rcpts])
        self.lock = threading.Lock()
        self.controller = Controller(self, hostname="127.0.0.1", port=free_port())
        self.controller.start()
        self.port = self.controller.port

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0].lower()
        if local.startswith("tempunknown"):
            return f"450 4.1.1 <{address}>: Recipient address rejected: User unknown"
        if local.startswith("policy"):
            return "550 5.7.1 Message rejected due to local policy"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 2.0.0 Ok"

    def stop(self):
        self.controller.stop()


class BrokenTlsReceiver:
    """Offers STARTTLS, answers 220 to it and then answers the ClientHello with garbage; in
    plain text it takes the mail. Counts STARTTLS attempts and keeps what it received."""

    def __init__(self):
        self.starttls, self.messages, self.lock = 0, [], threading.Lock()
        outer = self

        class Handler(socketserver.StreamRequestHandler):
            timeout = 30

            def handle(self):
                w = self.wfile
                w.write(b"220 broken.test ESMTP\r\n")
                mail_from, rcpts = None, []
                for _ in range(100):  # bounded: a session is a handful of commands
                    line = self.rfile.readline(1000)
                    if not line:
                        return
                    cmd = line.decode(errors="replace").strip()
                    verb = cmd.split(" ", 1)[0].upper()
                    if verb == "EHLO":
                        w.write(b"250-broken.test\r\n250-8BITMIME\r\n250 STARTTLS\r\n")
                    elif verb == "STARTTLS":
                        with outer.lock:
                            outer.starttls += 1
                        w.write(b"220 go ahead\r\n")
                        self.request.recv(4096)  # the client's ClientHello, answered with garbage
                        w.write(b"this is not a TLS server hello\r\n" * 4)
                        return
                    elif verb == "MAIL":
                        mail_from = cmd[len("MAIL FROM:"):].strip()
                        w.write(b"250 ok\r\n")
                    elif verb == "RCPT":
                        rcpts.append(cmd[len("RCPT TO:"):].strip())
                        w.write(b"250 ok\r\n")
                    elif verb == "DATA":
                        w.write(b"354 go\r\n")
                        for _ in range(10000):
                            data = self.rfile.readline(10000)
                            if not data or data == b".\r\n":
                                break
                        with outer.lock:
                            outer.messages.append((mail_from, rcpts))
                        w.write(b"250 2.0.0 queued\r\n")
                    elif verb == "QUIT":
                        w.write(b"221 bye\r\n")
                        return
                    else:
                        w.write(b"250 ok\r\n")

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def send(srv, rcpts, mail_from=SENDER):
    c = RawClient(srv.ports["plain"])
    c.login()
    assert c.cmd(f"MAIL FROM:<{mail_from}>").startswith("250")
    for r in rcpts:
        assert c.cmd(f"RCPT TO:<{r}>").startswith("250"), r
    assert c.cmd("DATA").startswith("354")
    reply = c.cmd("Subject: bounce test\r\nFrom: <sender@example.com>\r\n\r\nhello\r\n.")
    c.close()
    return envid_of(reply)


def show(srv, envid):
    r = srv.ctl("--json", "queue", "show", str(envid), check=False)
    return json.loads(r.stdout) if r.returncode == 0 else None


def wait_info(srv, envid, predicate, what, timeout=30):
    """`queue show` of the message once predicate(info) holds (bounded)."""
    def probe():
        info = show(srv, envid)
        return info if info and info.get("recipients") and predicate(info) else None
    return wait_for(probe, timeout, f"message {envid}: {what}")


def final(srv, envid, timeout=30):
    return wait_info(srv, envid, lambda i: not i["queued"], "every recipient final", timeout)


def invalid_list(srv):
    return srv.ctl("invalid", "list").stdout


def rcpt_reply(srv, address):
    c = RawClient(srv.ports["plain"])
    c.login()
    c.cmd(f"MAIL FROM:<{SENDER}>")
    reply = c.cmd(f"RCPT TO:<{address}>")
    c.close()
    return reply


def events_of(srv, envid):
    return srv.ctl("events", "--env", str(envid)).stdout.splitlines()


def test_temporary_user_unknown_expires_and_is_not_an_invalid_address(make_server):
    rx = Receiver()
    try:
        srv = make_server(routes=(("*", f"smtp://127.0.0.1:{rx.port}"),),
                          delivery='retry_initial = "200ms"\nretry_max = "400ms"\nmax_lifetime = "2s"'
                          ).start().provision()
        # Twice: the invalid-address threshold is 2 hard bounces.
        for _ in range(2):
            envid = send(srv, ["tempunknown@dest.test"])
            info = final(srv, envid)
            r = info["recipients"][0]
            assert r["state"] == "expired", r
            assert r["failed_type"] == "SmtpTempErr" and r["status"] == 4, r
            assert r["attempts"] >= 2, r
            assert r["last_reply"].startswith("450 4.4.7 Delivery time expired after "), r
            assert "last reply: 450 4.1.1 <tempunknown@dest.test>" in r["last_reply"], r
            ev = events_of(srv, envid)
            assert len(ev) == 1 and "&status=4&" in ev[0] and ev[0].endswith("&failed_type=SmtpTempErr"), ev
            assert "&err_code=450&err_msg=450 4.4.7 Delivery time expired" in ev[0], ev
        assert "tempunknown@dest.test" not in invalid_list(srv)
        assert rcpt_reply(srv, "tempunknown@dest.test") == "250 Rcpt Ok"  # not 559 Invalid rcptto
        # Statistics count it as failed, not invalid.
        stats = json.loads(srv.ctl("--json", "stats", "acme").stdout)
        assert sum(s["invalid"] for s in stats) == 0 and sum(s["failed"] for s in stats) == 2, stats
        assert "delivery.result" in srv.log() and "state=expired" in srv.log()
    finally:
        rx.stop()


def test_policy_refusal_fails_but_is_not_an_invalid_address(make_server):
    rx = Receiver()
    try:
        srv = make_server(routes=(("*", f"smtp://127.0.0.1:{rx.port}"),)).start().provision()
        for _ in range(2):
            envid = send(srv, ["policy@dest.test"])
            r = final(srv, envid)["recipients"][0]
            assert r["state"] == "failed" and r["status"] == 4 and r["failed_type"] == "SmtpZPermErr", r
        assert "policy@dest.test" not in invalid_list(srv)
        assert rcpt_reply(srv, "policy@dest.test") == "250 Rcpt Ok"
        stats = json.loads(srv.ctl("--json", "stats", "acme").stdout)
        assert sum(s["invalid"] for s in stats) == 0, stats
    finally:
        rx.stop()


def test_failed_starttls_handshake_falls_back_to_plain_text(make_server):
    rx = BrokenTlsReceiver()
    try:
        srv = make_server(routes=(("*", f"smtp://127.0.0.1:{rx.port}"),)).start().provision()
        envid = send(srv, ["someone@dest.test"])
        r = final(srv, envid)["recipients"][0]
        assert r["state"] == "delivered", r
        assert rx.starttls == 1 and rx.messages == [(f"<{SENDER}>", ["<someone@dest.test>"])]
        log = srv.log()
        assert "delivery.tls_fallback host=127.0.0.1[127.0.0.1]:" in log and "error=" in log
        assert srv.metric("mailpush_delivery_tls_fallback_total") == 1
    finally:
        rx.stop()


def test_required_tls_is_never_downgraded(make_server):
    rx = BrokenTlsReceiver()
    try:
        srv = make_server(routes=(("*", f"smtp://127.0.0.1:{rx.port}"),),
                          delivery='retry_initial = "1h"\nrequire_tls_domains = ["Dest.test"]').start().provision()
        envid = send(srv, ["someone@dest.test"])
        info = wait_info(srv, envid, lambda i: i["recipients"][0]["state"] == "deferred", "deferred")
        r = info["recipients"][0]
        assert r["last_reply"].startswith("421 4.7.0 TLS handshake with"), r
        assert rx.starttls == 1 and rx.messages == []
        assert "delivery.tls_required" in srv.log() and "delivery.tls_fallback" not in srv.log()
        assert srv.metric("mailpush_delivery_tls_fallback_total") == 0
    finally:
        rx.stop()


def test_required_tls_refuses_a_host_without_starttls(make_server):
    rx = Receiver()  # offers no STARTTLS
    try:
        srv = make_server(routes=(("*", f"smtp://127.0.0.1:{rx.port}"),),
                          delivery='retry_initial = "1h"\nrequire_tls_domains = ["dest.test"]').start().provision()
        envid = send(srv, ["someone@dest.test", "someone@other.test"])
        info = wait_info(srv, envid, lambda i: sorted(x["state"] for x in i["recipients"]) == ["deferred", "delivered"],
                         "one deferred, one delivered")
        by = {x["address"]: x for x in info["recipients"]}
        assert by["someone@dest.test"]["state"] == "deferred"
        assert by["someone@dest.test"]["last_reply"].startswith("451 4.7.4 TLS is required"), by
        assert by["someone@other.test"]["state"] == "delivered"
        assert rx.messages == [(SENDER, ["someone@other.test"])]
    finally:
        rx.stop()


def test_recipients_over_the_limit_get_452_in_rfc_style(make_server):
    srv = make_server(smtp='reply_style = "rfc"').start().provision()
    c = RawClient(srv.ports["plain"])
    c.login()
    assert c.cmd(f"MAIL FROM:<{SENDER}>") == "250 2.1.0 Mail Ok"
    replies = [c.cmd(f"RCPT TO:<r{i}@dest.test>") for i in range(1, 36)]
    assert replies[:30] == ["250 2.1.5 Rcpt Ok"] * 30
    assert replies[30:] == ["452 4.5.3 Too many recipients"] * 5
    assert c.cmd("DATA").startswith("354")
    assert c.cmd("Subject: x\r\n\r\nbody\r\n.").startswith("250 2.0.0 Data Ok")
    c.close()


def test_recipients_over_the_limit_keep_556_in_directmail_style(server):
    c = RawClient(server.ports["plain"])
    c.login()
    c.cmd(f"MAIL FROM:<{SENDER}>")
    for i in range(1, 31):
        assert c.cmd(f"RCPT TO:<r{i}@dest.test>") == "250 Rcpt Ok"
    assert c.cmd("RCPT TO:<r31@dest.test>") == "556 The number of RCPTs is over size"
    c.close()


def test_null_sender_to_the_accounts_own_addresses(make_server):
    rx = Receiver()
    try:
        srv = make_server(routes=(("*", f"smtp://127.0.0.1:{rx.port}"),)).start().provision()
        srv.ctl("address", "add", "acme", OTHER_SENDER)
        srv.provision(account="other", domain="other.example", address="x@other.example")
        c = RawClient(srv.ports["plain"])
        c.login()
        assert c.cmd("MAIL FROM:<>") == "250 Mail Ok"
        assert c.cmd("RCPT TO:<someone@dest.test>") == \
            "550 5.7.1 A null sender may only send to the account's own addresses"
        assert c.cmd("RCPT TO:<x@other.example>") == \
            "550 5.7.1 A null sender may only send to the account's own addresses"  # another account's
        assert c.cmd(f"RCPT TO:<{SENDER}>") == "250 Rcpt Ok"
        assert c.cmd("RCPT TO:<billing@EXAMPLE.com>") == "250 Rcpt Ok"  # the domain is case-insensitive
        assert c.cmd("DATA").startswith("354")
        reply = c.cmd("From: MAILER-DAEMON@example.com (Mail Delivery System)\r\n"
                      "Subject: Undelivered Mail Returned to Sender\r\n\r\nbounce\r\n.")
        c.close()
        envid = envid_of(reply)
        info = final(srv, envid)
        assert {r["state"] for r in info["recipients"]} == {"delivered"}, info
        assert rx.messages and rx.messages[0][0] == "<>"  # delivered with MAIL FROM:<> (aiosmtpd keeps "<>")
        assert sorted(a.lower() for a in rx.messages[0][1]) == sorted([SENDER, OTHER_SENDER])
        # Without AUTH a null sender is inbound mail (docs/inbound.md): a foreign recipient is
        # relaying and refused like any unauthenticated one.
        c = RawClient(srv.ports["plain"])
        c.reply()
        c.cmd("EHLO client.test")
        assert c.cmd("MAIL FROM:<>") == "250 Mail Ok"
        assert c.cmd("RCPT TO:<someone@dest.test>") == "530 5.7.0 Authentication required"
        c.close()
    finally:
        rx.stop()


def test_dsn_is_not_offered_and_its_parameters_are_refused(server):
    c = RawClient(server.ports["plain"])
    c.reply()
    c.send("EHLO client.test\r\n")
    lines = c.reply()
    assert lines[0] == "250-mx.test" and not any("DSN" in line for line in lines), lines
    c.close()
    c = RawClient(server.ports["plain"])
    c.login()
    for mail in (f"MAIL FROM:<{SENDER}> RET=HDRS", f"MAIL FROM:<{SENDER}> ENVID=QQ314159"):
        assert c.cmd(mail) == "555 5.5.4 Unsupported MAIL/RCPT parameter"
    assert c.cmd(f"MAIL FROM:<{SENDER}>") == "250 Mail Ok"
    for rcpt in ("RCPT TO:<a@dest.test> NOTIFY=SUCCESS,FAILURE", "RCPT TO:<a@dest.test> ORCPT=rfc822;a@dest.test"):
        assert c.cmd(rcpt) == "555 5.5.4 Unsupported MAIL/RCPT parameter"
    assert c.cmd("DATA") == "554 5.5.1 No valid recipients"
    c.close()


def test_queued_recipient_whose_address_entered_the_library_is_sys_out_inv_rcpt(make_server):
    rx = Receiver()
    try:
        srv = make_server(routes=(("*", f"smtp://127.0.0.1:{rx.port}"),),
                          delivery='retry_initial = "300ms"\nretry_max = "300ms"').start().provision()
        envid = send(srv, ["tempunknown@dest.test", "someone@dest.test"])
        wait_info(srv, envid, lambda i: {x["address"]: x["state"] for x in i["recipients"]}.get(
            "tempunknown@dest.test") == "deferred", "deferred")
        srv.ctl("invalid", "add", "acme", "tempunknown@dest.test")
        info = final(srv, envid)
        r = {x["address"]: x for x in info["recipients"]}["tempunknown@dest.test"]
        assert r["state"] == "failed" and r["status"] == 2 and r["failed_type"] == "SysOutInvRcpt", r
        assert r["last_reply"] == "559 Invalid rcptto: in the account's invalid-address library", r
        ev = [e for e in events_of(srv, envid) if "rcpt=tempunknown@dest.test" in e]
        assert len(ev) == 1 and ev[0].endswith("&failed_type=SysOutInvRcpt") and "&status=2&" in ev[0], ev
    finally:
        rx.stop()
