"""Delivery reporting (docs/events.md): every final result is kept with its sender, tag and subject,
searchable by time, sender, recipient, tag and result, and counted per day, sender or tag,
through mailpushctl and through the official SDK's statistics actions."""
import json
import smtplib
import time
from datetime import datetime, timedelta, timezone

from harness import PASSWORD, SENDER
from openapi_client import create_key, sdk
from sink import Sink


def test_details_and_statistics(make_server):
    sink = Sink()
    try:
        srv = make_server(routes=(("*", f"smtp://127.0.0.1:{sink.port}"),))
        srv.start().provision()
        key = create_key(srv)
        srv.ctl("tag", "add", "acme", "promo")
        r = sdk(srv, key, "singleSendMail", {"accountName": SENDER, "addressType": 1, "replyToAddress": False,
                                             "toAddress": "ok1@example.org,unknown1@example.org",
                                             "subject": "Sale", "textBody": "t", "tagName": "promo"})
        assert r["ok"], r
        with smtplib.SMTP("127.0.0.1", srv.ports["plain"], timeout=30) as s:
            s.login(SENDER, PASSWORD)
            s.sendmail(SENDER, ["ok2@example.org"], "Subject: Plain\r\n\r\nbody\r\n")
        rows = []
        for _ in range(150):  # at most 15 s for the three final results
            rows = json.loads(srv.ctl("--json", "details", "acme").stdout)
            if len(rows) == 3:
                break
            time.sleep(0.1)
        assert len(rows) == 3, rows
        by_rcpt = {r["rcpt"]: r for r in rows}
        assert by_rcpt["ok1@example.org"]["tag"] == "promo" and by_rcpt["ok1@example.org"]["status"] == 0
        assert by_rcpt["unknown1@example.org"]["status"] == 2
        assert by_rcpt["unknown1@example.org"]["failed_type"] == "SmtpNxBox"
        assert by_rcpt["ok2@example.org"]["tag"] == "" and by_rcpt["ok2@example.org"]["subject"] == "Plain"
        assert all(r["sender"] == SENDER for r in rows)
        assert len(json.loads(srv.ctl("--json", "details", "acme", "--tag", "promo").stdout)) == 2
        assert [r["rcpt"] for r in json.loads(srv.ctl("--json", "details", "acme", "--status", "2").stdout)] == \
            ["unknown1@example.org"]
        assert json.loads(srv.ctl("--json", "details", "acme", "--rcpt", "OK2@example.org").stdout)[0]["rcpt"] == \
            "ok2@example.org"
        by_tag = {s["key"]: s for s in json.loads(srv.ctl("--json", "stats", "acme", "--by", "tag").stdout)}
        assert by_tag["promo"]["total"] == 2 and by_tag["promo"]["success"] == 1 and by_tag["promo"]["invalid"] == 1
        assert by_tag["promo"]["success_rate"] == 0.5 and by_tag[""]["total"] == 1
        today = (datetime.now(timezone.utc) + timedelta(hours=8)).strftime("%Y-%m-%d")  # the service's days: +08:00
        days = json.loads(srv.ctl("--json", "stats", "acme").stdout)
        assert days == [{**days[0], "key": today, "total": 3, "success": 2, "invalid": 1}]
        bad = srv.ctl("stats", "acme", "--by", "colour", check=False)
        assert bad.returncode == 1 and "by must be" in bad.stderr
        assert srv.ctl("details", "acme", "--from", "yesterday", check=False).returncode == 1

        # The same through the SDK.
        d = sdk(srv, key, "senderStatisticsDetailByParam", {"tagName": "promo", "length": 1})["body"]
        assert len(d["data"]["mailDetail"]) == 1 and d["nextStart"] == "1"
        d2 = sdk(srv, key, "senderStatisticsDetailByParam", {"tagName": "promo", "length": 5, "nextStart": "1"})
        assert len(d2["body"]["data"]["mailDetail"]) == 1 and d2["body"]["nextStart"] == ""
        invalid = sdk(srv, key, "senderStatisticsDetailByParam", {"status": 2})["body"]["data"]["mailDetail"]
        assert [m["toAddress"] for m in invalid] == ["unknown1@example.org"]
        assert invalid[0]["errorClassification"] == "SmtpNxBox" and invalid[0]["status"] == 2
        st = sdk(srv, key, "senderStatisticsByTagNameAndBatchID",
                 {"startTime": today, "endTime": today, "tagName": "promo"})["body"]["data"]["stat"]
        assert st == [{**st[0], "createTime": today, "requestCount": "2", "successCount": "1",
                       "unavailableCount": "1", "succeededPercent": "50%", "unavailablePercent": "50%"}]
        assert sdk(srv, key, "senderStatisticsByTagNameAndBatchID",
                   {"startTime": "29/09/2019", "endTime": today})["code"] == "InvalidParameter"
    finally:
        sink.stop()
