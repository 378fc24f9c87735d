"""Acceptance-side traffic rules against the real mailpushd (docs/accounts.md): the account
submission rate (SMTP 451 at MAIL, OpenAPI Throttling.User), the sender->recipient fatigue limit
(SMTP 450 at RCPT, the API skipping blocked recipients), per-account overrides through
mailpushctl and the admin API, and the SDK's ListBlockSending / UnblockSending over FREQ, UNSUB
(an unsubscribe made through the /u/ link) and REPORT (a complaint entry) blocks."""
import json
import re
import smtplib
import time
import urllib.parse
import urllib.request

import pytest

from harness import PASSWORD, SENDER, TOKEN, read_queue, simple_message, tls_context, wait_for
from openapi_client import create_key, sdk, signed_call

BATCH = "news@example.com"


def rules(submission_rate=0, fatigue_limit=0, submission_window="60s", fatigue_window="1h"):
    return (f"[accounts]\nsubmission_rate = {submission_rate}\nsubmission_window = \"{submission_window}\"\n"
            f"fatigue_limit = {fatigue_limit}\nfatigue_window = \"{fatigue_window}\"\n")


def smtp_send(srv, rcpts):
    """One transaction; returns the refusals smtplib reports ({} when all were taken)."""
    with srv.smtp() as c:
        c.starttls(context=tls_context())
        c.login(SENDER, PASSWORD)
        return c.sendmail(SENDER, rcpts, simple_message())


def single(srv, key, to, sender=SENDER, **extra):
    return sdk(srv, key, "singleSendMail", {"accountName": sender, "addressType": 1, "replyToAddress": False,
                                            "toAddress": to, "subject": "hi", "textBody": "hello", **extra})


def blocks(srv, key, **request):
    return sdk(srv, key, "listBlockSending", request)


def admin(srv, method, path, body=None):
    req = urllib.request.Request(srv.admin_url + path, method=method,
                                 data=None if body is None else json.dumps(body).encode(),
                                 headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as res:
            return res.status, json.loads(res.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


# ---- submission rate ----------------------------------------------------------------------------

def test_submission_rate_refuses_smtp_at_mail_and_the_api(make_server):
    srv = make_server(tail=rules(submission_rate=2)).start().provision()
    key = create_key(srv)
    assert smtp_send(srv, ["a@dest.test"]) == {}
    r = single(srv, key, "b@dest.test")
    assert r["ok"], r
    with srv.smtp() as c:
        c.starttls(context=tls_context())
        c.login(SENDER, PASSWORD)
        code, text = c.mail(SENDER)
        assert code == 451, (code, text)
        assert b"4.7.1" in text and b"at most 2 submissions per 60 s" in text, text
    r = single(srv, key, "c@dest.test")
    assert not r["ok"] and r["code"] == "Throttling.User" and r["status"] == 400, r
    assert "at most 2 submissions per 60 s" in r["message"], r
    assert len(srv.queue()) == 2  # nothing refused was queued
    assert srv.metric('mailpush_smtp_rejections_total{reason="submission_rate"}') >= 1

    # An override lifts it for this account only; a value out of bounds is refused, naming the field.
    bad = srv.ctl("account", "traffic", "acme", "--submission-rate", "-1", check=False)
    assert bad.returncode != 0
    status, body = admin(srv, "PUT", "/v1/accounts/acme/traffic", {"submission_rate": 10_000_001})
    assert status == 422 and "submission_rate" in body["error"]["message"], body
    status, body = admin(srv, "PUT", "/v1/accounts/acme/traffic", {"speed": 1})
    assert status == 422 and "speed" in body["error"]["message"], body
    shown = json.loads(srv.ctl("--json", "account", "traffic", "acme", "--submission-rate", "0").stdout)
    assert shown["overrides"]["submission_rate"] == 0 and shown["effective"]["submission_rate"] == 0
    assert smtp_send(srv, ["d@dest.test"]) == {}
    assert single(srv, key, "e@dest.test")["ok"]
    # Back to the default: refused again.
    srv.ctl("account", "traffic", "acme", "--submission-rate", "default")
    assert not single(srv, key, "f@dest.test")["ok"]


def test_overrides_are_listed_and_kept_across_a_restart(make_server):
    srv = make_server(tail=rules()).start().provision()
    out = srv.ctl("account", "traffic", "acme", "--fatigue-limit", "3", "--fatigue-window", "600",
                  "--warmup", "on", "--warmup-start", "50").stdout
    assert re.search(r"fatigue_limit\s+3\s+3", out), out
    assert re.search(r"warmup\s+true", out), out
    srv.stop()
    srv.start()
    status, body = admin(srv, "GET", "/v1/accounts/acme/traffic")
    assert status == 200
    assert body["overrides"]["fatigue_limit"] == 3 and body["overrides"]["fatigue_window"] == 600
    assert body["overrides"]["warmup"] is True and body["overrides"]["warmup_start"] == 50
    assert body["overrides"]["submission_rate"] is None and body["effective"]["submission_rate"] == 0
    status, body = admin(srv, "PUT", "/v1/accounts/nobody/traffic", {"fatigue_limit": 1})
    assert status == 404, body


# ---- fatigue ------------------------------------------------------------------------------------

def test_fatigue_blocks_the_recipient_at_rcpt_until_unblocked(make_server):
    srv = make_server(tail=rules(fatigue_limit=2)).start().provision()
    key = create_key(srv)
    assert smtp_send(srv, ["bob@dest.test"]) == {}
    assert smtp_send(srv, ["bob@dest.test", "carol@dest.test"]) == {}
    refused = smtp_send(srv, ["bob@dest.test", "carol@dest.test"])
    assert list(refused) == ["bob@dest.test"], refused
    code, text = refused["bob@dest.test"]
    assert code == 450 and b"4.7.1" in text and b"<bob@dest.test>" in text and b"fatigue" in text, text
    # Carol had two now: her third is refused too; another sender address is not limited by Bob's.
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        smtp_send(srv, ["carol@dest.test"])
    assert srv.metric('mailpush_smtp_rejections_total{reason="fatigue_limit"}') >= 2

    # The API skips the blocked one, and refuses when every recipient is blocked.
    params = {"AccountName": SENDER, "AddressType": "1", "ReplyToAddress": "false", "Subject": "s",
              "TextBody": "hi", "ToAddress": "bob@dest.test,dave@dest.test"}
    status, body = signed_call(srv, key["AccessKeyId"], key["AccessKeySecret"], "SingleSendMail", params)
    assert status == 200 and body["BlockedAddresses"] == ["bob@dest.test"], body
    r = single(srv, key, "bob@dest.test")
    assert not r["ok"] and r["code"] == "InvalidToAddress.Blocked" and r["status"] == 400, r

    listed = blocks(srv, key, blockType="FREQ")
    assert listed["ok"], listed
    data = {d["blockEmail"]: d for d in listed["body"]["data"]}
    assert set(data) == {"bob@dest.test", "carol@dest.test"}, listed
    now = time.time()
    for d in data.values():
        assert d["senderEmail"] == SENDER and d["reason"] == 3
        assert now - 60 < d["blockTime"] <= now + 1 and d["sendTime"] == d["blockTime"]
    assert blocks(srv, key, blockType="FREQ", blockEmail="BOB@dest.test")["body"]["data"][0]["blockEmail"] \
        == "bob@dest.test"

    # The block survives a restart (the counts do not matter: it is the block that is kept).
    srv.stop()
    srv.start()
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        smtp_send(srv, ["bob@dest.test"])

    r = sdk(srv, key, "unblockSending", {"blockEmail": "bob@dest.test", "blockType": "FREQ",
                                         "senderEmail": SENDER})
    assert r["ok"], r
    # A fresh window: two more messages go, the third is blocked again.
    assert smtp_send(srv, ["bob@dest.test"]) == {}
    assert single(srv, key, "bob@dest.test")["ok"]
    assert list(smtp_send(srv, ["bob@dest.test", "erin@dest.test"])) == ["bob@dest.test"]
    r = sdk(srv, key, "unblockSending", {"blockEmail": "zed@dest.test", "blockType": "FREQ",
                                         "senderEmail": SENDER})
    assert not r["ok"] and r["status"] == 404 and r["code"] == "InvalidBlock.NotFound", r


def test_fatigue_drops_blocked_members_of_a_list_alias(make_server):
    srv = make_server(tail=rules(fatigue_limit=1)).start().provision()
    srv.ctl("list", "add", "acme", "staff", "staff@lists.test")
    rows = srv.dir / "staff.txt"
    rows.write_text("bob@dest.test\ncarol@dest.test\n")
    srv.ctl("list", "upload", "acme", "staff", str(rows))
    assert smtp_send(srv, ["bob@dest.test"]) == {}
    assert smtp_send(srv, ["staff@lists.test"]) == {}
    queued = read_queue(srv.data)
    rcpts = sorted(sorted(r["address"] for r in env["recipients"]) for env, _ in queued.values())
    assert rcpts == [["bob@dest.test"], ["carol@dest.test"]], rcpts  # bob once: his member copy dropped
    key = create_key(srv)
    assert [d["blockEmail"] for d in blocks(srv, key, blockType="FREQ")["body"]["data"]] == ["bob@dest.test"]
    # An alias none of whose members is left: refused at RCPT like a blocked recipient.
    srv.ctl("list", "add", "acme", "bobs", "bobs@lists.test")
    only_bob = srv.dir / "bobs.txt"
    only_bob.write_text("bob@dest.test\n")
    srv.ctl("list", "upload", "acme", "bobs", str(only_bob))
    refused = smtp_send(srv, ["bobs@lists.test", "dave@dest.test"])
    assert list(refused) == ["bobs@lists.test"] and refused["bobs@lists.test"][0] == 450, refused


def test_fatigue_window_ends_the_block(make_server):
    srv = make_server(tail=rules(fatigue_limit=1, fatigue_window="2s")).start().provision()
    assert smtp_send(srv, ["bob@dest.test"]) == {}
    assert list(smtp_send(srv, ["bob@dest.test", "carol@dest.test"])) == ["bob@dest.test"]

    def accepted():
        try:
            return smtp_send(srv, ["bob@dest.test"]) == {}
        except smtplib.SMTPRecipientsRefused:
            return False
    wait_for(accepted, 10, "the fatigue window to end", pause=0.5)


# ---- ListBlockSending parameters, paging, UNSUB and REPORT --------------------------------------

def test_list_block_sending_pages_and_refuses_bad_parameters(make_server):
    srv = make_server(tail=rules(fatigue_limit=1)).start().provision()
    key = create_key(srv)
    rcpts = [f"r{i}@dest.test" for i in range(5)]
    assert smtp_send(srv, rcpts) == {}
    assert set(smtp_send(srv, rcpts + ["new@dest.test"])) == set(rcpts)

    seen, token, pages = [], None, 0
    while pages < 10:
        req = {"blockType": "FREQ", "maxResults": 2, **({"nextToken": token} if token else {})}
        r = blocks(srv, key, **req)
        assert r["ok"], r
        assert r["body"]["maxResults"] == 2 and len(r["body"]["data"]) <= 2
        seen += [d["blockEmail"] for d in r["body"]["data"]]
        pages += 1
        token = r["body"]["nextToken"]
        if not token:
            break
    assert pages == 3 and sorted(seen) == sorted(rcpts), seen
    everything = blocks(srv, key)  # no BlockType: every type
    assert everything["ok"] and len(everything["body"]["data"]) == 5

    first = blocks(srv, key, blockType="FREQ", maxResults=2)["body"]["nextToken"]
    for request, code in [({"maxResults": 0}, "InvalidParameter"), ({"maxResults": 501}, "InvalidParameter"),
                          ({"blockType": "SPAM"}, "InvalidBlockType.Malformed"),
                          ({"nextToken": "garbage"}, "InvalidNextToken.Malformed"),
                          ({"nextToken": first[:-2] + ("AA" if first[-2:] != "AA" else "BB")},
                           "InvalidNextToken.Malformed"),
                          ({"blockType": "UNSUB", "nextToken": first}, "InvalidNextToken.Malformed"),
                          ({"beginTime": 200, "endTime": 100}, "InvalidParameter")]:
        r = blocks(srv, key, **request)
        assert not r["ok"] and r["status"] == 400 and r["code"] == code, (request, r)
    for missing in ("blockEmail", "blockType", "senderEmail"):
        req = {"blockEmail": "r0@dest.test", "blockType": "FREQ", "senderEmail": SENDER}
        del req[missing]
        r = sdk(srv, key, "unblockSending", req)
        assert not r["ok"] and r["status"] == 400 and r["code"] == "MissingParameter", r
        assert missing[0].upper() + missing[1:] in r["message"], r
    # The admin API and mailpushctl see the same blocks and lift them.
    listed = json.loads(srv.ctl("--json", "blocks", "list", "acme", "--type", "FREQ").stdout)
    assert sorted(b["recipient"] for b in listed) == sorted(rcpts)
    srv.ctl("blocks", "remove", "acme", "FREQ", SENDER, "r0@dest.test")
    assert srv.ctl("blocks", "remove", "acme", "FREQ", SENDER, "r0@dest.test", check=False).returncode != 0
    assert len(blocks(srv, key, blockType="FREQ")["body"]["data"]) == 4
    assert smtp_send(srv, ["r0@dest.test"]) == {}


def test_unsubscribes_and_complaints_are_unsub_and_report_blocks(make_server, sink):
    srv = make_server(routes=(("*", f"smtp://127.0.0.1:{sink.port}"),), tail=rules()).start().provision()
    srv.ctl("address", "add", "acme", BATCH, "--type", "batch")
    key = create_key(srv)
    assert single(srv, key, "carol@example.org", sender=BATCH)["ok"]
    (_, _, raw), = sink.handler.wait_for(1)
    link = re.search(rb"List-Unsubscribe: <(https://[^>]+/u/[A-Za-z0-9_-]+)>", raw).group(1).decode()
    req = urllib.request.Request(srv.https_url + urllib.parse.urlsplit(link).path,
                                 data=b"List-Unsubscribe=One-Click", method="POST")
    with urllib.request.urlopen(req, timeout=10, context=tls_context()) as res:
        assert res.status == 200
    srv.ctl("suppression", "add", "acme", "dave@example.org", "--source", "complaint")
    srv.ctl("suppression", "add", "acme", "manual@example.org")  # a manual entry is not a block

    unsub = blocks(srv, key, blockType="UNSUB")["body"]["data"]
    assert [(d["blockEmail"], d["senderEmail"], d["reason"]) for d in unsub] == \
        [("carol@example.org", BATCH, 1)], unsub
    report = blocks(srv, key, blockType="REPORT")["body"]["data"]
    assert [(d["blockEmail"], d["senderEmail"], d["reason"]) for d in report] == \
        [("dave@example.org", "", 0)], report
    assert {d["blockEmail"] for d in blocks(srv, key)["body"]["data"]} == {"carol@example.org",
                                                                          "dave@example.org"}
    assert blocks(srv, key, blockType="UNSUB", senderEmail="other@example.com")["body"]["data"] == []

    # UNSUB of another sender does not match; the right sender lifts it and the mail goes again.
    r = sdk(srv, key, "unblockSending", {"blockEmail": "carol@example.org", "blockType": "UNSUB",
                                         "senderEmail": SENDER})
    assert not r["ok"] and r["status"] == 404, r
    r = sdk(srv, key, "unblockSending", {"blockEmail": "carol@example.org", "blockType": "UNSUB",
                                         "senderEmail": BATCH})
    assert r["ok"], r
    assert not blocks(srv, key, blockType="UNSUB")["body"]["data"]
    r = single(srv, key, "carol@example.org", sender=BATCH)
    assert r["ok"] and "suppressedAddresses" not in json.dumps(r["body"]), r
    # The complaint covers every sender of the account: any sender's unblock lifts it.
    assert sdk(srv, key, "unblockSending", {"blockEmail": "dave@example.org", "blockType": "REPORT",
                                            "senderEmail": SENDER})["ok"]
    assert not blocks(srv, key, blockType="REPORT")["body"]["data"]
    assert srv.ctl("--json", "suppression", "list", "acme").stdout.count("manual@example.org") == 1
