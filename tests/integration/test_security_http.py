"""The HTTP listeners by audience: the admin API and /metrics only on the operator listener, its
token (file or config) checked and failed logins throttled; HTTPS on the public listener for the
official SDK's default protocol; limits before work (413 before the body, connections per IP, a
header deadline); the reply-to link confirms only on POST."""
import json
import os
import shutil
import socket
import stat
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from harness import MAILPUSHCTL, MAILPUSHD, TOKEN, wait_for
from openapi_client import create_key, sdk


def status_of(url, token=None, method="GET"):
    req = urllib.request.Request(url, method=method)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def raw_exchange(port, data, timeout=10):
    """Sends `data`, returns everything the server writes until it closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        reply = b""
        while chunk := s.recv(4096):
            reply += chunk
        return reply


def test_admin_api_is_not_on_the_public_listener(make_server):
    srv = make_server().start()
    assert status_of(srv.url + "/v1/accounts", TOKEN) == 404
    assert status_of(srv.url + "/v1/health") == 404
    assert status_of(srv.url + "/metrics", TOKEN) == 404
    assert status_of(srv.admin_url + "/v1/accounts", TOKEN) == 200
    assert srv.ports["admin"] not in (srv.ports["http"], srv.ports["https"])


def test_metrics_need_the_token_unless_public(make_server):
    srv = make_server().start()
    assert status_of(srv.admin_url + "/metrics") == 401
    assert status_of(srv.admin_url + "/metrics", "wrong" * 8) == 401
    assert status_of(srv.admin_url + "/metrics", TOKEN) == 200
    srv.stop()
    public = make_server("public", admin="metrics_public = true").start()
    assert status_of(public.admin_url + "/metrics") == 200
    assert status_of(public.admin_url + "/v1/accounts") == 401  # only /metrics is opened


def check_config(tmp_path, admin):
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[[listener]]\nname = "smtp"\nport = 2525\n[server]\ndata_dir = "{tmp_path}/d"\n'
                   f"[admin]\n{admin}\n")
    return subprocess.run([MAILPUSHD, "--config", str(cfg), "--check-config"], capture_output=True, text=True,
                          timeout=30)


def test_placeholder_or_short_admin_token_is_refused(tmp_path):
    for token in ("dev-admin-token-change-me", "replace-with-a-long-random-token", "short-token-0123456789"):
        r = check_config(tmp_path, f'token = "{token}"')
        assert r.returncode == 2, (token, r.stdout)
        assert "key 'admin.token'" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    old = subprocess.run([MAILPUSHD, "--config", "/dev/stdin", "--check-config"], capture_output=True, text=True,
                         timeout=30, input='[[listener]]\nname = "s"\n[http]\nadmin_token = "x"\n')
    assert old.returncode == 2 and "http.admin_token" in old.stderr and "[admin] token" in old.stderr
    assert check_config(tmp_path, 'token = "' + "k" * 40 + '"').returncode == 0
    for shipped in ("config/dev.toml", "config/mailpushd.toml"):
        text = open(shipped).read()
        assert "admin_token" not in text and "\ntoken =" not in text, shipped


def test_token_file_is_made_0600_and_used_by_mailpushctl(make_server):
    srv = make_server().start()
    path = srv.data / "admin.token"
    mode = stat.S_IMODE(path.stat().st_mode)
    assert mode == 0o600, oct(mode)
    token = path.read_text().strip()
    assert len(token) == 64 and int(token, 16) >= 0 and token != TOKEN  # 32 random bytes, hex
    assert status_of(srv.admin_url + "/v1/accounts", token) == 200
    # No --url, no --token: the config file leads to the admin listener and the token file.
    text = srv.config.read_text().replace("[admin]\naddress = \"127.0.0.1\"\nport = 0\n",
                                          f"[admin]\naddress = \"127.0.0.1\"\nport = {srv.ports['admin']}\n")
    text = text.replace(f'token = "{TOKEN}"\n', "")
    srv.config.write_text(text)
    r = subprocess.run([MAILPUSHCTL, "--config", str(srv.config), "account", "add", "viafile"], capture_output=True,
                       text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    srv.stop()
    srv.start()  # the same port, the file kept: never rewritten
    assert path.read_text().strip() == token
    r = subprocess.run([MAILPUSHCTL, "--config", str(srv.config), "account", "list"], capture_output=True,
                       text=True, timeout=30)
    assert r.returncode == 0 and "viafile" in r.stdout, r.stderr


def test_failed_admin_logins_are_throttled_and_logged(make_server):
    srv = make_server().start()
    codes = [status_of(srv.admin_url + "/v1/accounts", "bad-token-" + str(i)) for i in range(12)]
    assert codes[:10] == [401] * 10 and codes[10:] == [429, 429], codes
    assert status_of(srv.admin_url + "/v1/accounts", TOKEN) == 429  # the budget comes before the check
    log = srv.log()
    assert log.count("security event=admin_unauthorized ip=127.0.0.1") == 10
    assert "security event=admin_throttled" in log
    assert "bad-token-" not in log


def test_admin_listener_on_a_unix_socket(make_server):
    srv = make_server()
    # sun_path holds 107 bytes; a CI checkout's tmp path can be longer, so the socket lives in /tmp.
    short_dir = Path(tempfile.mkdtemp(prefix="mp-admin-", dir="/tmp"))
    try:
        sock = short_dir / "admin.sock"
        srv.config.write_text(srv.config.read_text().replace("[admin]\n", f'[admin]\nsocket = "{sock}"\n', 1))
        srv.start()
        assert "admin" not in srv.ports and f"listening name=admin kind=admin socket={sock}" in srv.log()
        assert stat.S_IMODE(sock.stat().st_mode) == 0o600
        r = subprocess.run(["curl", "-s", "--unix-socket", str(sock), "-H", f"Authorization: Bearer {TOKEN}",
                            "http://localhost/v1/accounts"], capture_output=True, text=True, timeout=30)
        assert r.returncode == 0 and json.loads(r.stdout) == []
    finally:
        srv.stop()
        shutil.rmtree(short_dir, ignore_errors=True)


def test_a_body_over_the_limit_gets_413_before_it_is_sent(make_server):
    srv = make_server().start()
    head = (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: 1000000000\r\n\r\n")
    reply = raw_exchange(srv.ports["http"], head)  # not one byte of the body is sent
    assert reply.startswith(b"HTTP/1.1 413") and b"PayloadTooLarge" in reply
    admin = raw_exchange(srv.ports["admin"], b"POST /v1/accounts HTTP/1.1\r\nHost: x\r\n"
                                             b"Content-Length: 100000000\r\n\r\n")
    assert admin.startswith(b"HTTP/1.1 413")
    assert srv.metric("mailpush_http_body_too_large_total") == 2


def test_connections_per_ip_are_capped(make_server):
    srv = make_server(http="max_connections_per_ip = 3").start()
    held = [socket.create_connection(("127.0.0.1", srv.ports["http"]), timeout=10) for _ in range(3)]
    try:
        for s in held:  # answered, so accepted and counted
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            assert s.recv(4096).startswith(b"HTTP/1.1")
        reply = raw_exchange(srv.ports["http"], b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert reply.startswith(b"HTTP/1.1 503"), reply
    finally:
        for s in held:
            s.close()
    wait_for(lambda: srv.metric("mailpush_http_connections_per_ip_refused_total") == 1, 10, "the refusal counted")


def test_a_slow_header_is_closed(make_server):
    srv = make_server(http='header_timeout = "1s"').start()
    with socket.create_connection(("127.0.0.1", srv.ports["http"]), timeout=10) as s:
        s.sendall(b"GET / HTTP/1.1\r\n")
        started = time.monotonic()
        closed = False
        for _ in range(40):  # a byte every 0.25 s: the header never completes in time
            try:
                s.sendall(b"X")
                if s.recv(4096, socket.MSG_DONTWAIT) == b"":
                    closed = True
                    break
            except BlockingIOError:
                pass
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            time.sleep(0.25)  # the trickle itself, not a wait for the server
        assert closed and time.monotonic() - started < 5
    assert srv.metric("mailpush_http_slow_clients_total") >= 1


def test_the_public_listener_at_its_limit_leaves_the_admin_listener_its_own(make_server):
    srv = make_server(http="max_connections = 3", admin="max_connections = 2").start()
    get = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
    held = [socket.create_connection(("127.0.0.1", srv.ports["http"]), timeout=10) for _ in range(3)]
    try:
        for s in held:  # answered, so accepted and counted
            s.sendall(get)
            assert s.recv(4096).startswith(b"HTTP/1.1")
        assert raw_exchange(srv.ports["http"], get).startswith(b"HTTP/1.1 503")  # the public side is full
        # the operator's is not; every admin connection stays open, so the count is exact
        admin_held = [socket.create_connection(("127.0.0.1", srv.ports["admin"]), timeout=10) for _ in range(2)]
        try:
            for s in admin_held:
                s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN.encode() + b"\r\n\r\n")
                assert s.recv(4096).startswith(b"HTTP/1.1 200")
            assert raw_exchange(srv.ports["admin"], b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n").startswith(
                b"HTTP/1.1 503")  # [admin] max_connections is its own budget
        finally:
            for s in admin_held:
                s.close()
    finally:
        for s in held:
            s.close()


def trickle_until_closed(s, piece, seconds):
    """Sends `piece` every 0.1 s (10 bytes/s for one byte); True once the server has closed."""
    for _ in range(int(seconds * 10)):
        try:
            s.sendall(piece)
            if s.recv(4096, socket.MSG_DONTWAIT) == b"":
                return True
        except BlockingIOError:
            pass
        except (BrokenPipeError, ConnectionResetError):
            return True
        time.sleep(0.1)  # the trickle itself, not a wait for the server
    return False


def test_a_trickled_body_is_closed_within_a_few_seconds(make_server):
    srv = make_server().start()
    declared = (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                b"Content-Length: 1048576\r\n\r\n")
    chunked = (b"POST /v1/accounts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN.encode() +
               b"\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n100000\r\n")
    for port, head in ((srv.ports["http"], declared), (srv.ports["admin"], chunked)):
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(head)
            started = time.monotonic()
            assert trickle_until_closed(s, b"x", 15), "a body at 10 bytes/s was not closed"
            assert time.monotonic() - started < 8  # 3 s of sliding window, not 5 s + 1 MiB / 16 KiB/s
    assert srv.metric("mailpush_http_slow_clients_total") == 2
    # The server still serves others, on both listeners.
    assert raw_exchange(srv.ports["http"], b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").startswith(
        b"HTTP/1.1 ")
    assert status_of(f"{srv.admin_url}/metrics", TOKEN) == 200


def test_a_body_at_a_steady_pace_is_read(make_server):
    srv = make_server(http="min_body_rate = 100").start()
    body = b"Action=SingleSendMail&" + b"x=" + b"a" * 1000  # 1 KiB at ~500 bytes/s: 2 s, within the rate
    with socket.create_connection(("127.0.0.1", srv.ports["http"]), timeout=15) as s:
        s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                  b"Connection: close\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n")
        for i in range(0, len(body), 50):
            s.sendall(body[i:i + 50])
            time.sleep(0.1)  # the pace itself
        reply = b""
        while chunk := s.recv(4096):
            reply += chunk
    assert reply.startswith(b"HTTP/1.1 4"), reply[:100]  # read and answered (unsigned), not closed
    assert srv.metric("mailpush_http_slow_clients_total") == 0


def test_official_sdk_with_its_default_protocol_https(make_server):
    srv = make_server().start().provision()
    key = create_key(srv)
    out = sdk(srv, key, "descAccountSummary", https=True)
    assert out["ok"], out
    assert "listening name=https kind=https" in srv.log()


def test_https_replies_carry_hsts_and_the_plain_ones_do_not(make_server):
    from harness import tls_context
    srv = make_server().start()
    page = "/reply-to/confirm?token=x"
    with urllib.request.urlopen(f"https://127.0.0.1:{srv.ports['https']}{page}", timeout=10,
                                context=tls_context()) as res:
        assert res.headers["Strict-Transport-Security"] == "max-age=31536000"
        assert res.headers["X-Content-Type-Options"] == "nosniff" and res.headers["X-Frame-Options"] == "DENY"
    with urllib.request.urlopen(srv.url + page, timeout=10) as res:
        assert res.headers["Strict-Transport-Security"] is None and res.headers["Referrer-Policy"] == "no-referrer"


def test_reply_to_link_get_shows_a_button_post_confirms(make_server):
    srv = make_server().start()
    page = urllib.request.urlopen(urllib.request.Request(srv.url + '/reply-to/confirm?token="><script>'),
                                  timeout=10).read().decode()
    assert '<form method="post" action="/reply-to/confirm">' in page
    assert "<script>" not in page and "&quot;&gt;&lt;script&gt;" in page
    bad = urllib.request.Request(srv.url + "/reply-to/confirm", data=b"token=nope", method="POST",
                                 headers={"Accept": "text/html"})
    try:
        urllib.request.urlopen(bad, timeout=10)
        raise AssertionError("a bad token was accepted")
    except urllib.error.HTTPError as e:
        assert e.code == 404 and b"Not confirmed" in e.read()
    assert "token=nope" not in srv.log()
