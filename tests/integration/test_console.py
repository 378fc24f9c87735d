"""The web console against the real mailpushd: headless Chromium (Debian's, driven by playwright-core)
signs in, adds a domain and reads its records, creates an address and sets a password the policy
refuses and then one it accepts (and that password sends over SMTP), finds another account's
domain not found, switches to English, signs out; the phone layout; operator mode on the admin
listener; sign-in throttling as the user sees it. No uncaught JS error, no request to another
host, no serious or critical axe-core violation. At the HTTP level: the session cookie's flags,
CSRF and Origin refusals that change nothing, account scoping, sessions ending when the password
changes or the user signs out, and access-key sign-in."""
import base64
import http.cookiejar
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from datetime import datetime, timedelta, timezone

from harness import PASSWORD, SENDER, TOKEN, tls_context, wait_for
import tracked_mail as tm

BROWSER_DIR = Path(__file__).parent / "browser"
SCREENSHOTS = Path(__file__).parents[2] / "docs" / "console"
CONSOLE_PASSWORD = "Console2026pw"


@pytest.fixture
def console(make_server):
    srv = make_server(tail='[console]\nsign_in_failures = 4\n').start().provision()
    srv.ctl("account", "password", "acme", "--password-stdin", input=CONSOLE_PASSWORD + "\n")
    srv.ctl("account", "add", "other")
    srv.ctl("domain", "add", "other", "other.example")
    return srv


def other_domain_id(srv):
    return json.loads(srv.ctl("--json", "domain", "show", "other.example").stdout)["id"]


def browse(spec, timeout=120):
    assert (BROWSER_DIR / "node_modules" / "playwright-core").is_dir(), \
        "playwright-core is not installed: run npm ci --prefix tests/integration/browser (tools/test.sh does)"
    r = subprocess.run(["node", str(BROWSER_DIR / "console_flow.js"), json.dumps(spec)], capture_output=True,
                       text=True, timeout=timeout)
    assert r.returncode == 0 and r.stdout.strip(), r.stderr
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert "failure" not in out, out.get("failure")
    assert out["errors"] == [], out["errors"]
    assert out["foreign_requests"] == [], out["foreign_requests"]
    assert all(v == [] for v in out["axe"].values()), out["axe"]
    return out


def screenshots(tmp_path):
    """docs/console/ when MAILPUSH_CONSOLE_SCREENSHOTS=1 (tools/console-screenshots.sh), else a temp dir."""
    return str(SCREENSHOTS if os.environ.get("MAILPUSH_CONSOLE_SCREENSHOTS") == "1" else tmp_path / "shots")


def test_account_user_sets_up_a_domain_and_an_address_in_the_browser(console, tmp_path):
    srv = console
    base = f"http://127.0.0.1:{srv.ports['http']}"
    out = browse({"scenario": "account", "base": base, "account": "acme", "password": CONSOLE_PASSWORD,
                  "domain": "shop.example", "address": "news@shop.example", "smtp_password": "Smtp2026Secret",
                  "other_domain_id": other_domain_id(srv)})
    assert "登录失败" in out["wrong_password_message"]
    assert out["signed_in_heading"] == "概览"
    assert out["daily_used"] == "0 / 20000"
    assert out["domain_heading"] == "shop.example"
    purposes = {r["purpose"].split(":")[0] for r in out["records"]}
    assert {"ownership", "spf", "mx", "dkim", "dmarc"} <= purposes, out["records"]
    assert all(r["copy_buttons"] == 2 for r in out["records"])
    stored = json.loads(srv.ctl("--json", "domain", "show", "shop.example").stdout)
    own = next(r for r in stored["records"] if r["purpose"] == "ownership")
    assert any(own["value"] in c for r in out["records"] if r["purpose"] == "ownership" for c in r["cells"])
    assert "10 to 20" in out["policy_refusal"]
    assert out["policy_accepted"] == "密码符合要求" and out["password_saved"]
    assert "0 / 4" in out["deletions"]
    assert "未找到该资源" in out["other_domain_text"] and "other.example" not in out["other_domain_text"]
    assert out["english_heading"] == "Sending domains" and out["html_lang"] == "en"
    assert out["signed_out"]
    # The password set in the browser sends over SMTP.
    with srv.smtp() as s:
        s.starttls(context=tls_context())
        s.login("news@shop.example", "Smtp2026Secret")
        refused = s.sendmail("news@shop.example", ["bob@example.org"],
                             "From: news@shop.example\r\nTo: bob@example.org\r\nSubject: hi\r\n\r\nhello\r\n")
        assert refused == {}


def test_every_page_pictured_in_both_languages_and_on_a_phone(console, tmp_path):
    srv = console
    base = f"http://127.0.0.1:{srv.ports['http']}"
    shots = screenshots(tmp_path)
    srv.ctl("tag", "add", "acme", "newsletter")
    srv.ctl("list", "add", "acme", "customers", "customers@lists.example.com")
    members = tmp_path / "members.csv"
    members.write_text("EAddr,UserName,NickName\nc1@example.org,Carol,C\nc2@example.org,Dave,D\n")
    srv.ctl("list", "upload", "acme", "customers", str(members))
    body = tmp_path / "body.html"
    body.write_text("<p>Dear {NickName},</p><p>news for {EAddr}</p>")
    srv.ctl("template", "add", "acme", "welcome", "--subject", "Hello {UserName}", "--body-file", str(body))
    srv.ctl("invalid", "add", "acme", "gone@example.org")
    list_id = json.loads(srv.ctl("--json", "list", "show", "acme", "customers").stdout)["id"]
    template_id = json.loads(srv.ctl("--json", "template", "show", "acme", "welcome").stdout)["id"]
    for lang in ("zh", "en"):
        out = browse({"scenario": "tour", "base": base, "account": "acme", "password": CONSOLE_PASSWORD,
                      "lang": lang, "screenshots": shots, "list_id": list_id, "template_id": template_id,
                      "domain_id": json.loads(srv.ctl("--json", "domain", "show", "example.com").stdout)["id"]})
        assert out["visited"] == ["overview", "domains", "domain", "addresses", "tags", "lists", "list", "templates",
                                  "template", "send", "ip", "stats", "tracking", "details", "invalid",
                                  "suppression", "monitor"], out
    phone = browse({"scenario": "phone", "base": base, "account": "acme", "password": CONSOLE_PASSWORD,
                    "phone": True, "screenshots": shots})
    assert phone["nav_hidden"] and phone["nav_shown"] and phone["heading"] == "发信域名"
    assert {"overview-zh.png", "domains-en.png", "phone-domains.png"} <= set(os.listdir(shots))


def test_operator_mode_signs_in_with_the_admin_token_on_the_admin_listener_only(make_server, tmp_path):
    srv = make_server(routes=(("*", "hold"),)).start().provision()
    srv.ctl("account", "add", "other")
    with srv.smtp() as s:
        s.starttls(context=tls_context())
        s.login(SENDER, PASSWORD)
        s.sendmail(SENDER, ["held@example.org"], f"From: {SENDER}\r\nTo: held@example.org\r\nSubject: x\r\n\r\nx\r\n")
    (queued,) = srv.queue()
    out = browse({"scenario": "operator", "base": srv.admin_url, "token": TOKEN, "envid": queued["envid"],
                  "other_password": "OtherPass2026x", "screenshots": screenshots(tmp_path)})
    assert "登录失败" in out["wrong_token_message"]
    assert {"acme", "other"} <= set(out["accounts"])
    assert json.loads(srv.ctl("--json", "account", "show", "other").stdout)["daily_quota"] == 123
    assert out["message_rcpts"] == ["held@example.org"] and out["retry_status"] == 200 and out["held_shown"]
    assert out["deleted"] and srv.queue() == [] and out["health_queued"] == "0"
    # The password the operator set signs the account in on the public listener.
    Client(f"http://127.0.0.1:{srv.ports['http']}").sign_in(account="other", password="OtherPass2026x")
    # The admin token is no sign-in on a public listener.
    status, _ = call(f"http://127.0.0.1:{srv.ports['http']}", "POST", "/console/api/session", {"token": TOKEN})
    assert status == 401


def test_sign_in_throttling_seen_in_the_browser(console):
    srv = console
    out = browse({"scenario": "throttle", "base": f"http://127.0.0.1:{srv.ports['http']}", "account": "acme",
                  "attempts": 5})
    assert out["messages"] == [401, 401, 401, 401, 429], out["messages"]
    assert "登录失败次数过多" in out["last_message"]
    # Throttled means refused before the password is checked: the right one is refused too.
    status, body = call(f"http://127.0.0.1:{srv.ports['http']}", "POST", "/console/api/session",
                        {"account": "acme", "password": CONSOLE_PASSWORD})
    assert status == 429, body


def test_a_campaign_from_list_upload_to_the_statistics(make_server, sink, tmp_path):
    srv = make_server(routes=(("*", f"smtp://127.0.0.1:{sink.port}"),),
                      delivery='retry_initial = "1s"\nretry_max = "2s"',
                      tail='[tracking]\nlink_host = "public"\nscanner_window = "0s"\n').start().provision()
    srv.ctl("account", "password", "acme", "--password-stdin", input=CONSOLE_PASSWORD + "\n")
    srv.ctl("address", "add", "acme", "batch@example.com", "--type", "batch")
    base = f"http://127.0.0.1:{srv.ports['http']}"
    csv = "EAddr,UserName,NickName\nc1@example.org,Carol,C\nnot-an-address,Bad,B\nc2@example.org,Dave,D\n"
    out = browse({"scenario": "campaign", "base": base, "admin": srv.admin_url, "token": TOKEN,
                  "account": "acme", "password": CONSOLE_PASSWORD, "csv": csv, "good_rows": 2,
                  "batch_address": "batch@example.com", "screenshots": screenshots(tmp_path)}, timeout=180)
    assert out["report_text"] in ("共 4 行：新增 2，更新 0，失败 1", "共 3 行：新增 2，更新 0，失败 1"), out["report_text"]
    ((line, email, reason),) = out["report_rows"]
    assert line == "3" and email == "not-an-address" and reason, out["report_rows"]
    assert sorted(out["members"]) == ["c1@example.org", "c2@example.org"]
    assert "张三" in out["preview_subject"] and "Dear 小张" in out["preview_body"]
    assert out["submitted"] and out["approved"]
    assert "跳过 0" in out["send_result"] and out["task_status"] == "已完成"
    # The batch arrives, rendered per member and tracked; a reader opens one and clicks.
    msgs = sink.handler.wait_for(2)
    by_rcpt = {m[1][0]: m[2] for m in msgs}
    assert set(by_rcpt) == {"c1@example.org", "c2@example.org"}
    html = tm.html_of(by_rcpt["c1@example.org"])
    assert "Dear C," in html and "c1@example.org" in html
    pixel, (click,) = tm.pixel_url(html), tm.click_urls(html)
    urllib.request.urlopen(pixel, timeout=10, context=tls_context()).read()
    with pytest.raises(urllib.error.HTTPError) as redirect:  # the 302, not followed
        urllib.request.build_opener(NoRedirect, urllib.request.HTTPSHandler(context=tls_context())).open(
            click, timeout=10)
    assert redirect.value.code == 302
    wait_for(lambda: sum(r["clicks"] for r in json.loads(srv.ctl("--json", "stats", "track", "acme").stdout)) >= 1,
             30, "the click recorded")
    wait_for(lambda: len(json.loads(srv.ctl("--json", "details", "acme").stdout)) >= 2, 30, "two final results")
    today = (datetime.now(timezone.utc) + timedelta(minutes=480)).strftime("%Y-%m-%d")
    stats = browse({"scenario": "stats", "base": base, "account": "acme", "password": CONSOLE_PASSWORD,
                    "today": today, "screenshots": screenshots(tmp_path)})
    day, total, success, failed, invalid, rate, invalid_rate = stats["send_row"]
    assert (day, total, success, failed, invalid) == (today, "2", "2", "0", "0"), stats["send_row"]
    assert stats["chart_bars"] >= 4
    track = stats["track_row"]
    assert track[0] == today and track[1] == "2" and int(track[2]) >= 1 and int(track[6]) >= 1, track
    assert sorted(stats["detail_rcpts"]) == ["c1@example.org", "c2@example.org"]


def test_notification_targets_set_and_tested_in_the_browser(console, tmp_path):
    from test_notifications import Hook
    hook = Hook()
    try:
        srv = console
        out = browse({"scenario": "notify", "base": f"http://127.0.0.1:{srv.ports['http']}", "account": "acme",
                      "password": CONSOLE_PASSWORD, "hook": hook.url, "address": "sender@example.com",
                      "screenshots": screenshots(tmp_path)})
        assert out["account_row"][1] == hook.url and out["account_row"][2] == "发送失败", out["account_row"]
        assert "已送达 200" in out["push_test"], out["push_test"]
        ((headers, body),) = hook.batches
        (event,) = json.loads(body)["events"]
        assert event["type"] == "Test" and json.loads(event["message"])["account"] == "acme"
        assert headers["X-Mailpush-Signature"]  # signed with the target's secret
        assert "1" in out["queue_size"]
        got = json.loads(srv.ctl("--json", "notify", "receive", "acme").stdout)
        assert [m["type"] for m in got] == ["Test"]
        targets = json.loads(srv.ctl("--json", "notify", "list", "acme").stdout)
        assert {t["address"] for t in targets} == {"", "sender@example.com"}
    finally:
        hook.stop()


def test_an_alarm_rule_made_in_the_browser_fires_into_the_pull_queue(console, tmp_path):
    """监控 and 报警规则: a rule on SMTP authentication failures, created in the console; three
    wrong passwords over SMTP; the charts count them, the server's evaluation of their minute
    turns the rule to 报警 and puts one Monitor:Alarm event in the account's pull queue."""
    srv = console
    base = f"http://127.0.0.1:{srv.ports['http']}"
    srv.ctl("notify", "set", "acme", "queue")  # the account-wide target; every type, alarms included
    spec = {"base": base, "account": "acme", "password": CONSOLE_PASSWORD, "rule_name": "认证失败过多",
            "threshold": 3, "screenshots": screenshots(tmp_path)}
    made = browse({**spec, "scenario": "monitor_rule"})
    name, state, enabled, rule, hours = made["rule_cells"][:5]
    assert (name, state, enabled, hours) == ("认证失败过多", "数据不足", "已启用", "00:00–23:59"), made
    assert rule == "1分钟 SMTP 认证失败 QPS 总和 >= 3 连续1次则报警", rule
    assert "拉取队列" in made["notify_target"]
    # The three must fall in one minute: not in its last 15 s (they take well under a second).
    wait_for(lambda: time.time() % 60 < 45, 20, "a minute with 15 s left")
    for attempt in range(3):  # one AUTH each (smtplib's login() would try every mechanism)
        with srv.smtp() as s:
            s.starttls(context=tls_context())
            s.ehlo()
            plain = base64.b64encode(f"\0{SENDER}\0Wrong-password-{attempt}".encode()).decode()
            assert s.docmd("AUTH", "PLAIN " + plain)[0] == 535
    with srv.smtp() as s:
        s.starttls(context=tls_context())
        s.login(SENDER, PASSWORD)
    # The minute is evaluated once it has ended (and its counts are written): at most ~70 s.
    watched = browse({**spec, "scenario": "monitor_watch", "wait_ms": 100_000}, timeout=180)
    assert watched["failures_total"] == "合计 3 次", watched
    assert watched["success_total"] == "合计 1 次", watched
    assert watched["rule_state"] == "报警", watched
    got = json.loads(srv.ctl("--json", "notify", "receive", "acme").stdout)
    (alarm,) = [m for m in got if m["type"] == "Monitor:Alarm"]
    assert "event=Alarm&account=acme&" in alarm["message"] and "&state=ALARM&" in alarm["message"], alarm
    assert "&item=smtp_auth_failed&" in alarm["message"] and "&value=3&" in alarm["message"], alarm


def test_smtp_refusals_count_toward_their_monitor_items(console):
    """Each SMTP refusal the seeds monitor, over a real session: too long (SIZE over the limit),
    an invalid address (the account's invalid library), quota exceeded; read back through the
    console's QueryMonitorData as the 监控 page reads it."""
    srv = console
    srv.ctl("invalid", "add", "acme", "gone@example.org")
    with srv.smtp() as s:
        s.starttls(context=tls_context())
        s.login(SENDER, PASSWORD)
        assert s.docmd("MAIL", f"FROM:<{SENDER}> SIZE=999999999999")[0] == 552
        assert s.docmd("MAIL", f"FROM:<{SENDER}>")[0] == 250
        assert s.docmd("RCPT", "TO:<gone@example.org>")[0] == 559
        s.rset()
        srv.ctl("account", "quota", "acme", "--daily", "0")
        assert s.docmd("MAIL", f"FROM:<{SENDER}>")[0] == 552  # the directory changed before ctl returned
    c = Client(f"http://127.0.0.1:{srv.ports['http']}")
    c.sign_in(account="acme", password=CONSOLE_PASSWORD)

    def total(item):
        status, body = c.action("QueryMonitorData", {"Item": item})
        assert status == 200, body
        return sum(p["Sum"] for p in body["Points"]["Point"])

    assert total("smtp_error_length") == 1
    assert total("smtp_error_invalid") == 1
    assert total("smtp_error_quota") == 1
    assert total("smtp_auth_succeeded") == 1
    assert total("api_success") == 0
    status, body = c.action("QueryMonitorData", {"Item": "smtp_nope"})
    assert status == 400 and "Item must be one of" in body["Message"]


class AttackerSite:
    """A page on another origin (another port of loopback) whose script posts to the console with
    the visitor's cookies, as a cross-site request forgery would."""

    def __init__(self, console_base):
        page = f"""<!doctype html><p id="result">pending</p><script>
fetch("{console_base}/console/api/call/CreateTag", {{method: "POST", mode: "no-cors", credentials: "include",
  headers: {{"Content-Type": "text/plain"}}, body: JSON.stringify({{TagName: "forged2"}})}})
  .then(() => document.getElementById("result").textContent = "sent")
  .catch((e) => document.getElementById("result").textContent = "refused " + e);
</script>""".encode()

        class H(BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def test_csrf_from_another_origin_and_without_the_token_changes_nothing(console):
    srv = console
    base = f"http://127.0.0.1:{srv.ports['http']}"
    attacker = AttackerSite(base)
    try:
        out = browse({"scenario": "csrf", "base": base, "account": "acme", "password": CONSOLE_PASSWORD,
                      "attacker": attacker.url})
    finally:
        attacker.stop()
    assert out["same_page_without_token"] == 403
    assert out["cross_site_status"] == 403  # the cookie came along (same site), the token could not
    assert json.loads(srv.ctl("--json", "tag", "list", "acme").stdout) == []


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


# ---- HTTP level -----------------------------------------------------------------------------------

class Client:
    """A console client with a cookie jar, as a browser holds one."""

    def __init__(self, base, https=False):
        self.base, self.jar = base, http.cookiejar.CookieJar()
        handlers = [urllib.request.HTTPCookieProcessor(self.jar)]
        if https:
            handlers.append(urllib.request.HTTPSHandler(context=tls_context()))
        self.opener = urllib.request.build_opener(*handlers)
        self.csrf, self.last_headers = "", {}

    def send(self, method, path, body=None, csrf=True, headers=None):
        req = urllib.request.Request(self.base + path, method=method,
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json", **(headers or {})})
        if csrf and self.csrf:
            req.add_header("X-CSRF-Token", self.csrf)
        try:
            with self.opener.open(req, timeout=30) as res:
                self.last_headers = res.headers
                return res.status, json.loads(res.read() or b"null")
        except urllib.error.HTTPError as e:
            self.last_headers = e.headers
            return e.code, json.loads(e.read() or b"null")

    def sign_in(self, **credentials):
        status, body = self.send("POST", "/console/api/session", credentials, csrf=False)
        assert status == 200, body
        self.csrf = body["csrf"]
        return body

    def action(self, name, params=None, **kw):
        return self.send("POST", f"/console/api/call/{name}", params or {}, **kw)


def call(base, method, path, body):
    return Client(base).send(method, path, body, csrf=False)


def test_session_cookie_csrf_origin_and_scoping(console):
    srv = console
    base = f"http://127.0.0.1:{srv.ports['http']}"
    c = Client(base)
    assert c.send("GET", "/console/api/session")[0] == 401
    me = c.sign_in(account="acme", password=CONSOLE_PASSWORD)
    assert me["account"] == "acme" and not me["operator"]
    cookie = c.last_headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/console" in cookie
    assert "Secure" not in cookie  # plain HTTP: a Secure cookie would never come back
    # Every call needs the session's CSRF token; without it (or with another) nothing changes.
    assert c.action("CreateTag", {"TagName": "forged"}, csrf=False)[0] == 403
    assert c.action("CreateTag", {"TagName": "forged"}, headers={"X-CSRF-Token": "x" * 43}, csrf=False)[0] == 403
    assert c.action("CreateTag", {"TagName": "forged"}, headers={"Origin": "http://evil.example"})[0] == 403
    status, tags = c.action("QueryTagByParam")
    assert status == 200 and tags["TotalCount"] == 0
    assert c.action("CreateTag", {"TagName": "weekly"})[0] == 200
    assert c.action("QueryTagByParam")[1]["TotalCount"] == 1
    # Another account's domain: 404 for reading and deleting, and it stays.
    other = other_domain_id(srv)
    assert c.action("DescDomain", {"DomainId": other})[0] == 404
    assert c.action("DeleteDomain", {"DomainId": other})[0] == 404
    assert json.loads(srv.ctl("--json", "domain", "show", "other.example").stdout)["domain"] == "other.example"
    # Bad parameters get the OpenAPI's errors.
    assert c.action("DescDomain", {"DomainId": {"x": 1}})[0] == 400
    assert c.action("NoSuchAction")[0] == 404
    # The account session is not an operator session on the admin listener.
    admin = Client(srv.admin_url)
    admin.jar = c.jar
    admin.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(c.jar))
    admin.csrf = c.csrf
    assert admin.send("GET", "/console/api/v1/accounts")[0] == 401
    # A new console password ends the session; signing out ends another.
    srv.ctl("account", "password", "acme", "--password-stdin", input="Another2026pw\n")
    assert c.action("QueryTagByParam")[0] == 401
    d = Client(base)
    d.sign_in(account="acme", password="Another2026pw")
    assert d.send("DELETE", "/console/api/session", csrf=False)[0] == 403  # sign-out needs the token too
    assert d.send("DELETE", "/console/api/session")[0] == 200
    assert d.action("QueryTagByParam")[0] == 401


def test_access_key_sign_in_and_secure_cookie_over_https(console):
    srv = console
    key = json.loads(srv.ctl("--json", "accesskey", "create", "acme").stdout)
    c = Client(f"https://127.0.0.1:{srv.ports['https']}", https=True)
    status, _ = c.send("POST", "/console/api/session",
                       {"access_key_id": key["AccessKeyId"], "access_key_secret": "wrong"}, csrf=False)
    assert status == 401
    me = c.sign_in(access_key_id=key["AccessKeyId"], access_key_secret=key["AccessKeySecret"])
    assert me["account"] == "acme"
    assert "Secure" in c.last_headers["Set-Cookie"]
    status, summary = c.action("DescAccountSummary")
    assert status == 200 and summary["Domains"] == 1
    # Deleting the key ends the session it opened.
    srv.ctl("accesskey", "delete", key["AccessKeyId"])
    assert c.action("DescAccountSummary")[0] == 401


def test_static_files_headers_and_bad_methods(console):
    srv = console
    base = f"http://127.0.0.1:{srv.ports['http']}"
    with urllib.request.urlopen(base + "/console/", timeout=10) as res:
        html = res.read().decode()
        csp = res.headers["Content-Security-Policy"]
        etag = res.headers["ETag"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "default-src 'none'" in csp
    assert '<script type="module" src="app-' in html
    req = urllib.request.Request(base + "/console/", headers={"If-None-Match": etag})
    with pytest.raises(urllib.error.HTTPError) as not_modified:
        urllib.request.urlopen(req, timeout=10)
    assert not_modified.value.code == 304
    for method, path, code in (("POST", "/console/", 405), ("GET", "/console/nope.js", 404),
                               ("GET", "/console/../admin.token", 404), ("PUT", "/console/api/session", 405),
                               ("POST", "/console/api/call/DescAccountSummary", 401)):
        req = urllib.request.Request(base + path, method=method, data=b"{}" if method != "GET" else None)
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(req, timeout=10)
        assert refused.value.code == code, (method, path)
    status, body = call(base, "POST", "/console/api/session", {"account": "acme"})
    assert status == 401
    req = urllib.request.Request(base + "/console/api/session", method="POST", data=b"not json")
    with pytest.raises(urllib.error.HTTPError) as bad:
        urllib.request.urlopen(req, timeout=10)
    assert bad.value.code == 400
