"""The account's suppression list against the real mailpushd: the official SDK's Create/List/
RemoveUserSuppression and Get/SetSuppressionListLevel with their parameters and errors, the admin
API and mailpushctl; a suppressed recipient is refused at RCPT and skipped by the API (no quota
used), and the rest of the send goes on."""
import json
import time

import pytest

from harness import PASSWORD, SENDER, wait_for
from openapi_client import create_key, sdk, signed_call


@pytest.fixture
def api(make_server, sink):
    srv = make_server(routes=(("*", f"smtp://127.0.0.1:{sink.port}"),)).start().provision()
    return srv, create_key(srv)


def entries(srv, key, **request):
    r = sdk(srv, key, "listUserSuppression", request)
    assert r["ok"], r
    return r["body"]


def suppressed_record(srv, rcpt):
    """The delivery details row and events of the record a suppressed send left for `rcpt`."""
    def row():
        rows = json.loads(srv.ctl("--json", "details", "acme", "--rcpt", rcpt).stdout)
        return rows[0] if rows else None
    r = wait_for(row, 30, f"the suppression record of {rcpt}")
    events = srv.ctl("events", "--env", r["env_id"]).stdout.splitlines()
    return r, events


def assert_suppressed_record(srv, rcpt, subject=""):
    r, events = suppressed_record(srv, rcpt)
    assert r["status"] == 2 and r["failed_type"] == "SysOutSuppressed" and r["subject"] == subject, r
    assert r["reply"] == "558 Suppressed: the recipient is on the account's suppression list", r
    assert len(events) == 1 and f"rcpt={rcpt}&" in events[0].lower(), events  # as the client wrote it
    assert "&status=2&" in events[0] and events[0].endswith("&failed_type=SysOutSuppressed"), events
    info = json.loads(srv.ctl("--json", "queue", "show", r["env_id"]).stdout)
    assert [(x["address"].lower(), x["state"]) for x in info["recipients"]] == [(rcpt, "failed")], info


def test_sdk_create_list_remove_with_every_parameter(api):
    srv, key = api
    a = sdk(srv, key, "createUserSuppression", {"address": "Bob@Example.org"})
    assert a["ok"] and a["body"]["suppressionId"].isdigit() and a["body"]["requestId"], a
    again = sdk(srv, key, "createUserSuppression", {"address": "bob@example.org"})
    assert again["body"]["suppressionId"] == a["body"]["suppressionId"]  # already there: the same entry
    d = sdk(srv, key, "createUserSuppression", {"address": "blocked.example"})
    assert d["ok"], d
    for bad in ("not an address", "nodot", "a@@b.example", ""):
        r = sdk(srv, key, "createUserSuppression", {"address": bad})
        assert not r["ok"] and r["code"] in ("InvalidAddress.Malformed", "MissingParameter"), (bad, r)

    body = entries(srv, key)
    assert body["totalCount"] == 2 and body["pageNumber"] == 1 and body["pageSize"] == 10
    rows = body["data"]["userSuppressions"]
    assert {r["address"] for r in rows} == {"bob@example.org", "blocked.example"}
    assert all(r["type"] == "user" and r["createTime"] > 0 and r["lastBounceTime"] == 0 for r in rows)
    assert all(isinstance(r["suppressionId"], int) for r in rows)
    # Paging, the address filter, the creation-time window.
    page2 = entries(srv, key, pageNo=2, pageSize=1)
    assert page2["totalCount"] == 2 and len(page2["data"]["userSuppressions"]) == 1 and page2["pageNumber"] == 2
    assert entries(srv, key, address="BLOCKED.example")["totalCount"] == 1
    now = int(time.time())
    assert entries(srv, key, startCreateTime=now - 60, endCreateTime=now + 60)["totalCount"] == 2
    assert entries(srv, key, startCreateTime=now + 3600)["totalCount"] == 0
    assert entries(srv, key, startBounceTime=now - 60, endBounceTime=now + 60)["totalCount"] == 0
    wide = sdk(srv, key, "listUserSuppression", {"startCreateTime": now - 8 * 86400, "endCreateTime": now})
    assert wide["code"] == "InvalidParameter"  # the SDK's 7-day window
    reversed_ = sdk(srv, key, "listUserSuppression", {"startBounceTime": now, "endBounceTime": now - 1})
    assert reversed_["code"] == "InvalidParameter"
    assert sdk(srv, key, "listUserSuppression", {"pageSize": 101})["code"] == "InvalidParameter"

    # Remove: all or nothing.
    ids = [str(r["suppressionId"]) for r in rows]
    r = sdk(srv, key, "removeUserSuppression", {"suppressionIds": ids[0] + ",999999"})
    assert r["code"] == "InvalidSuppressionId.NotFound"
    assert entries(srv, key)["totalCount"] == 2
    assert sdk(srv, key, "removeUserSuppression", {"suppressionIds": "x,1"})["code"] == \
        "InvalidSuppressionId.Malformed"
    assert sdk(srv, key, "removeUserSuppression", {"suppressionIds": ",".join(ids)})["ok"]
    assert entries(srv, key)["totalCount"] == 0


def test_sdk_suppression_list_level(api):
    srv, key = api
    got = sdk(srv, key, "getSuppressionListLevel")
    assert got["ok"] and got["body"]["suppressionListLevel"] == "mailfrom", got
    for level in ("mailfrom_domain", "edm_id", "disabled", "mailfrom"):
        r = sdk(srv, key, "setSuppressionListLevel", {"suppressionListLevel": level})
        assert r["ok"] and r["body"]["suppressionListLevel"] == level, r
        assert sdk(srv, key, "getSuppressionListLevel")["body"]["suppressionListLevel"] == level
    assert sdk(srv, key, "setSuppressionListLevel", {"suppressionListLevel": "everything"})["code"] == \
        "InvalidSuppressionListLevel.Malformed"
    assert sdk(srv, key, "setSuppressionListLevel", {})["code"] == "MissingParameter"
    assert sdk(srv, key, "getSuppressionListLevel")["body"]["suppressionListLevel"] == "mailfrom"
    # Identity parameters are refused rather than ignored, as on every action.
    assert sdk(srv, key, "getSuppressionListLevel", {"ownerId": 5})["code"] == "InvalidParameter.Unsupported"


def test_hard_bounces_are_listed_from_the_invalid_library(api):
    srv, key = api
    srv.ctl("invalid", "add", "acme", "gone@example.org", "--reason", "SmtpNxBox")
    rows = entries(srv, key)["data"]["userSuppressions"]
    assert len(rows) == 1 and rows[0]["address"] == "gone@example.org" and rows[0]["type"] == "system"
    assert rows[0]["lastBounceTime"] > 0
    now = int(time.time())
    assert entries(srv, key, startBounceTime=now - 60, endBounceTime=now + 60)["totalCount"] == 1
    assert sdk(srv, key, "removeUserSuppression", {"suppressionIds": str(rows[0]["suppressionId"])})["ok"]
    assert json.loads(srv.ctl("--json", "invalid", "list", "acme").stdout) == []


def test_smtp_refuses_a_suppressed_rcpt_and_delivers_the_rest(api, sink):
    srv, key = api
    sdk(srv, key, "createUserSuppression", {"address": "bob@example.org"})
    sdk(srv, key, "createUserSuppression", {"address": "blocked.example"})
    before = srv.metric("mailpush_smtp_rejections_total")
    with srv.smtp() as c:
        c.starttls()
        c.login(SENDER, PASSWORD)
        c.mail(SENDER)
        code, text = c.rcpt("BOB@example.org")
        assert (code, text) == (550, b"5.7.1 Recipient is on the account's suppression list") or \
            (code == 550 and b"suppression list" in text), (code, text)
        assert c.rcpt("anyone@blocked.example")[0] == 550
        assert c.rcpt("carol@example.org")[0] == 250
        assert c.data(b"Subject: hi\r\nFrom: " + SENDER.encode() + b"\r\n\r\nhello\r\n")[0] == 250
    (mail_from, rcpts, _), = sink.handler.wait_for(1)
    assert rcpts == ["carol@example.org"]
    assert srv.metric("mailpush_smtp_rejections_total") == before + 2
    # Each refusal is a delivery event of its own (an envid with no message behind it).
    assert_suppressed_record(srv, "bob@example.org")
    assert_suppressed_record(srv, "anyone@blocked.example")
    # Removed from the list: accepted again, effective at once.
    ids = ",".join(str(r["suppressionId"]) for r in entries(srv, key)["data"]["userSuppressions"])
    assert sdk(srv, key, "removeUserSuppression", {"suppressionIds": ids})["ok"]
    with srv.smtp() as c:
        c.starttls()
        c.login(SENDER, PASSWORD)
        assert c.sendmail(SENDER, ["bob@example.org"], b"Subject: again\r\n\r\nhi\r\n") == {}


def test_api_skips_suppressed_recipients_and_says_so(api, sink):
    srv, key = api
    sdk(srv, key, "createUserSuppression", {"address": "bob@example.org"})
    used_before = sdk(srv, key, "descAccountSummary")["body"]["dailyRemainFreeQuota"]
    params = {"AccountName": SENDER, "AddressType": "1", "ReplyToAddress": "false", "Subject": "s",
              "TextBody": "hi", "ToAddress": "bob@example.org,carol@example.org"}
    status, body = signed_call(srv, key["AccessKeyId"], key["AccessKeySecret"], "SingleSendMail", params)
    assert status == 200 and body["SuppressedAddresses"] == ["bob@example.org"], body
    (_, rcpts, _), = sink.handler.wait_for(1)
    assert rcpts == ["carol@example.org"]
    # Only the delivered recipient used quota.
    assert sdk(srv, key, "descAccountSummary")["body"]["dailyRemainFreeQuota"] == used_before - 1
    # Every recipient suppressed: refused, nothing queued, no quota.
    r = sdk(srv, key, "singleSendMail", {"accountName": SENDER, "addressType": 1, "replyToAddress": False,
                                         "toAddress": "bob@example.org", "subject": "s", "textBody": "hi"})
    assert r["code"] == "InvalidToAddress.Suppressed", r
    assert sdk(srv, key, "descAccountSummary")["body"]["dailyRemainFreeQuota"] == used_before - 1
    wait_for(lambda: srv.queue() == [], 30, "the queue to empty")
    # Both skips are recorded as delivery events, with the send's subject.
    wait_for(lambda: len(json.loads(srv.ctl("--json", "details", "acme", "--rcpt", "bob@example.org").stdout)) == 2,
             30, "two suppression records")
    assert_suppressed_record(srv, "bob@example.org", subject="s")


def test_admin_api_and_mailpushctl(api):
    srv, key = api
    added = json.loads(srv.ctl("--json", "suppression", "add", "acme", "dave@example.org",
                               "--source", "complaint").stdout)
    assert added["source"] == "complaint" and added["kind"] == "address" and added["id"] > 0
    dom = json.loads(srv.ctl("--json", "suppression", "add", "acme", "spam.example").stdout)
    assert dom["kind"] == "domain" and dom["source"] == "manual"
    bad = srv.ctl("suppression", "add", "acme", "nope", check=False)
    assert bad.returncode != 0
    assert srv.ctl("suppression", "add", "acme", "x@example.org", "--source", "unsubscribe",
                   check=False).returncode != 0  # only the link records unsubscribes
    listed = json.loads(srv.ctl("--json", "suppression", "list", "acme").stdout)
    assert {e["address"] for e in listed} == {"dave@example.org", "spam.example"}
    only = json.loads(srv.ctl("--json", "suppression", "list", "acme", "--source", "complaint").stdout)
    assert [e["address"] for e in only] == ["dave@example.org"]
    # The SDK sees the same list; a complaint is "system".
    rows = entries(srv, key)["data"]["userSuppressions"]
    assert {r["address"]: r["type"] for r in rows} == {"dave@example.org": "system", "spam.example": "user"}
    level = json.loads(srv.ctl("--json", "suppression", "level", "acme").stdout)
    assert level == {"account": "acme", "level": "mailfrom"}
    assert json.loads(srv.ctl("--json", "suppression", "level", "acme", "--set", "edm_id").stdout)["level"] == "edm_id"
    assert srv.ctl("suppression", "level", "acme", "--set", "bogus", check=False).returncode != 0
    assert sdk(srv, key, "getSuppressionListLevel")["body"]["suppressionListLevel"] == "edm_id"
    srv.ctl("suppression", "remove", "acme", str(added["id"]))
    assert srv.ctl("suppression", "remove", "acme", str(added["id"]), check=False).returncode != 0
    assert srv.ctl("suppression", "remove", "acme", "abc", check=False).returncode != 0
    assert [e["address"] for e in json.loads(srv.ctl("--json", "suppression", "list", "acme").stdout)] == \
        ["spam.example"]
