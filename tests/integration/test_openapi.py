"""The DirectMail-compatible OpenAPI against the real mailpushd: the official SDK sends mail that
arrives at a real receiving server (aiosmtpd) and manages the account; bad requests get the
documented error and change nothing."""
import email
import email.policy
import json
import re
import smtplib

import pytest

from harness import PASSWORD, SENDER, wait_for
from openapi_client import create_key, now_stamp, rpc_call, sdk, signed_call


@pytest.fixture
def api(make_server, sink):
    srv = make_server(routes=(("*", f"smtp://127.0.0.1:{sink.port}"),),
                      delivery='retry_initial = "1s"\nretry_max = "2s"').start().provision()
    return srv, create_key(srv)


def parse(raw):
    return email.message_from_bytes(raw, policy=email.policy.default)


SINGLE = {"accountName": SENDER, "addressType": 1, "replyToAddress": False, "toAddress": "bob@example.org",
          "subject": "Hello 你好", "htmlBody": "<p>hi there</p>", "textBody": "hi there", "fromAlias": "News"}


@pytest.mark.parametrize("signature", ["v3", "v2"])  # ACS3-HMAC-SHA256 (default) and RPC HMAC-SHA1
def test_sdk_single_send_mail_arrives(api, sink, signature):
    srv, key = api
    r = sdk(srv, key, "singleSendMail", SINGLE, signature=signature)
    assert r["ok"], r
    assert r["body"]["envId"].isdigit() and r["body"]["requestId"]
    (mail_from, rcpts, raw), = sink.handler.wait_for(1)
    assert mail_from == SENDER and rcpts == ["bob@example.org"]
    msg = parse(raw)
    assert msg["Subject"] == "Hello 你好"
    assert msg["From"].addresses[0].display_name == "News"
    assert msg["From"].addresses[0].addr_spec == SENDER
    assert msg.get_body(("plain",)).get_content().strip() == "hi there"
    assert msg.get_body(("html",)).get_content().strip() == "<p>hi there</p>"
    events = json.loads(srv.ctl("--json", "events", "--env", r["body"]["envId"]).stdout)
    assert events  # the delivery event is recorded under the EnvId the SDK got


def test_sdk_send_to_list_alias_tag_and_custom_headers(api, sink):
    srv, key = api
    assert sdk(srv, key, "createTag", {"tagName": "promo"})["ok"]
    rid = sdk(srv, key, "createReceiver", {"receiversName": "team", "receiversAlias": "team@lists.test"})
    assert rid["ok"], rid
    saved = sdk(srv, key, "saveReceiverDetail", {"receiverId": rid["body"]["receiverId"], "detail": json.dumps(
        [{"e": "a1@example.org", "u": "Ann"}, {"e": "a2@example.org"}, {"e": "not-an-address"}])})
    assert saved["ok"] and saved["body"]["successCount"] == 2 and saved["body"]["errorCount"] == 1
    r = sdk(srv, key, "singleSendMail", {**SINGLE, "toAddress": "team@lists.test", "tagName": "promo",
                                         "headers": json.dumps({"X-Campaign": "c1"})})
    assert r["ok"], r
    msgs = sink.handler.wait_for(2)
    assert sorted(r for m in msgs for r in m[1]) == ["a1@example.org", "a2@example.org"]
    msg = parse(msgs[0][2])
    assert msg["X-Campaign"] == "c1"
    assert "X-AliDM-Trace" not in msg  # the control header is removed before delivery
    assert sdk(srv, key, "singleSendMail", {**SINGLE, "tagName": "nosuchtag"})["code"] == "InvalidTagName.Malformed"
    bad = sdk(srv, key, "singleSendMail", {**SINGLE, "headers": json.dumps({"Bcc": "x@example.org"})})
    assert bad["code"] == "InvalidParameter"


def smtp_login(srv, user, password):
    with srv.smtp() as c:
        c.starttls()
        try:
            return c.login(user, password)[0]
        except smtplib.SMTPAuthenticationError as e:
            return e.smtp_code


def test_sdk_modify_pw_by_domain_sets_every_address_of_the_domain_or_none(api):
    srv, key = api
    assert sdk(srv, key, "createDomain", {"domainName": "mail2.acme.test"})["ok"]
    for a in ("one@mail2.acme.test", "two@Mail2.acme.test"):
        assert sdk(srv, key, "createMailAddress", {"accountName": a, "sendtype": "trigger"})["ok"]
    r = sdk(srv, key, "modifyPWByDomain", {"domainName": "MAIL2.acme.test", "password": "Domain2026pwXY"})
    assert r["ok"] and r["body"]["success"] is True and r["body"]["code"] == "OK", r
    assert smtp_login(srv, "one@mail2.acme.test", "Domain2026pwXY") == 235
    assert smtp_login(srv, "two@mail2.acme.test", "Domain2026pwXY") == 235
    assert smtp_login(srv, SENDER, PASSWORD) == 235  # another domain's address: untouched
    weak = sdk(srv, key, "modifyPWByDomain", {"domainName": "mail2.acme.test", "password": "short"})
    assert weak["code"] == "InvalidParameter", weak
    assert smtp_login(srv, "one@mail2.acme.test", "Domain2026pwXY") == 235  # nothing changed
    missing = sdk(srv, key, "modifyPWByDomain", {"domainName": "other.test", "password": "Domain2026pwXY"})
    assert missing["code"] == "InvalidDomain.NotFound", missing
    assert sdk(srv, key, "modifyPWByDomain", {"domainName": "mail2.acme.test"})["code"] == "MissingParameter"


def test_sdk_reply_to_verification_resent_and_approved_with_its_ticket(api, sink):
    srv, key = api
    addr_id = int(sdk(srv, key, "queryMailAddressByParam", {})["body"]["data"]["mailAddress"][0]["mailAddressId"])
    check = {"mailAddressId": addr_id, "lang": "zh-cn", "region": "cn-hangzhou"}
    assert sdk(srv, key, "checkReplyToMailAddress", check)["code"] == "InvalidReplyAddress.NotSet"
    assert sdk(srv, key, "modifyMailAddress", {"mailAddressId": addr_id, "replyAddress": "help@example.org"})["ok"]
    ((_, rcpts, raw),) = sink.handler.wait_for(1)
    assert rcpts == ["help@example.org"]
    ticket = re.search(r"token=(\w+)", parse(raw).get_body().get_content()).group(1)
    again = sdk(srv, key, "checkReplyToMailAddress", check)  # the same 10 minutes
    assert again["code"] == "LimitExceeded", again
    assert sdk(srv, key, "approveReplyMailAddress", {"ticket": ticket[:-2] + "xx"})["code"] == \
        "InvalidParameter.NotFound"
    assert sdk(srv, key, "approveReplyMailAddress", {"ticket": ticket})["ok"]
    listed = sdk(srv, key, "queryMailAddressByParam", {})["body"]["data"]["mailAddress"][0]
    assert (listed["replyAddress"], listed["replyStatus"]) == ("help@example.org", "0")
    assert sdk(srv, key, "checkReplyToMailAddress", check)["code"] == "InvalidReplyAddress.AlreadyVerified"


def test_sdk_get_and_update_user_switch_the_accounts_event_notifications(api, sink):
    srv, key = api
    srv.ctl("notify", "set", "acme", "queue")
    assert sdk(srv, key, "getUser")["body"]["data"]["enableEventbridge"] is True
    assert sdk(srv, key, "updateUser", {"user": {"enableEventbridge": False}})["ok"]
    assert sdk(srv, key, "getUser")["body"]["data"]["enableEventbridge"] is False
    unrouted = 'mailpush_notify_events_routed_total{to="none"}'
    before = srv.metric(unrouted)
    off = sdk(srv, key, "singleSendMail", SINGLE)["body"]["envId"]
    sink.handler.wait_for(1)
    wait_for(lambda: srv.metric(unrouted) > before, 30, "the event of the mail sent while off was routed")
    assert sdk(srv, key, "updateUser", {"user": {"enableEventbridge": True}})["ok"]
    on = sdk(srv, key, "singleSendMail", SINGLE)["body"]["envId"]
    sink.handler.wait_for(2)
    wait_for(lambda: json.loads(srv.ctl("--json", "notify", "size", "acme").stdout)["messages"] > 0, 30,
             "an event in the pull queue")
    got = json.loads(srv.ctl("--json", "notify", "receive", "acme", "--max", "16").stdout)
    texts = json.dumps(got)
    assert on in texts and off not in texts, got


def test_sdk_send_test_by_template_renders_the_draft_for_one_address(api, sink, tmp_path):
    srv, key = api
    body = tmp_path / "body.html"
    body.write_text("<p>Dear {UserName} ({NickName}), you are {age}.</p>")
    srv.ctl("template", "add", "acme", "welcome", "--subject", "Hi {UserName}", "--body-file", str(body))
    tid = int(sdk(srv, key, "queryTemplateByParam", {})["body"]["data"]["template"][0]["templateId"])
    req = {"templateId": tid, "accountName": SENDER, "email": "tester@example.org", "userName": "Tess",
           "nickName": "T", "templateParams": json.dumps({"age": "30"})}
    r = sdk(srv, key, "sendTestByTemplate", req)
    assert r["ok"], r
    ((_, rcpts, raw),) = sink.handler.wait_for(1)
    assert rcpts == ["tester@example.org"]
    msg = parse(raw)
    assert msg["Subject"] == "Hi Tess"
    assert "Dear Tess (T), you are 30." in msg.get_body().get_content()
    assert sdk(srv, key, "sendTestByTemplate", {**req, "templateId": tid + 100})["code"] == "InvalidTemplate.NotFound"
    assert sdk(srv, key, "sendTestByTemplate", {**req, "userName": "u" * 31})["code"] == "InvalidParameter"
    assert sdk(srv, key, "sendTestByTemplate", {**req, "templateParams": "[]"})["code"] == "InvalidParameter"


def test_sdk_management_actions(api):
    srv, key = api
    summary = sdk(srv, key, "descAccountSummary")["body"]
    assert summary["domains"] == 1 and summary["mailAddresses"] == 1 and summary["dailyQuota"] == 20000
    created = sdk(srv, key, "createDomain", {"domainName": "mail.acme.test"})
    assert created["ok"], created
    domains = sdk(srv, key, "queryDomainByParam", {"keyWord": "acme"})["body"]
    assert domains["totalCount"] == 1
    d = domains["data"]["domain"][0]
    assert d["domainName"] == "mail.acme.test" and d["domainStatus"] == "1"  # not verified yet
    desc = sdk(srv, key, "descDomain", {"domainId": int(created["body"]["domainId"])})["body"]
    assert desc["hostRecord"] == "aliyundm" and "include:spf.mx.test" in desc["spfRecord"]
    addr = sdk(srv, key, "createMailAddress", {"accountName": "batch@mail.acme.test", "sendtype": "batch"})
    assert addr["ok"], addr
    listed = sdk(srv, key, "queryMailAddressByParam", {"sendtype": "batch"})["body"]
    assert [a["accountName"] for a in listed["data"]["mailAddress"]] == ["batch@mail.acme.test"]
    assert sdk(srv, key, "modifyMailAddress", {"mailAddressId": int(addr["body"]["mailAddressId"]),
                                               "password": "Batch2026pwXY"})["ok"]
    tag = sdk(srv, key, "createTag", {"tagName": "weekly", "tagDescription": "newsletter"})["body"]["tagId"]
    assert sdk(srv, key, "modifyTag", {"tagId": int(tag), "tagName": "weekly2"})["ok"]
    tags = sdk(srv, key, "queryTagByParam", {})["body"]["data"]["tag"]
    assert [t["tagName"] for t in tags] == ["weekly2"]
    deleted = sdk(srv, key, "deleteTag", {"tagId": int(tag)})
    assert deleted["ok"], deleted
    assert sdk(srv, key, "queryTagByParam", {})["body"]["totalCount"] == 0
    # IP filter and protection (loopback is allowed in tests by allow_private_ip_protection).
    assert sdk(srv, key, "addIpfilter", {"ipAddress": "127.0.0.0/8"})["ok"]
    ips = sdk(srv, key, "getIpfilterList", {})["body"]["data"]["ipfilters"]
    assert [i["ipAddress"] for i in ips] == ["127.0.0.0/8"]
    assert sdk(srv, key, "updateIpProtection", {"ipProtection": "1"})["ok"]
    assert sdk(srv, key, "getIpProtection", {})["body"]["ipProtection"] == "1"
    # Invalid addresses
    srv.ctl("invalid", "add", "acme", "gone@example.org")
    inv = sdk(srv, key, "queryInvalidAddress", {})["body"]
    assert inv["data"]["mailDetail"][0]["toAddress"] == "gone@example.org"
    from datetime import datetime, timedelta, timezone
    today = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    tomorrow = (datetime.now(timezone.utc) + timedelta(days=1)).strftime("%Y-%m-%d")
    assert sdk(srv, key, "queryInvalidAddress", {"startTime": today, "endTime": today})["body"]["totalCount"] == 1
    assert sdk(srv, key, "queryInvalidAddress", {"startTime": tomorrow})["body"]["totalCount"] == 0
    assert sdk(srv, key, "queryInvalidAddress", {"startTime": "29/09/2019"})["code"] == "InvalidParameter"
    assert sdk(srv, key, "deleteInvalidAddress", {"toAddress": "gone@example.org"})["ok"]


def test_sdk_batch_send_renders_template_per_recipient(api, sink, tmp_path):
    srv, key = api
    srv.ctl("address", "add", "acme", "batch@example.com", "--type", "batch")
    body = tmp_path / "body.html"
    body.write_text("<p>Dear {UserName} ({NickName}), your address is {EAddr}.</p>")
    srv.ctl("template", "add", "acme", "welcome", "--subject", "Hi {UserName}", "--body-file", str(body))
    req = {"accountName": "batch@example.com", "addressType": 1, "templateName": "welcome",
           "receiversName": "customers"}
    not_yet = sdk(srv, key, "batchSendMail", req)
    assert not_yet["code"] == "InvalidTemplate.NotFound" or not_yet["code"] == "InvalidTemplateStatus.Malformed"
    srv.ctl("template", "submit", "acme", "welcome")
    draft = sdk(srv, key, "batchSendMail", req)
    assert draft["code"] == "InvalidTemplateStatus.Malformed"  # submitted is not approved
    srv.ctl("template", "approve", "acme", "welcome")
    assert sdk(srv, key, "batchSendMail", req)["code"] == "InvalidReceiverName.Malformed"  # no such list
    rid = sdk(srv, key, "createReceiver", {"receiversName": "customers", "receiversAlias": "cust@lists.test"})
    csv = tmp_path / "list.csv"
    csv.write_text("EAddr,UserName,NickName\nc1@example.org,Carol,C\nc2@example.org,Dave,D\n")
    report = json.loads(srv.ctl("--json", "list", "upload", "acme", "customers", str(csv)).stdout)
    assert report["added"] == 2 and report["rejected"] == 0
    assert rid["ok"]
    r = sdk(srv, key, "batchSendMail", req)
    assert r["ok"], r
    msgs = sink.handler.wait_for(2)
    assert len(msgs) == 2
    by_rcpt = {m[1][0]: parse(m[2]) for m in msgs}
    assert by_rcpt["c1@example.org"]["Subject"] == "Hi Carol"
    assert "Dear Dave (D), your address is c2@example.org." in by_rcpt["c2@example.org"].get_body().get_content()
    tasks = sdk(srv, key, "queryTaskByParam", {})["body"]["data"]["task"]
    assert tasks[0]["templateName"] == "welcome" and tasks[0]["requestCount"] == "2"
    listed = json.loads(srv.ctl("--json", "task", "list", "acme").stdout)
    assert listed[0]["queued"] == 2 and listed[0]["status"] == "done"
    # The same as an operator's task with a random envelope sender (address type 0).
    task = json.loads(srv.ctl("--json", "task", "send", "acme", "--address", "batch@example.com", "--template",
                              "welcome", "--list", "customers", "--address-type", "0").stdout)
    assert task["queued"] == 2 and task["address_type"] == 0
    later = sink.handler.wait_for(4)[2:]
    assert all(m[0] != "batch@example.com" and m[0].endswith("@example.com") for m in later), later
    assert all(parse(m[2])["From"].addresses[0].addr_spec == "batch@example.com" for m in later)
    # A trigger address cannot send batch mail.
    trig = sdk(srv, key, "batchSendMail", {**req, "accountName": SENDER})
    assert trig["code"] == "InvalidMailAddressSendType.Malformed"


def queue_size(srv):
    return len(srv.queue())


def test_bad_requests_get_documented_errors_and_change_nothing(make_server):
    srv = make_server().start().provision()  # route "hold": accepted mail stays queued
    key = create_key(srv)
    kid, secret = key["AccessKeyId"], key["AccessKeySecret"]
    params = {"AccountName": SENDER, "AddressType": "1", "ReplyToAddress": "false", "ToAddress": "x@example.org",
              "Subject": "s", "TextBody": "t"}
    status, body = signed_call(srv, kid, secret, "SingleSendMail", params)
    assert status == 200 and body["EnvId"], body  # the independent signer agrees with the server
    assert queue_size(srv) == 1

    def code(**kw):
        s, b = signed_call(srv, kw.pop("kid", kid), kw.pop("secret", secret), kw.pop("action", "SingleSendMail"),
                           kw.pop("params", params), **kw)
        assert set(b) >= {"Code", "Message", "RequestId"}
        return s, b["Code"]

    assert code(secret="wrong-secret") == (400, "SignatureDoesNotMatch")
    for sig in ("v3", "v2"):  # the SDK itself with a wrong secret, in both signature styles
        assert sdk(srv, {**key, "AccessKeySecret": "wrong"}, "singleSendMail", {
            "accountName": SENDER, "addressType": 1, "replyToAddress": False, "toAddress": "x@example.org",
            "subject": "s", "textBody": "t"}, signature=sig)["code"] == "SignatureDoesNotMatch"
    assert code(kid="MPAKnosuchkey") == (404, "InvalidAccessKeyId.NotFound")
    assert code(date=now_stamp(-3600)) == (400, "InvalidTimeStamp.Expired")
    assert code(date=now_stamp(+3600)) == (400, "InvalidTimeStamp.Expired")
    assert code(date="yesterday") == (400, "InvalidTimeStamp.Format")
    assert code(tamper_body="AccountName=" + SENDER + "&ToAddress=evil%40example.org") == \
        (400, "SignatureDoesNotMatch")
    assert code(action="NoSuchAction") == (404, "InvalidAction.NotFound")
    assert code(version="2099-01-01") == (400, "InvalidVersion")
    assert code(signed_headers=["host", "x-acs-date"]) == (400, "IncompleteSignature")
    # The same nonce twice: the first is served, the replay refused.
    assert signed_call(srv, kid, secret, "SingleSendMail", params, nonce="fixed-nonce-1")[0] == 200
    assert code(nonce="fixed-nonce-1") == (400, "SignatureNonceUsed")
    assert queue_size(srv) == 2
    # Parameter errors
    assert code(params={**params, "ToAddress": ",".join(f"r{i}@example.org" for i in range(101))}) == \
        (400, "InvalidToAddress")
    assert code(params={**params, "ToAddress": "not an address"}) == (400, "InvalidToAddress")
    assert code(params={**params, "Subject": "x" * 101}) == (400, "InvalidSubject.Malformed")
    assert code(params={**params, "Subject": "a\r\nBcc: evil@example.org"}) == (400, "InvalidSubject.Malformed")
    assert code(params={**params, "FromAlias": "y" * 16}) == (400, "InvalidFromAlias.Malformed")
    assert code(params={k: v for k, v in params.items() if k != "TextBody"}) == (400, "InvalidBody")
    assert code(params={**params, "AccountName": "other@example.com"}) == (400, "InvalidMailAddress.NotFound")
    assert code(params={k: v for k, v in params.items() if k != "ToAddress"}) == (400, "MissingParameter")
    assert code(params={**params, "AddressType": "7"}) == (400, "InvalidParameter")
    # Not UTF-8 (a GBK-encoded name): refused before it can reach the store.
    status, b = signed_call(srv, kid, secret, "CreateTag", {"TagName": "t1", "TagDescription": b"\xc4\xe3"})
    assert (status, b["Code"]) == (400, "InvalidParameter") and "UTF-8" in b["Message"]
    assert json.loads(srv.ctl("--json", "tag", "list", "acme").stdout) == []
    assert queue_size(srv) == 2
    # RPC HMAC-SHA1 from an independent signer, by POST and by GET; the action is the signed
    # parameter, never the unsigned x-acs-action header.
    status, summary = rpc_call(srv, kid, secret, {"Action": "DescAccountSummary"},
                               headers={"x-acs-action": "DeleteInvalidAddress"})
    assert status == 200 and summary["DailyQuota"] == 20000, summary
    assert rpc_call(srv, kid, secret, {"Action": "DescAccountSummary"}, method="GET")[0] == 200
    assert rpc_call(srv, kid, "bad", {"Action": "DescAccountSummary"})[1]["Code"] == "SignatureDoesNotMatch"
    assert rpc_call(srv, kid, secret, {"Action": "DescAccountSummary"}, date=now_stamp(-7200))[1]["Code"] == \
        "InvalidTimeStamp.Expired"
    assert rpc_call(srv, kid, secret, {"Action": "DescAccountSummary"}, nonce="rpc-nonce")[0] == 200
    assert rpc_call(srv, kid, secret, {"Action": "DescAccountSummary"}, nonce="rpc-nonce")[1]["Code"] == \
        "SignatureNonceUsed"
    # ACS3 with an unsigned x-acs-action header: refused, not trusted.
    assert code(signed_headers=["host", "x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256"]) == \
        (400, "IncompleteSignature")
    # No signature at all
    import http.client
    c = http.client.HTTPConnection("127.0.0.1", srv.ports["http"], timeout=10)
    c.request("POST", "/", body=b"Action=SingleSendMail", headers={"content-type": "application/x-www-form-urlencoded"})
    res = c.getresponse()
    assert res.status == 400 and json.loads(res.read())["Code"] == "IncompleteSignature"
    c.close()
    assert queue_size(srv) == 2
    # A captured request replayed byte for byte after a restart is still refused.
    stamp = now_stamp()
    assert signed_call(srv, kid, secret, "SingleSendMail", params, date=stamp, nonce="captured")[0] == 200
    assert srv.stop() == 0
    srv.start()
    status, b = signed_call(srv, kid, secret, "SingleSendMail", params, date=stamp, nonce="captured")
    assert (status, b["Code"]) == (400, "SignatureNonceUsed")
    assert rpc_call(srv, kid, secret, {"Action": "DescAccountSummary"}, nonce="rpc-nonce")[1]["Code"] == \
        "SignatureNonceUsed"
    assert queue_size(srv) == 3


def test_limits_through_the_api(api, tmp_path):
    srv, key = api
    for i in range(10):
        assert sdk(srv, key, "createTag", {"tagName": f"t{i}"})["ok"]
    over = sdk(srv, key, "createTag", {"tagName": "t10"})
    assert over["code"] == "LimitExceeded"
    assert sdk(srv, key, "queryTagByParam", {"pageSize": 50})["body"]["totalCount"] == 10
    assert sdk(srv, key, "createTag", {"tagName": "bad name!"})["code"] == "InvalidParameter"
    for i in range(4):  # the account already has example.com: 5 in all
        assert sdk(srv, key, "createDomain", {"domainName": f"d{i}.test"})["ok"]
    six = sdk(srv, key, "createDomain", {"domainName": "d9.test"})
    assert six["code"] == "LimitExceeded" and "at most 5" in six["data"]["Message"]
    taken = sdk(srv, key, "createDomain", {"domainName": "mail.d0.test"})  # same account: allowed
    assert taken["code"] == "LimitExceeded"
    assert sdk(srv, key, "queryDomainByParam", {})["body"]["totalCount"] == 5
    r = srv.ctl("account", "quota", "acme", "--daily", "-1", check=False)
    assert r.returncode == 2  # refused by mailpushctl before any request
    # Template body over 28 KB: refused, nothing created.
    big = tmp_path / "big.html"
    big.write_text("x" * (28 * 1024 + 1))
    r = srv.ctl("template", "add", "acme", "big", "--subject", "s", "--body-file", str(big), check=False)
    assert r.returncode != 0 and "28 KB" in r.stderr
    assert json.loads(srv.ctl("--json", "template", "list", "acme").stdout) == []
    long_subject = tmp_path / "ok.html"
    long_subject.write_text("fine")
    r = srv.ctl("template", "add", "acme", "t", "--subject", "s" * 101, "--body-file", str(long_subject), check=False)
    assert r.returncode != 0 and "subject" in r.stderr
    # Recipient lists: malformed rows are reported line by line, good rows kept.
    srv.ctl("list", "add", "acme", "l1", "l1@lists.test")
    csv = tmp_path / "rows.csv"
    csv.write_text("EAddr,UserName,NickName,Birthday\n"
                   "ok1@example.org,Ann,A,1990-01-02\n"
                   "broken-address,Bob,B,\n"
                   f"long@example.org,{'u' * 76},C,\n"
                   f"nick@example.org,Dan,{'n' * 26},\n"
                   "date@example.org,Eve,E,1990-13-45\n"
                   "\"unclosed@example.org,Fay,F,\n"
                   "ok1@example.org,Ann again,A,\n"
                   "ok2@example.org,\"Smith, Jo\",J,\n")
    report = json.loads(srv.ctl("--json", "list", "upload", "acme", "l1", str(csv)).stdout)
    reasons = {e["line"]: e["reason"] for e in report["errors"]}
    assert report["added"] == 2 and report["rejected"] == 6, report
    assert "valid address" in reasons[3] and "UserName" in reasons[4] and "NickName" in reasons[5]
    assert "Birthday" in reasons[6] and "quotes" in reasons[7] and "duplicate" in reasons[8]
    members = json.loads(srv.ctl("--json", "list", "members", "acme", "l1").stdout)
    assert [m["EAddr"] for m in members] == ["ok1@example.org", "ok2@example.org"]
    assert members[1]["UserName"] == "Smith, Jo"
    # A file saved by a spreadsheet on a Chinese system (GBK) is converted by mailpushctl.
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("EAddr,UserName\nzs@example.org,张三\n".encode("gbk"))
    assert json.loads(srv.ctl("--json", "list", "upload", "acme", "l1", str(gbk)).stdout)["added"] == 1
    members = json.loads(srv.ctl("--json", "list", "members", "acme", "l1").stdout)
    assert members[-1] == {**members[-1], "EAddr": "zs@example.org", "UserName": "张三"}
    gbk.write_bytes(b"\xff\xfe\x00\x81")
    r = srv.ctl("list", "upload", "acme", "l1", str(gbk), check=False)
    assert r.returncode == 1 and "neither UTF-8 nor GB18030" in r.stderr
    # 10000 rows per list
    many = tmp_path / "many.txt"
    many.write_text("".join(f"m{i}@example.org\n" for i in range(10_001)))
    srv.ctl("list", "add", "acme", "big", "big@lists.test")
    report = json.loads(srv.ctl("--json", "list", "upload", "acme", "big", str(many)).stdout)
    assert report["added"] == 10_000 and report["rejected"] == 1
    for i in range(8):
        srv.ctl("list", "add", "acme", f"x{i}", f"x{i}@lists.test")
    r = srv.ctl("list", "add", "acme", "x9", "x9@lists.test", check=False)
    assert r.returncode != 0 and "at most 10" in r.stderr


def test_quotas_in_smtp_and_api(api, sink):
    srv, key = api
    srv.ctl("account", "quota", "acme", "--daily", "3")
    with smtplib.SMTP("127.0.0.1", srv.ports["plain"], timeout=30) as s:
        s.login(SENDER, PASSWORD)
        s.mail(SENDER)
        assert s.rcpt("a@example.org")[0] == 250
        assert s.rcpt("b@example.org")[0] == 250
        assert s.rcpt("c@example.org")[0] == 250
        code, text = s.rcpt("d@example.org")
        assert (code, text) == (552, b"Not enough sending quota")
        assert s.data("Subject: q\r\n\r\nbody\r\n")[0] == 250
        code, text = s.mail(SENDER)
        assert (code, text) == (552, b"Daily sending quota exceeded")
    r = sdk(srv, key, "singleSendMail", SINGLE)
    assert r["code"] == "QuotaExceeded.Daily" and r["status"] == 400
    usage = json.loads(srv.ctl("--json", "account", "usage", "acme").stdout)
    assert usage["day_used"] == 3 and usage["month_used"] == 3
    srv.ctl("account", "quota", "acme", "--daily", "100", "--monthly", "4")
    r = sdk(srv, key, "singleSendMail", {**SINGLE, "toAddress": "x@example.org,y@example.org"})
    assert r["code"] == "QuotaExceeded.NotEnough"
    assert sdk(srv, key, "singleSendMail", SINGLE)["ok"]
    assert sdk(srv, key, "singleSendMail", SINGLE)["code"] == "QuotaExceeded.Monthly"
    with smtplib.SMTP("127.0.0.1", srv.ports["plain"], timeout=30) as s:
        s.login(SENDER, PASSWORD)
        assert s.mail(SENDER) == (552, b"Monthly sending quota exceeded")
    # Counts survive a restart (persisted every few seconds and at exit).
    assert srv.stop() == 0
    srv.start()
    assert json.loads(srv.ctl("--json", "account", "usage", "acme").stdout)["month_used"] == 4


def test_quota_is_taken_at_commit_so_open_transactions_cannot_pass_it(api, sink):
    # Eight sessions each pass RCPT while nothing is used yet; only five may then be stored.
    srv, _ = api
    srv.ctl("account", "quota", "acme", "--daily", "5")
    sessions = []
    try:
        for i in range(8):
            s = smtplib.SMTP("127.0.0.1", srv.ports["plain"], timeout=30)
            sessions.append(s)
            s.login(SENDER, PASSWORD)
            assert s.mail(SENDER)[0] == 250
            assert s.rcpt(f"r{i}@example.org")[0] == 250
        replies = []
        for s in sessions:
            try:
                replies.append(s.data("Subject: race\r\n\r\nbody\r\n")[0])
            except smtplib.SMTPDataError as e:
                replies.append(e.smtp_code)
        assert replies == [250] * 5 + [552] * 3, replies
        # The refused session can go on: the next transaction is refused at MAIL.
        assert sessions[-1].mail(SENDER) == (552, b"Daily sending quota exceeded")
    finally:
        for s in sessions:
            s.close()
    assert json.loads(srv.ctl("--json", "account", "usage", "acme").stdout)["day_used"] == 5
    assert len(sink.handler.wait_for(5)) == 5
    assert len(sink.handler.wait_for(6, timeout=2)) == 5  # the refused three were not stored


def test_suspended_account_and_ip_protection_in_api(api):
    srv, key = api
    srv.ctl("ip-protection", "add", "acme", "10.1.2.3")
    srv.ctl("ip-protection", "enable", "acme")
    assert sdk(srv, key, "singleSendMail", SINGLE)["code"] == "Forbidden.IpProtection"
    srv.ctl("ip-protection", "disable", "acme")
    srv.ctl("account", "suspend", "acme")
    r = sdk(srv, key, "singleSendMail", SINGLE)
    assert r["code"] == "InvalidUser.Suspended" and r["status"] == 403
    assert srv.queue() == []


def test_access_keys_are_listed_without_secret_and_revocable(api):
    srv, key = api
    listed = json.loads(srv.ctl("--json", "accesskey", "list", "acme").stdout)
    assert [k["AccessKeyId"] for k in listed] == [key["AccessKeyId"]]
    assert "AccessKeySecret" not in listed[0]
    store_bytes = b"".join(p.read_bytes() for p in srv.data.glob("store.db*"))
    assert key["AccessKeySecret"].encode() not in store_bytes  # sealed at rest
    srv.ctl("accesskey", "delete", key["AccessKeyId"])
    assert sdk(srv, key, "descAccountSummary")["code"] == "InvalidAccessKeyId.NotFound"


def test_account_limits_come_from_the_config(make_server):
    srv = make_server(tail="[accounts]\nmax_tags = 2\ndefault_daily_quota = 7\nmax_receivers_per_list = 3\n")
    srv.start().provision()
    assert json.loads(srv.ctl("--json", "account", "show", "acme").stdout)["daily_quota"] == 7
    srv.ctl("tag", "add", "acme", "a")
    srv.ctl("tag", "add", "acme", "b")
    r = srv.ctl("tag", "add", "acme", "c", check=False)
    assert r.returncode == 1 and "at most 2 tags" in r.stderr
    srv.ctl("list", "add", "acme", "l", "l@lists.test")
    rows = srv.dir / "rows.txt"
    rows.write_text("".join(f"m{i}@example.org\n" for i in range(5)))
    report = json.loads(srv.ctl("--json", "list", "upload", "acme", "l", str(rows)).stdout)
    assert report["added"] == 3 and report["rejected"] == 2


def test_bcc_dedup_and_low_storage(make_server, sink):
    srv = make_server(routes=(("*", f"smtp://127.0.0.1:{sink.port}"),))
    srv.write_config()
    srv.start().provision()
    key = create_key(srv)
    r = sdk(srv, key, "singleSendMail", {**SINGLE, "toAddress": "to@example.org, TO@example.org",
                                         "bccAddress": "hidden@example.org,to@example.org"})
    assert r["ok"], r
    (mail_from, rcpts, raw), = sink.handler.wait_for(1)
    assert sorted(rcpts) == ["hidden@example.org", "to@example.org"]  # one copy each
    assert b"hidden@example.org" not in raw
    usage = json.loads(srv.ctl("--json", "account", "usage", "acme").stdout)
    assert usage["day_used"] == 2
    # Free space below the spool's limit: refused before anything is written, as MAIL gets 452.
    srv.stop()
    srv.config.write_text(srv.config.read_text().replace("min_free_bytes = 0", 'min_free_bytes = "1000000G"'))
    srv.start()
    low = sdk(srv, key, "singleSendMail", SINGLE)
    assert low["code"] == "ServiceUnavailable" and low["status"] == 503
    assert srv.queue() == []
