"""Tracking opt-in against the real mailpushd (docs/tracking.md): with [tracking] require_cname on,
an SMTP message whose X-AliDM-Trace asks for tracking from a domain without a verified tracking
record gets the 550 and nothing is queued, and the SDK's SingleSendMail with ClickTrace=1 gets
InvalidClickTrace.NotVerified; with it off both are accepted, the queue file carries the flags,
a tracked message goes one recipient per transaction and X-AliDM-Trace never reaches the receiver."""
import base64
import email
import email.policy
import json
import smtplib

import pytest

from harness import PASSWORD, SENDER
from openapi_client import create_key, sdk


def trace(**fields):
    return base64.b64encode(json.dumps(fields).encode()).decode()


def smtp_send(srv, rcpts, header_value):
    body = (f"From: {SENDER}\r\nTo: list@example.org\r\nSubject: tracked\r\n"
            f"X-AliDM-Trace: {header_value}\r\n\r\n<p>hello</p>\r\n").encode()
    with srv.smtp() as c:
        c.starttls()
        c.login(SENDER, PASSWORD)
        c.mail(SENDER)
        for r in rcpts:
            assert c.rcpt(r)[0] == 250
        try:
            return c.data(body)
        except smtplib.SMTPDataError as e:
            return e.smtp_code, e.smtp_error


def single(srv, key, to, click_trace):
    return sdk(srv, key, "singleSendMail", {"accountName": SENDER, "addressType": 1, "replyToAddress": False,
                                            "toAddress": to, "subject": "tracked", "htmlBody": "<p>hi</p>",
                                            "clickTrace": click_trace})


def queue_show(srv, envid):
    return json.loads(srv.ctl("queue", "show", str(envid), "--json").stdout)


def test_unverified_tracking_record_refuses_smtp_and_api_and_stores_nothing(make_server):
    srv = make_server(tracking_cname=True).start().provision()
    key = create_key(srv)
    code, text = smtp_send(srv, ["carol@example.org"], trace(OpenTrace="1"))
    assert code == 550, text
    assert text.decode() == ("5.7.1 Tracking requested, but the sender domain's tracking record "
                             "(CNAME dmtrace.example.com) is not verified")
    code, _ = smtp_send(srv, ["carol@example.org"], trace(LinkTrace=1))
    assert code == 550
    r = single(srv, key, "carol@example.org", "1")
    assert not r["ok"] and r["code"] == "InvalidClickTrace.NotVerified", r
    assert srv.queue() == []  # nothing stored
    # Not asking for tracking still works; a header without a tracking flag is only a tag.
    assert smtp_send(srv, ["carol@example.org"], trace(TagName="", OpenTrace="0"))[0] == 250
    assert single(srv, key, "carol@example.org", "0")["ok"]
    assert len(srv.queue()) == 2
    bad = single(srv, key, "carol@example.org", "yes")
    assert not bad["ok"] and bad["code"] == "InvalidParameter", bad


def test_without_the_requirement_tracking_is_accepted_and_kept_in_the_queue_file(make_server):
    srv = make_server().start().provision()  # the harness sets require_cname = false
    key = create_key(srv)
    code, text = smtp_send(srv, ["carol@example.org"], trace(OpenTrace="1"))
    assert code == 250, text
    envid = int(text.decode().rsplit("=", 1)[1])
    shown = queue_show(srv, envid)
    assert (shown["track_opens"], shown["track_links"]) == (True, False)
    code, text = smtp_send(srv, ["carol@example.org"], trace(OpenTrace=1, LinkTrace="1"))
    shown = queue_show(srv, int(text.decode().rsplit("=", 1)[1]))
    assert (shown["track_opens"], shown["track_links"]) == (True, True)
    r = single(srv, key, "dave@example.org", "1")
    assert r["ok"], r
    shown = queue_show(srv, int(r["body"]["envId"]))
    assert (shown["track_opens"], shown["track_links"]) == (True, True)
    untracked = single(srv, key, "dave@example.org", "0")
    shown = queue_show(srv, int(untracked["body"]["envId"]))
    assert (shown["track_opens"], shown["track_links"]) == (False, False)


def test_tracked_mail_goes_one_recipient_per_transaction_without_the_header(make_server, sink):
    srv = make_server(routes=(("*", f"smtp://127.0.0.1:{sink.port}"),)).start().provision()
    assert smtp_send(srv, ["carol@example.org", "dave@example.org"], trace(OpenTrace="1", LinkTrace="1"))[0] == 250
    msgs = sink.handler.wait_for(2)
    assert sorted(m[1] for m in msgs) == [["carol@example.org"], ["dave@example.org"]]
    for _, _, raw in msgs:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        assert "X-AliDM-Trace" not in msg
        assert msg["Subject"] == "tracked"
