"""One-click unsubscribe (RFC 8058 + RFC 2369) against the real mailpushd: batch mail arrives at a
real receiving server with List-Unsubscribe and List-Unsubscribe-Post, one recipient per
transaction; POSTing the link as a mail provider does suppresses the next send; GET shows a page;
a tampered token gets 404 and changes nothing; X-AliDM-Settings is obeyed and never delivered."""
import base64
import email
import email.policy
import json
import re
import smtplib
import urllib.error
import urllib.parse
import urllib.request

import pytest

from harness import PASSWORD, SENDER, tls_context, wait_for
from openapi_client import create_key, sdk

BATCH = "news@example.com"


@pytest.fixture
def api(make_server, sink):
    srv = make_server(routes=(("*", f"smtp://127.0.0.1:{sink.port}"),)).start().provision()
    srv.ctl("address", "add", "acme", BATCH, "--type", "batch")
    srv.ctl("address", "password", BATCH, "--password-stdin", input=PASSWORD + "\n")
    return srv, create_key(srv)


def parse(raw):
    return email.message_from_bytes(raw, policy=email.policy.default)


def single(srv, key, to, sender=BATCH, **extra):
    return sdk(srv, key, "singleSendMail", {"accountName": sender, "addressType": 1, "replyToAddress": False,
                                            "toAddress": to, "subject": "news", "textBody": "hello", **extra})


def link_of(msg):
    value = msg["List-Unsubscribe"]
    m = re.fullmatch(r"<(https://[^>]+/u/([A-Za-z0-9_-]+))>", str(value))
    assert m, value
    return m.group(1), m.group(2)


def local(srv, url):
    """The link's path on the test's https listener (the link names the public host)."""
    return srv.https_url + urllib.parse.urlsplit(url).path


def post_one_click(srv, url, body=b"List-Unsubscribe=One-Click"):
    req = urllib.request.Request(local(srv, url), data=body, method="POST",
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(req, timeout=10, context=tls_context()) as res:
            return res.status, res.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def get(srv, url):
    try:
        with urllib.request.urlopen(local(srv, url), timeout=10, context=tls_context()) as res:
            return res.status, res.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def test_batch_mail_carries_both_headers_one_recipient_each(api, sink):
    srv, key = api
    r = single(srv, key, "carol@example.org,dave@example.org")
    assert r["ok"], r
    msgs = sink.handler.wait_for(2)
    assert sorted(m[1] for m in msgs) == [["carol@example.org"], ["dave@example.org"]]
    tokens = set()
    for _, rcpts, raw in msgs:
        msg = parse(raw)
        assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        url, token = link_of(msg)
        assert url.startswith(srv.https_url + "/u/")  # [http] public_url's default
        tokens.add(token)
    assert len(tokens) == 2  # one token per recipient


def test_post_unsubscribes_and_the_next_send_is_suppressed(api, sink):
    srv, key = api
    assert single(srv, key, "carol@example.org")["ok"]
    (_, _, raw), = sink.handler.wait_for(1)
    url, _ = link_of(parse(raw))
    # GET shows the page with the account's name and a button, and changes nothing.
    status, page = get(srv, url)
    assert status == 200 and "acme" in page and "<button" in page and "carol@example.org" in page
    assert single(srv, key, "carol@example.org")["ok"]
    sink.handler.wait_for(2)
    # POST as a mail provider does (RFC 8058): unsubscribed at once.
    status, page = post_one_click(srv, url)
    assert status == 200 and "Unsubscribed" in page, page
    r = single(srv, key, "carol@example.org")
    assert r["code"] == "InvalidToAddress.Suppressed", r
    rows = sdk(srv, key, "listUserSuppression", {"address": "carol@example.org"})["body"]["data"]["userSuppressions"]
    assert len(rows) == 1 and rows[0]["type"] == "system"
    # The level is the sender address (the default): another sender of the account still reaches her.
    assert single(srv, key, "carol@example.org", sender=SENDER)["ok"]
    # Twice is harmless.
    assert post_one_click(srv, url)[0] == 200
    assert len(sdk(srv, key, "listUserSuppression", {})["body"]["data"]["userSuppressions"]) == 1


def test_tampered_token_is_404_and_changes_nothing(api, sink):
    srv, key = api
    assert single(srv, key, "carol@example.org")["ok"]
    (_, _, raw), = sink.handler.wait_for(1)
    url, token = link_of(parse(raw))
    flipped = token[:10] + ("A" if token[10] != "A" else "B") + token[11:]
    bad = url.replace(token, flipped)
    assert post_one_click(srv, bad)[0] == 404
    assert get(srv, bad)[0] == 404
    assert post_one_click(srv, url.replace(token, "x"))[0] == 404
    assert post_one_click(srv, url, body=b"something=else")[0] == 400
    assert sdk(srv, key, "listUserSuppression", {})["body"]["totalCount"] == 0
    assert single(srv, key, "carol@example.org")["ok"]


def test_link_type_disabled_and_trigger_addresses_get_no_header(api, sink):
    srv, key = api
    assert single(srv, key, "carol@example.org,dave@example.org", unSubscribeLinkType="disabled")["ok"]
    assert single(srv, key, "erin@example.org", sender=SENDER)["ok"]  # a trigger address
    msgs = sink.handler.wait_for(2)
    assert len(msgs) == 2
    for _, _, raw in msgs:
        assert "List-Unsubscribe" not in parse(raw)
    assert sorted(r for m in msgs for r in m[1]) == ["carol@example.org", "dave@example.org", "erin@example.org"]
    assert single(srv, key, "x@example.org", unSubscribeLinkType="sometimes")["code"] == "InvalidParameter"
    assert single(srv, key, "x@example.org", unSubscribeFilterLevel="all")["code"] == "InvalidParameter"


def test_filter_level_mailfrom_domain_covers_the_other_senders_of_the_domain(api, sink):
    srv, key = api
    srv.ctl("address", "add", "acme", "promo@example.com", "--type", "batch")
    assert single(srv, key, "carol@example.org", unSubscribeFilterLevel="mailfrom_domain")["ok"]
    (_, _, raw), = sink.handler.wait_for(1)
    assert post_one_click(srv, link_of(parse(raw))[0])[0] == 200
    assert single(srv, key, "carol@example.org", sender="promo@example.com")["code"] == "InvalidToAddress.Suppressed"
    # A send at level disabled is not filtered by unsubscribes.
    assert single(srv, key, "carol@example.org", sender="promo@example.com", unSubscribeFilterLevel="disabled")["ok"]


def settings(link_type, level="mailfrom"):
    raw = json.dumps({"Version": "1.0", "Unsubscribe": {"LinkType": link_type, "FilterLevel": level}})
    return base64.b64encode(raw.encode()).decode()


def smtp_send(srv, rcpts, header_value):
    extra = f"X-AliDM-Settings: {header_value}\r\n" if header_value is not None else ""
    body = (f"From: {BATCH}\r\nTo: list@example.org\r\nSubject: smtp news\r\n{extra}\r\nhello\r\n").encode()
    with srv.smtp() as c:
        c.starttls()
        c.login(BATCH, PASSWORD)
        c.mail(BATCH)
        for r in rcpts:
            assert c.rcpt(r)[0] == 250
        try:
            return c.data(body)
        except smtplib.SMTPDataError as e:
            return e.smtp_code, e.smtp_error


def test_smtp_settings_header_is_obeyed_and_never_delivered(api, sink):
    srv, key = api
    assert smtp_send(srv, ["carol@example.org", "dave@example.org"], settings("default"))[0] == 250
    msgs = sink.handler.wait_for(2)
    assert sorted(m[1] for m in msgs) == [["carol@example.org"], ["dave@example.org"]]  # one per transaction
    for _, _, raw in msgs:
        msg = parse(raw)
        assert "X-AliDM-Settings" not in msg
        assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        link_of(msg)
    # Unsubscribed through an SMTP message's link: the next RCPT from that sender is refused.
    url = link_of(parse(next(m[2] for m in msgs if m[1] == ["carol@example.org"])))[0]
    assert post_one_click(srv, url)[0] == 200
    with srv.smtp() as c:
        c.starttls()
        c.login(BATCH, PASSWORD)
        c.mail(BATCH)
        assert c.rcpt("carol@example.org")[0] == 550
    # LinkType disabled: no link, one transaction for both, the header still removed.
    assert smtp_send(srv, ["erin@example.org", "frank@example.org"], settings("disabled"))[0] == 250
    later = sink.handler.wait_for(3)[2:]
    assert len(later) == 1 and sorted(later[0][1]) == ["erin@example.org", "frank@example.org"]
    msg = parse(later[0][2])
    assert "X-AliDM-Settings" not in msg and "List-Unsubscribe" not in msg
    # A malformed header is refused after DATA, nothing queued.
    code, text = smtp_send(srv, ["gina@example.org"], "not base64 json!")
    assert code == 550 and b"X-AliDM-Settings" in text
    code, _ = smtp_send(srv, ["gina@example.org"], settings("sometimes"))
    assert code == 550
    # An IP pool cannot be honoured (there are none): refused, not ignored.
    pool = base64.b64encode(json.dumps({"Version": "1.0", "OutboundIp": {"IpPoolId": "pool-1"}}).encode()).decode()
    code, text = smtp_send(srv, ["gina@example.org"], pool)
    assert (code, text) == (550, b"5.6.0 X-AliDM-Settings OutboundIp is not offered: this server has no IP pools")


def test_batch_send_mail_task_gets_links(api, sink, tmp_path):
    srv, key = api
    body = tmp_path / "body.html"
    body.write_text("<p>Dear {UserName}</p>")
    srv.ctl("template", "add", "acme", "welcome", "--subject", "Hi {UserName}", "--body-file", str(body))
    srv.ctl("template", "submit", "acme", "welcome")
    srv.ctl("template", "approve", "acme", "welcome")
    assert sdk(srv, key, "createReceiver", {"receiversName": "customers", "receiversAlias": "cust@lists.test"})["ok"]
    csv = tmp_path / "list.csv"
    csv.write_text("EAddr,UserName\nc1@example.org,Carol\nc2@example.org,Dave\n")
    srv.ctl("list", "upload", "acme", "customers", str(csv))
    sdk(srv, key, "createUserSuppression", {"address": "c2@example.org"})
    req = {"accountName": BATCH, "addressType": 1, "templateName": "welcome", "receiversName": "customers"}
    r = sdk(srv, key, "batchSendMail", req)
    assert r["ok"], r
    (_, rcpts, raw), = sink.handler.wait_for(1)
    assert rcpts == ["c1@example.org"]
    link_of(parse(raw))
    task = json.loads(srv.ctl("--json", "task", "list", "acme").stdout)[0]
    assert task["queued"] == 1 and task["skipped"] == 1
    # The skipped member's delivery event, with its rendered subject.
    skipped = wait_for(lambda: json.loads(srv.ctl("--json", "details", "acme", "--rcpt", "c2@example.org").stdout),
                       30, "the skipped member's record")
    assert [(d["failed_type"], d["status"], d["subject"]) for d in skipped] == [("SysOutSuppressed", 2, "Hi Dave")]
    off = sdk(srv, key, "batchSendMail", {**req, "unSubscribeLinkType": "disabled"})
    assert off["ok"], off
    later = sink.handler.wait_for(2)[1:]
    assert len(later) == 1 and "List-Unsubscribe" not in parse(later[0][2])
