"""Domain verification through c-ares against a real DNS server (dnsmasq on loopback), the
require_verified_domain switch in SMTP and the API, reply-to verification by a mailed link, and
list aliases as SMTP recipients."""
import json
import re
import smtplib
import urllib.request

import pytest

from harness import PASSWORD, SENDER, tls_context
from openapi_client import create_key, sdk
from test_dns import start_dnsmasq


def domain_records(srv, domain):
    return {r["purpose"]: r for r in json.loads(srv.ctl("--json", "domain", "show", domain).stdout)["records"]}


def test_domain_verification_gates_sending(make_server, sink, tmp_path):
    srv = make_server(verified_domains=True, routes=(("*", f"smtp://127.0.0.1:{sink.port}"),))
    srv.start().provision()
    key = create_key(srv)
    records = domain_records(srv, "example.com")
    assert records["ownership"]["host"] == "aliyundm.example.com"
    assert records["ownership"]["value"].startswith("mailpush-verify=")
    assert records["spf"]["value"] == "v=spf1 include:spf.mx.test -all"
    assert all(r["status"] == "unchecked" for r in records.values())

    # Unverified: SMTP and API refuse, nothing is queued.
    with smtplib.SMTP("127.0.0.1", srv.ports["plain"], timeout=30) as s:
        s.login(SENDER, PASSWORD)
        assert s.mail(SENDER) == (554, b"5.7.1 Sender domain is not verified")
    r = sdk(srv, key, "singleSendMail", {"accountName": SENDER, "addressType": 1, "replyToAddress": False,
                                         "toAddress": "bob@example.org", "subject": "s", "textBody": "t"})
    assert r["code"] == "InvalidMailAddressDomain.NotVerified"
    assert srv.queue() == []

    # Publish only the SPF record with a wrong include, and the MX: still unverified.
    token = records["ownership"]["value"]
    dns_dir = tmp_path / "dns1"
    dns_dir.mkdir()
    proc, port = start_dnsmasq(dns_dir, "local=/example.com/\n"
                                        'txt-record=example.com,"v=spf1 include:spf.other.test -all"\n'
                                        "mx-host=example.com,mx.test,10\n")
    try:
        srv.stop()
        srv.tail = f'[dns]\nservers = ["127.0.0.1:{port}"]\n'
        srv.write_config()
        srv.start()
        out = json.loads(srv.ctl("--json", "domain", "verify", "example.com").stdout)
        by = {r["purpose"]: r for r in out["records"]}
        assert out["verified"] is False
        assert by["spf"]["status"] == "mismatch" and "spf.other.test" in by["spf"]["found"]
        assert by["mx"]["status"] == "ok"
        assert by["ownership"]["status"] == "missing" and by["tracking"]["status"] == "missing"
    finally:
        proc.terminate()
        proc.wait(timeout=10)

    # Publish everything: verified through the SDK's CheckDomain; sending works.
    dns_dir2 = tmp_path / "dns2"
    dns_dir2.mkdir()
    # The DKIM key's record too (a TXT string holds 255 bytes: the 2048-bit key takes two).
    dkim = next(r for p, r in records.items() if p.startswith("dkim:"))
    dkim_txt = ",".join(f'"{dkim["value"][i:i + 250]}"' for i in range(0, len(dkim["value"]), 250))
    proc, port = start_dnsmasq(dns_dir2, f'txt-record=aliyundm.example.com,"{token}"\n'
                                         'txt-record=example.com,"v=spf1 include:spf.mx.test -all"\n'
                                         f'txt-record={dkim["host"]},{dkim_txt}\n'
                                         'txt-record=_dmarc.example.com,"v=DMARC1; p=none"\n'
                                         "mx-host=example.com,mx.test,10\n"
                                         "cname=dmtrace.example.com,tracedm.mx.test\n"
                                         "host-record=tracedm.mx.test,127.0.0.9\n")
    try:
        srv.stop()
        srv.tail = f'[dns]\nservers = ["127.0.0.1:{port}"]\n'
        srv.write_config()
        srv.start()
        domains = sdk(srv, key, "queryDomainByParam", {})["body"]["data"]["domain"]
        live = sdk(srv, key, "descDomain", {"domainId": int(domains[0]["domainId"]),
                                            "requireRealTimeDnsRecords": True})["body"]
        assert live["dnsTxt"] == token and live["spfAuthStatus"] == "0"  # looked up now...
        assert domain_records(srv, "example.com")["ownership"]["status"] == "missing"  # ...not recorded
        checked = sdk(srv, key, "checkDomain", {"domainId": int(domains[0]["domainId"])})
        assert checked["ok"] and checked["body"]["domainStatus"] == 0, checked
        records = domain_records(srv, "example.com")
        assert {p: r["status"] for p, r in records.items()} == \
            {"ownership": "ok", "spf": "ok", "mx": "ok", "tracking": "ok", "dkim:mpr1": "ok", "dmarc": "ok"}
        desc = sdk(srv, key, "descDomain", {"domainId": int(domains[0]["domainId"])})["body"]
        assert desc["spfAuthStatus"] == "0" and desc["domainStatus"] == "0"
        with smtplib.SMTP("127.0.0.1", srv.ports["plain"], timeout=30) as s:
            s.login(SENDER, PASSWORD)
            s.sendmail(SENDER, ["bob@example.org"], "Subject: verified\r\n\r\nok\r\n")
        assert len(sink.handler.wait_for(1)) == 1
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_reply_to_is_verified_by_a_mailed_link(make_server, sink):
    srv = make_server(routes=(("*", f"smtp://127.0.0.1:{sink.port}"),)).start().provision()
    key = create_key(srv)
    out = json.loads(srv.ctl("--json", "address", "reply-to", SENDER, "help@example.org").stdout)
    assert out["reply_to_status"] == "pending"
    (mail_from, rcpts, raw), = sink.handler.wait_for(1)
    assert rcpts == ["help@example.org"]
    import email
    import email.policy
    text = email.message_from_bytes(raw, policy=email.policy.default).get_body().get_content()
    link = re.search(r"(https://\S+/reply-to/confirm\?token=\w+)", text).group(1)  # the public listener
    # A second request within 10 minutes is refused; the first link still works.
    again = srv.ctl("address", "reply-to", SENDER, "other@example.org", check=False)
    assert again.returncode != 0 and "10 minutes" in again.stderr
    send = {"accountName": SENDER, "addressType": 1, "replyToAddress": True, "toAddress": "bob@example.org",
            "subject": "s", "textBody": "t"}
    assert sdk(srv, key, "singleSendMail", send)["code"] == "InvalidReplyAddress.NotVerified"
    # A browser (Accept: text/html) gets a page; a wrong token changes nothing.
    # Opening the link (GET) shows a button and confirms nothing; the button POSTs the token.
    ctx = tls_context()
    with urllib.request.urlopen(link, timeout=10, context=ctx) as res:
        assert b'<form method="post"' in res.read()
    base, token = link.split("?token=")
    post = lambda t, accept="application/json": urllib.request.Request(  # noqa: E731
        base, data=f"token={t}".encode(), method="POST", headers={"Accept": accept})
    with pytest.raises(urllib.error.HTTPError) as wrong:
        urllib.request.urlopen(post(token[:-4] + "xxxx", "text/html,application/xhtml+xml"), timeout=10, context=ctx)
    assert wrong.value.code == 404 and b"<h1>Not confirmed</h1>" in wrong.value.read()
    with urllib.request.urlopen(post(token), timeout=10, context=ctx) as res:
        assert json.loads(res.read())["reply_to_status"] == "verified"
    with pytest.raises(urllib.error.HTTPError) as used:
        urllib.request.urlopen(post(token), timeout=10, context=ctx)
    assert used.value.code == 404
    assert sdk(srv, key, "singleSendMail", send)["ok"]
    msgs = sink.handler.wait_for(2)
    assert email.message_from_bytes(msgs[1][2], policy=email.policy.default)["Reply-To"] == "help@example.org"


def test_rcpt_to_a_list_alias_reaches_every_member(make_server, sink, tmp_path):
    srv = make_server(routes=(("*", f"smtp://127.0.0.1:{sink.port}"),)).start().provision()
    srv.ctl("list", "add", "acme", "staff", "staff@lists.test")
    rows = tmp_path / "staff.txt"
    rows.write_text("s1@example.org\ns2@example.org\ns3@example.org\n")
    srv.ctl("list", "upload", "acme", "staff", str(rows))
    srv.ctl("account", "quota", "acme", "--daily", "4")
    with smtplib.SMTP("127.0.0.1", srv.ports["plain"], timeout=30) as s:
        s.login(SENDER, PASSWORD)
        s.mail(SENDER)
        assert s.rcpt("staff@lists.test")[0] == 250
        assert s.rcpt("boss@example.org")[0] == 250
        assert s.rcpt("more@example.org") == (552, b"Not enough sending quota")  # 3 + 1 + 1 > 4
        assert s.data("Subject: all hands\r\n\r\nmeeting\r\n")[0] == 250
    got = sorted(r for m in sink.handler.wait_for(4) for r in m[1])
    assert got == ["boss@example.org", "s1@example.org", "s2@example.org", "s3@example.org"]
    assert json.loads(srv.ctl("--json", "account", "usage", "acme").stdout)["day_used"] == 4
