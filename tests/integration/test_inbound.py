"""Inbound mail on the SMTP listeners, with the real mailpushd delivering to a real receiver on
loopback: RFC 3464 reports become asynchronous bounces on the message sent, RFC 5965 complaints
suppress the recipient, human replies go to the verified reply-to address or are refused, and
nothing unauthenticated is relayed or lets a stranger bounce or suppress anyone."""
import email
import email.policy
import json
import re
import socketserver
import threading
import urllib.request

import pytest

from harness import RawClient, SENDER, envid_of, tls_context, wait_for

OTHER = "news@example.com"  # a second sender address of the account, without a reply-to


@pytest.fixture
def srv(make_server, sink):
    s = make_server(routes=(("*", f"smtp://127.0.0.1:{sink.port}"),)).start().provision()
    s.ctl("address", "add", "acme", OTHER)
    return s


def show(srv, envid):
    r = srv.ctl("--json", "queue", "show", str(envid), check=False)
    return json.loads(r.stdout) if r.returncode == 0 else None


def events(srv, envid):
    return srv.ctl("events", "--env", str(envid)).stdout.splitlines()


def send(srv, rcpt, message_id=None):
    """Submits one message with AUTH and waits until it was delivered; returns its envid."""
    c = RawClient(srv.ports["plain"])
    c.login()
    assert c.cmd(f"MAIL FROM:<{SENDER}>") == "250 Mail Ok"
    assert c.cmd(f"RCPT TO:<{rcpt}>") == "250 Rcpt Ok"
    assert c.cmd("DATA").startswith("354")
    mid = f"Message-ID: <{message_id}>\r\n" if message_id else ""
    envid = envid_of(c.cmd(f"From: {SENDER}\r\nTo: {rcpt}\r\n{mid}Subject: hello\r\n\r\nhi\r\n."))
    c.close()
    wait_for(lambda: len(events(srv, envid)) == 1, 30, f"message {envid} delivered")
    assert "status=0&" in events(srv, envid)[0]
    return envid


def inbound(srv, mail_from, rcpt, message, listener="smtp"):
    """One unauthenticated transaction on the port-25-style listener; the replies to MAIL, RCPT
    and the end of DATA (None where the dialogue stopped)."""
    c = RawClient(srv.ports[listener])
    c.reply()
    c.cmd("EHLO mx.remote.test")
    out = [c.cmd(f"MAIL FROM:<{mail_from}>")]
    out.append(c.cmd(f"RCPT TO:<{rcpt}>") if out[0].startswith("250") else None)
    if out[1] and out[1].startswith("250"):
        assert c.cmd("DATA").startswith("354")
        data = message.replace("\r\n.", "\r\n..")
        out.append(c.cmd(data + ("." if data.endswith("\r\n") else "\r\n.")))
    else:
        out.append(None)
    c.close()
    return out


def dsn(rcpt, envid="", message_id="", action="failed", status="5.1.1",
        diagnostic="550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown in local recipient table"):
    envid_line = f"Original-Envelope-Id: {envid}\r\n" if envid else ""
    return ("From: MAILER-DAEMON@mx.dest.test (Mail Delivery System)\r\n"
            f"To: {SENDER}\r\nSubject: Undelivered Mail Returned to Sender\r\nMIME-Version: 1.0\r\n"
            "Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"B0UND\"\r\n\r\n"
            "--B0UND\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n\r\n"
            "--B0UND\r\nContent-Type: message/delivery-status\r\n\r\n"
            f"Reporting-MTA: dns; mx.dest.test\r\n{envid_line}\r\n"
            f"Final-Recipient: rfc822; {rcpt}\r\nOriginal-Recipient: rfc822;{rcpt}\r\nAction: {action}\r\n"
            f"Status: {status}\r\nDiagnostic-Code: smtp; {diagnostic.format(rcpt=rcpt)}\r\n\r\n"
            "--B0UND\r\nContent-Type: text/rfc822-headers\r\n\r\n"
            f"Message-ID: <{message_id or 'unknown@nowhere.test'}>\r\nFrom: {SENDER}\r\nTo: {rcpt}\r\n"
            "Subject: hello\r\n\r\n--B0UND--\r\n")


def arf(rcpt, message_id, to_header=None):
    return ("From: <abuse-reports@isp.dest.test>\r\nTo: <abuse@example.com>\r\nSubject: FW: hello\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: multipart/report; report-type=feedback-report; boundary=\"ARF\"\r\n\r\n"
            "--ARF\r\nContent-Type: text/plain\r\n\r\nThis is an email abuse report.\r\n\r\n"
            "--ARF\r\nContent-Type: message/feedback-report\r\n\r\n"
            "Feedback-Type: abuse\r\nUser-Agent: SomeGenerator/1.0\r\nVersion: 1\r\n"
            f"Original-Mail-From: <{SENDER}>\r\n" + (f"Original-Rcpt-To: <{rcpt}>\r\n" if rcpt else "") +
            "Arrival-Date: Thu, 2 Dec 2026 14:00:00 +0000\r\nReported-Domain: example.com\r\n\r\n"
            "--ARF\r\nContent-Type: message/rfc822\r\nContent-Disposition: inline\r\n\r\n"
            f"From: <{SENDER}>\r\nTo: <{to_header or rcpt}>\r\nSubject: hello\r\nMessage-ID: <{message_id}>\r\n\r\n"
            "hi\r\n\r\n--ARF--\r\n")


def our_message_id(sink, index):
    raw = sink.handler.wait_for(index + 1)[index][2]
    return email.message_from_bytes(raw, policy=email.policy.default)["Message-ID"].strip("<>")


def test_failed_dsn_is_an_asynchronous_hard_bounce(srv, sink):
    envid = send(srv, "gone@dest.test")
    assert inbound(srv, "", SENDER, dsn("gone@dest.test", envid=envid)) == \
        ["250 Mail Ok", "250 Rcpt Ok", "250 2.0.0 Report accepted"]
    evs = events(srv, envid)
    assert len(evs) == 2, evs
    assert "status=0&" in evs[0] and "err_code=250" in evs[0]
    bounce = evs[1]
    assert f"env_id={envid}&" in bounce and "rcpt=gone@dest.test" in bounce
    assert "&status=2&event=deliver&" in bounce and "&failed_type=SmtpNxBox" in bounce
    assert "&err_code=550&err_msg=550 5.1.1 <gone@dest.test>: Recipient address rejected" in bounce
    info = show(srv, envid)
    assert info["recipients"][0]["state"] == "failed", info
    rows = json.loads(srv.ctl("--json", "details", "acme", "--rcpt", "gone@dest.test").stdout)
    assert [(r["status"], r["failed_type"]) for r in rows] == [(2, "SmtpNxBox")], rows
    # The same report again changes nothing; one hard bounce is below the threshold (2).
    assert inbound(srv, "", SENDER, dsn("gone@dest.test", envid=envid))[2] == "250 2.0.0 Report accepted"
    assert len(events(srv, envid)) == 2
    assert "gone@dest.test" not in srv.ctl("invalid", "list").stdout
    # A second message bounced later, found through our own Message-ID (no ENVID): now invalid.
    second = send(srv, "gone@dest.test")
    mid = our_message_id(sink, 1)
    assert mid.endswith(f".{second}@mx.test"), mid
    assert inbound(srv, "", "postmaster@example.com", dsn("gone@dest.test", message_id=mid))[2] == \
        "250 2.0.0 Report accepted"
    wait_for(lambda: "SmtpNxBox" in events(srv, second)[-1], 10, "the second bounce event")
    assert "gone@dest.test" in srv.ctl("invalid", "list").stdout
    c = RawClient(srv.ports["plain"])
    c.login()
    c.cmd(f"MAIL FROM:<{SENDER}>")
    assert c.cmd("RCPT TO:<gone@dest.test>") == "559 Invalid rcptto"
    c.close()
    assert srv.metric("mailpush_inbound_total") >= 3
    assert 'mailpush_inbound_total{kind="dsn",result="bounce"} 2' in srv.metrics_text()


def test_dsn_found_by_the_applications_own_message_id(srv):
    envid = send(srv, "full@dest.test", message_id="order-42@app.example.com")
    report = dsn("full@dest.test", message_id="order-42@app.example.com", status="5.2.2",
                 diagnostic="552 5.2.2 Mailbox full")
    assert inbound(srv, "", SENDER, report)[2] == "250 2.0.0 Report accepted"
    last = events(srv, envid)[-1]
    assert "&status=4&" in last and "&failed_type=SmtpRcptFreq" in last, last
    assert "full@dest.test" not in srv.ctl("invalid", "list").stdout  # mailbox full is not a bad address


def test_delayed_dsn_has_no_effect(srv):
    envid = send(srv, "slow@dest.test")
    report = dsn("slow@dest.test", envid=envid, action="delayed", status="4.4.1",
                 diagnostic="451 4.4.1 connection timed out")
    assert inbound(srv, "", SENDER, report)[2] == "250 2.0.0 Report accepted"
    assert len(events(srv, envid)) == 1
    assert show(srv, envid)["recipients"][0]["state"] == "delivered"
    assert "result=no_effect" in srv.log()


def test_forged_reports_change_nothing(srv):
    envid = send(srv, "real@dest.test")
    refused = "550 5.7.1 Report does not match a message this account sent to that recipient"
    # Never sent: an unknown envid, an unknown Message-ID, a real message but another recipient.
    assert inbound(srv, "", SENDER, dsn("real@dest.test", envid="987654321"))[2] == refused
    assert inbound(srv, "", SENDER, dsn("real@dest.test", message_id="nope@app.example.com"))[2] == refused
    assert inbound(srv, "", SENDER, dsn("other@dest.test", envid=envid))[2] == refused
    # Another account's domain cannot report on acme's message.
    srv.provision(account="rival", domain="rival.example", address="x@rival.example")
    assert inbound(srv, "", "x@rival.example", dsn("real@dest.test", envid=envid))[2] == refused
    # A complaint about someone who never had mail from the account.
    assert inbound(srv, "", "abuse@example.com", arf("stranger@dest.test", "x@y"))[2] == refused
    assert len(events(srv, envid)) == 1
    assert show(srv, envid)["recipients"][0]["state"] == "delivered"
    assert "real@dest.test" not in srv.ctl("invalid", "list").stdout
    assert "stranger@dest.test" not in srv.ctl("suppression", "list", "acme").stdout
    # A report whose report part is unreadable is refused as such.
    broken = "Content-Type: multipart/report; report-type=delivery-status\r\n\r\nnot a report\r\n"
    assert inbound(srv, "", SENDER, broken)[2] == "550 5.6.0 Malformed report: its report part cannot be read"


def test_arf_complaint_suppresses_and_records_the_event(srv, sink):
    envid = send(srv, "angry@dest.test")
    mid = our_message_id(sink, 0)
    assert inbound(srv, "reports@isp.dest.test", "abuse@example.com", arf("angry@dest.test", mid)) == \
        ["250 Mail Ok", "250 Rcpt Ok", "250 2.0.0 Report accepted"]
    rows = json.loads(srv.ctl("--json", "suppression", "list", "acme").stdout)
    assert [(r["address"], r["source"]) for r in rows if r["address"] == "angry@dest.test"] == \
        [("angry@dest.test", "complaint")], rows
    last = events(srv, envid)[-1]
    assert "&status=3&" in last and "&failed_type=SmtpContSpam" in last and "rcpt=angry@dest.test" in last
    # The next send to that recipient is stopped.
    c = RawClient(srv.ports["plain"])
    c.login()
    c.cmd(f"MAIL FROM:<{SENDER}>")
    assert c.cmd("RCPT TO:<angry@dest.test>") == "550 5.7.1 Recipient is on the account's suppression list"
    c.close()


def test_complaint_without_the_message_needs_mail_to_the_recipient(srv):
    send(srv, "known@dest.test", message_id="m1@app.example.com")
    # No Original-Rcpt-To: the returned message's To: names the recipient; its Message-ID is unknown.
    assert inbound(srv, "", "abuse@example.com", arf("", "forgotten@app.example.com",
                                                     to_header="known@dest.test"))[2] == "250 2.0.0 Report accepted"
    assert "known@dest.test" in srv.ctl("suppression", "list", "acme").stdout


def confirm_reply_to(srv, sink, address, reply_to):
    srv.ctl("address", "reply-to", address, reply_to)
    before = len(sink.handler.messages)
    raw = sink.handler.wait_for(before + 1)[-1][2]
    text = email.message_from_bytes(raw, policy=email.policy.default).get_body().get_content()
    link = re.search(r"(https://\S+/reply-to/confirm\?token=\w+)", text).group(1)
    base, token = link.split("?token=")
    req = urllib.request.Request(base, data=f"token={token}".encode(), method="POST",
                                 headers={"Accept": "application/json"})
    with urllib.request.urlopen(req, timeout=10, context=tls_context()) as res:
        assert json.loads(res.read())["reply_to_status"] == "verified"


def test_human_reply_is_forwarded_to_the_verified_reply_to(srv, sink):
    confirm_reply_to(srv, sink, SENDER, "owner@mailbox.test")
    before = len(sink.handler.messages)
    reply = "From: Bob <bob@dest.test>\r\nTo: sender@example.com\r\nSubject: Re: hello\r\n\r\nThanks!\r\n.line\r\n"
    out = inbound(srv, "bob@dest.test", SENDER, reply)
    assert out[2].startswith("250 Data Ok: queued as freedom ###envid="), out
    mail_from, rcpts, raw = sink.handler.wait_for(before + 1)[before]
    assert rcpts == ["owner@mailbox.test"] and mail_from == SENDER
    text = raw.decode()
    head, _, body = text.partition("\r\n\r\n")
    assert "X-Mailpush-Forwarded-For: <sender@example.com>" in head
    # A stranger who writes the account's own domain in From: gets no signature of that domain
    # (the account's own mail is signed in this fixture).
    spoof = "From: Boss <boss@example.com>\r\nTo: sender@example.com\r\nSubject: urgent\r\n\r\npay\r\n"
    assert inbound(srv, "bob@dest.test", SENDER, spoof)[2].startswith("250 ")
    forwarded = sink.handler.wait_for(before + 2)[before + 1][2].decode()
    assert "From: Boss <boss@example.com>" in forwarded
    assert "DKIM-Signature" not in forwarded.partition("\r\n\r\n")[0]
    assert "From: Bob <bob@dest.test>" in head and "Subject: Re: hello" in head
    assert body == "Thanks!\r\n.line\r\n"
    # An address without a reply-to refuses replies; so does a forward that comes back to us.
    assert inbound(srv, "bob@dest.test", OTHER, reply)[2] == "550 5.7.1 <news@example.com> does not accept replies"
    looped = "X-Mailpush-Forwarded-For: <sender@example.com>\r\n" + reply
    assert inbound(srv, "bob@dest.test", SENDER, looped)[2] == \
        "550 5.7.1 <sender@example.com> does not accept replies"


def test_no_open_relay_and_unknown_mailboxes(srv):
    assert inbound(srv, "spam@remote.test", "victim@elsewhere.test", "Subject: x\r\n\r\nx\r\n") == \
        ["250 Mail Ok", "530 5.7.0 Authentication required", None]
    assert inbound(srv, "spam@remote.test", "nobody@example.com", "Subject: x\r\n\r\nx\r\n")[1] == \
        "550 5.1.1 <nobody@example.com>: no such mailbox here"
    # One local recipient per unauthenticated message.
    c = RawClient(srv.ports["smtp"])
    c.reply()
    c.cmd("EHLO mx.remote.test")
    c.cmd("MAIL FROM:<a@remote.test>")
    assert c.cmd(f"RCPT TO:<{SENDER}>") == "250 Rcpt Ok"
    assert c.cmd(f"RCPT TO:<{OTHER}>").startswith("452 4.5.3 ")
    c.close()
    assert srv.queue() == []


def test_listener_with_inbound_off_needs_auth_at_mail(make_server):
    srv = make_server()
    srv.config.write_text(srv.config.read_text().replace('name = "plain"\n', 'name = "plain"\ninbound = false\n'))
    srv.start().provision()
    assert inbound(srv, "", SENDER, "x", listener="plain")[0] == "530 5.7.0 Authentication required"
    assert inbound(srv, "", SENDER, "Subject: x\r\n\r\nx\r\n", listener="smtp")[1] == "250 Rcpt Ok"


def test_bounce_and_complaint_reach_the_notifications(srv, sink):
    srv.ctl("notify", "set", "acme", "queue")
    bounced = send(srv, "nobody@dest.test")
    complained = send(srv, "annoyed@dest.test")
    assert inbound(srv, "", SENDER, dsn("nobody@dest.test", envid=bounced))[2] == "250 2.0.0 Report accepted"
    mid = our_message_id(sink, 1)
    assert inbound(srv, "", "abuse@example.com", arf("annoyed@dest.test", mid))[2] == "250 2.0.0 Report accepted"
    got = []

    def four():
        got.extend(json.loads(srv.ctl("--json", "notify", "receive", "acme", "--max", "16").stdout))
        return len(got) >= 4

    wait_for(four, 20, "the four events in the pull queue")
    # Each event keeps its own type, however late the notifier routes it.
    assert sorted(m["type"] for m in got) == ["Deliver:SendFailed"] * 2 + ["Deliver:SendSuccessfully"] * 2, got
    failed = [m for m in got if m["type"] == "Deliver:SendFailed"]
    assert any(f"env_id={bounced}&" in m["message"] and "failed_type=SmtpNxBox" in m["message"] for m in failed)
    assert any(f"env_id={complained}&" in m["message"] and "failed_type=SmtpContSpam" in m["message"]
               for m in failed)


class DsnReceiver:
    """A receiver that offers DSN and records the MAIL and RCPT lines it is sent."""

    def __init__(self):
        self.lines, self.lock = [], threading.Lock()
        outer = self

        class Handler(socketserver.StreamRequestHandler):
            timeout = 30

            def handle(self):
                w = self.wfile
                w.write(b"220 dsn.test ESMTP\r\n")
                for _ in range(100):  # bounded: a session is a handful of commands
                    line = self.rfile.readline(1000)
                    if not line:
                        return
                    cmd = line.decode(errors="replace").strip()
                    verb = cmd.split(" ", 1)[0].upper()
                    if verb == "EHLO":
                        w.write(b"250-dsn.test\r\n250-8BITMIME\r\n250 DSN\r\n")
                    elif verb in ("MAIL", "RCPT"):
                        with outer.lock:
                            outer.lines.append(cmd)
                        w.write(b"250 ok\r\n")
                    elif verb == "DATA":
                        w.write(b"354 go\r\n")
                        for _ in range(10000):
                            data = self.rfile.readline(10000)
                            if not data or data == b".\r\n":
                                break
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
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def test_envid_and_orcpt_go_to_a_receiver_that_offers_dsn_and_come_back(make_server):
    rx = DsnReceiver()
    try:
        srv = make_server(routes=(("*", f"smtp://127.0.0.1:{rx.port}"),)).start().provision()
        envid = send(srv, "Carol@dest.test")
        with rx.lock:
            lines = list(rx.lines)
        assert lines == [f"MAIL FROM:<{SENDER}> ENVID={envid}", "RCPT TO:<Carol@dest.test> ORCPT=rfc822;Carol@dest.test"]
        # The receiver's later report carries them back: that is enough to find the message.
        assert inbound(srv, "", SENDER, dsn("carol@dest.test", envid=envid))[2] == "250 2.0.0 Report accepted"
        assert "&failed_type=SmtpNxBox" in events(srv, envid)[-1]
    finally:
        rx.stop()
