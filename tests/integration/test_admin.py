"""mailpushctl and the admin API against the real server; bad config and bad parameters."""
import csv
import io
import json
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from harness import MAILPUSHCTL, MAILPUSHD, PASSWORD, SENDER, TOKEN, RawClient


def api(server, method, path, body=None, token=TOKEN):
    req = urllib.request.Request(server.admin_url + path, method=method,
                                 data=None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode()))
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_bad_config_is_one_line_naming_the_key_exit_2(tmp_path):
    cfg = tmp_path / "bad.toml"
    cfg.write_text('[[listener]]\nname="s"\n[smtp]\nmax_errorz = 3\n')
    r = subprocess.run([MAILPUSHD, "--config", str(cfg)], capture_output=True, text=True, timeout=30)
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [f"mailpushd: {cfg}: key 'smtp.max_errorz': unknown key"]
    cfg.write_text('[[listener]]\nname="s"\n[limits]\nmax_recipients = -1\n')
    r = subprocess.run([MAILPUSHD, "--config", str(cfg), "--check-config"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 2 and "key 'limits.max_recipients': must be between 1 and 10000" in r.stderr
    r = subprocess.run([MAILPUSHD, "--config", "config/dev.toml", "--check-config"], capture_output=True, text=True,
                       timeout=30)
    assert r.returncode == 0 and r.stdout.strip() == "configuration OK"
    # The benchmark configs are shipped too: they must load (a moved key once broke them unseen).
    for bench in ("bench/bench.toml", "bench/bench-e2e.toml"):
        r = subprocess.run([MAILPUSHD, "--config", bench, "--check-config"], capture_output=True, text=True,
                           timeout=30)
        assert r.returncode == 0 and r.stdout.strip() == "configuration OK", (bench, r.stderr)
    # Every key of the production template loads; on this host its certificate is missing, and
    # --check-config names that key (it checks the files, not only the syntax).
    r = subprocess.run([MAILPUSHD, "--config", "config/mailpushd.toml", "--check-config"], capture_output=True,
                       text=True, timeout=30)
    if not Path("/etc/mailpush/tls/cert.pem").exists():
        assert r.returncode == 2 and r.stderr.strip() == (
            "mailpushd: config/mailpushd.toml: key 'tls.cert': cannot read /etc/mailpush/tls/cert.pem: "
            "No such file or directory"), r.stderr


def test_bad_tls_files_exit_2(make_server):
    srv = make_server()
    srv.config.write_text(srv.config.read_text().replace("self_signed = true", "self_signed = false"))
    r = subprocess.run([MAILPUSHD, "--config", str(srv.config)], capture_output=True, text=True, timeout=30)
    assert r.returncode == 2 and "tls.cert" in r.stderr


def test_mailpushctl_full_walkthrough(make_server):
    srv = make_server().start()
    assert "acme" in srv.ctl("account", "add", "acme").stdout
    out = json.loads(srv.ctl("--json", "account", "show", "acme").stdout)
    assert out["status"] == "normal" and out["daily_quota"] == 20000 and out["monthly_quota"] == 600000
    srv.ctl("domain", "add", "acme", "example.com")
    srv.ctl("address", "add", "acme", SENDER, "--type", "batch")
    addr = json.loads(srv.ctl("--json", "address", "show", SENDER).stdout)
    assert addr["type"] == "batch" and addr["smtp_password"] is False
    # Weak password: one clear line, non-zero exit, nothing changed.
    r = srv.ctl("address", "password", SENDER, "--password-stdin", input="password\n", check=False)
    assert r.returncode != 0 and r.stderr.strip().startswith("mailpushctl: the password")
    assert json.loads(srv.ctl("--json", "address", "show", SENDER).stdout)["smtp_password"] is False
    srv.ctl("address", "password", SENDER, "--password-stdin", input=PASSWORD + "\n")
    assert RawClient(srv.ports["plain"]).login() == "235 Authentication successful"
    r = srv.ctl("address", "password", SENDER, "--password-stdin", input=PASSWORD + "\n", check=False)
    assert r.returncode != 0 and "previous" in r.stderr
    lst = json.loads(srv.ctl("--json", "domain", "list", "acme").stdout)
    assert [d["domain"] for d in lst] == ["example.com"]
    srv.ctl("invalid", "add", "acme", "bad@dest.test")
    assert "bad@dest.test" in srv.ctl("invalid", "list").stdout
    # The console's search and export: keyword, days added, CSV with a quoted field.
    srv.ctl("invalid", "add", "acme", "other@elsewhere.test", "--reason", 'bounced, "550"')
    found = json.loads(srv.ctl("--json", "invalid", "list", "acme", "--keyword", "DEST").stdout)
    assert [i["address"] for i in found] == ["bad@dest.test"]
    today = json.loads(srv.ctl("--json", "invalid", "list", "acme").stdout)[0]["created_at"][:10]
    assert len(json.loads(srv.ctl("--json", "invalid", "list", "acme", "--from", today, "--to", today).stdout)) == 2
    assert json.loads(srv.ctl("--json", "invalid", "list", "acme", "--to", "2000-01-01").stdout) == []
    csv_text = srv.ctl("invalid", "export", "acme").stdout
    rows = list(csv.reader(io.StringIO(csv_text)))
    assert rows[0] == ["account", "address", "reason", "added_at"]
    assert sorted(r[1] for r in rows[1:]) == ["bad@dest.test", "other@elsewhere.test"]
    assert ["acme", "other@elsewhere.test", 'bounced, "550"'] == [r for r in rows if r[1].startswith("other")][0][:3]
    r = srv.ctl("invalid", "list", "acme", "--from", "yesterday", check=False)
    assert r.returncode == 1 and "YYYY-MM-DD" in r.stderr
    srv.ctl("invalid", "remove", "acme", "other@elsewhere.test")
    srv.ctl("invalid", "remove", "acme", "bad@dest.test")
    r = srv.ctl("invalid", "remove", "acme", "bad@dest.test", check=False)
    assert r.returncode == 1 and r.stderr.count("\n") == 1
    # queue show / delete
    with srv.smtp("plain") as s:
        s.login(SENDER, PASSWORD)
        s.sendmail(SENDER, ["q@dest.test"], "Subject: q\r\n\r\nx\r\n")
    q = json.loads(srv.ctl("--json", "queue", "list").stdout)
    envid = q[0]["envid"]
    shown = json.loads(srv.ctl("--json", "queue", "show", envid).stdout)
    assert shown["recipients"][0]["address"] == "q@dest.test"
    srv.ctl("queue", "delete", envid)
    assert srv.queue() == []
    assert srv.ctl("queue", "delete", envid, check=False).returncode == 1
    deadline = time.monotonic() + 10  # the history stays, and says why the message left the queue
    while time.monotonic() < deadline:
        gone = json.loads(srv.ctl("--json", "queue", "show", envid).stdout)
        if gone["recipients"][0]["state"] == "failed":
            break
        time.sleep(0.05)
    assert gone["queued"] is False and gone["recipients"][0]["last_reply"] == "deleted by the operator"
    assert srv.ctl("queue", "show", "4242", check=False).returncode == 1
    # deletes: address, domain, account (in that order, as the hosted service requires)
    assert srv.ctl("account", "delete", "acme", check=False).returncode == 1
    srv.ctl("address", "delete", SENDER)
    assert RawClient(srv.ports["plain"]).login() == "535 Authentication failure"
    srv.ctl("domain", "delete", "example.com")
    srv.ctl("account", "delete", "acme")
    assert json.loads(srv.ctl("--json", "account", "list").stdout) == []


def test_mailpushctl_usage_and_connection_errors(make_server):
    r = subprocess.run([MAILPUSHCTL, "--url", "http://127.0.0.1:9", "--token", "x", "account", "list"],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 1 and r.stderr.startswith("mailpushctl: cannot connect to http://127.0.0.1:9")
    r = subprocess.run([MAILPUSHCTL, "--url", "http://127.0.0.1:9", "--token", "x", "frobnicate", "it"],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 2 and "unknown command" in r.stderr
    r = subprocess.run([MAILPUSHCTL, "--config", "config/dev.toml", "--bogus"], capture_output=True, text=True,
                       timeout=30)
    assert r.returncode == 2
    srv = make_server().start()
    r = subprocess.run([MAILPUSHCTL, "--url", srv.admin_url, "--token", "wrong-token", "account", "list"],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 1 and "bearer token" in r.stderr
    r = subprocess.run([MAILPUSHCTL, "--config", str(srv.config), "account", "list"], capture_output=True, text=True,
                       timeout=30)
    assert r.returncode == 1  # config points at port 0: cannot connect, says so
    assert "cannot connect" in r.stderr


def test_admin_api_rejects_bad_requests_and_changes_nothing(make_server):
    srv = make_server().start()
    assert api(srv, "GET", "/v1/health", token=None)[0] == 200
    assert api(srv, "GET", "/v1/accounts", token=None)[0] == 401
    assert api(srv, "GET", "/v1/accounts", token="nope")[0] == 401
    status, body = api(srv, "POST", "/v1/accounts", b"{not json")
    assert status == 400 and body["error"]["code"] == "InvalidBody"
    status, body = api(srv, "POST", "/v1/accounts", {"nom": "x"})
    assert status == 400 and body["error"]["code"] == "MissingParameter"
    status, body = api(srv, "POST", "/v1/accounts", {"name": 5})
    assert status == 400 and body["error"]["code"] == "InvalidParameter"
    status, body = api(srv, "POST", "/v1/accounts", ["name"])
    assert status == 400
    assert api(srv, "GET", "/v1/nothing")[0] == 404
    assert api(srv, "GET", "/v1/queue/notanumber")[0] == 400
    assert api(srv, "GET", "/v1/queue/123")[0] == 404
    assert api(srv, "PUT", "/v1/accounts")[0] == 404
    assert api(srv, "GET", "/v1/accounts")[1] == []
    assert api(srv, "POST", "/v1/accounts", {"name": "a"})[0] == 201
    assert api(srv, "POST", "/v1/accounts", {"name": "a"})[0] == 409
    assert api(srv, "POST", "/v1/domains", {"account": "a", "domain": "not a domain"})[0] == 422
    assert api(srv, "POST", "/v1/domains", {"account": "zzz", "domain": "x.com"})[0] == 404
    assert api(srv, "PATCH", "/v1/accounts/a", {"status": "bogus"})[0] == 422
    assert [a["name"] for a in api(srv, "GET", "/v1/accounts")[1]] == ["a"]
    assert api(srv, "GET", "/v1/domains")[1] == []


def test_malformed_http_request_gets_400(make_server):
    import socket
    srv = make_server().start()
    s = socket.create_connection(("127.0.0.1", srv.ports["http"]), timeout=10)
    s.sendall(b"THIS IS NOT HTTP\r\n\r\n")
    assert s.recv(200).startswith(b"HTTP/1.1 400")


def test_seed_limits_through_mailpushctl(make_server):
    srv = make_server().start()
    srv.ctl("account", "add", "a")
    srv.ctl("account", "add", "b")
    for i in range(5):
        srv.ctl("domain", "add", "a", f"d{i}.example.com")
    r = srv.ctl("domain", "add", "a", "d5.example.com", check=False)
    assert r.returncode == 1 and "at most 5 domains" in r.stderr
    r = srv.ctl("domain", "add", "b", "sub.d1.example.com", check=False)
    assert r.returncode == 1 and "another account" in r.stderr
    for i in range(10):
        srv.ctl("address", "add", "a", f"u{i}@d0.example.com")
    r = srv.ctl("address", "add", "a", "u10@d0.example.com", check=False)
    assert r.returncode == 1 and "at most 10 sender addresses" in r.stderr
    for i in range(4):
        srv.ctl("address", "delete", f"u{i}@d0.example.com")
    r = srv.ctl("address", "delete", "u4@d0.example.com", check=False)
    assert r.returncode == 1 and "per calendar month" in r.stderr


def test_json_log_lines_are_valid_json(make_server):
    srv = make_server(extra='log_format = "json"').start()
    c = RawClient(srv.ports["plain"])
    c.reply()
    c.cmd("EHLO x")
    c.cmd("AUTH PLAIN " + __import__("base64").b64encode(b'\0we"ird\\user\0pw').decode())
    c.close()
    srv.stop()
    lines = [l for l in srv.log().splitlines() if l.startswith("{")]
    assert lines, srv.log()
    events = [json.loads(l) for l in lines]
    assert any(e["event"].startswith("ready ") for e in events)
    assert any(e["event"].startswith("auth.result ") and "user=<invalid>" in e["event"] for e in events)
