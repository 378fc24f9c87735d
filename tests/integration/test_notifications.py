"""Event notifications (docs/notifications.md): delivery events pushed to an HTTP endpoint (at least once,
retried, surviving a restart, signed when a secret is set) or kept in the account's pull queue
(visibility timeout, receipt handles); the address-level target wins over the account's."""
import hashlib
import hmac
import json
import smtplib
import ssl
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from harness import PASSWORD, SENDER, notifier_caught_up, wait_for
from openapi_client import create_key, signed_call

OTHER = "news@example.com"


class Hook:
    """An HTTP receiver on loopback that records POSTed event batches; can fail the first n."""

    def __init__(self, fail_first=0, tls=None):
        self.batches, self.fail_left, self.lock = [], fail_first, threading.Lock()
        hook = self

        class H(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with hook.lock:
                    failing = hook.fail_left > 0
                    if failing:
                        hook.fail_left -= 1
                    else:
                        hook.batches.append((dict(self.headers), body))
                self.send_response(503 if failing else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), H)
        if tls:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def events(self):
        with self.lock:
            return [e for _, body in self.batches for e in json.loads(body)["events"]]

    def wait_events(self, n, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.events()) < n:
            time.sleep(0.05)
        return self.events()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hook():
    h = Hook()
    yield h
    h.stop()


NOTIFY = '[notify]\nvisibility_timeout = "1s"\npush_retry_initial = "200ms"\npush_retry_max = "400ms"\n'


@pytest.fixture
def srv(make_server, sink):
    s = make_server(routes=(("*", f"smtp://127.0.0.1:{sink.port}"),),
                    delivery='retry_initial = "1s"\nretry_max = "2s"', tail=NOTIFY).start().provision()
    s.ctl("address", "add", "acme", OTHER)
    s.ctl("address", "password", OTHER, "--password-stdin", input=PASSWORD + "\n")
    return s


def send(srv, sender, rcpts):
    with smtplib.SMTP("127.0.0.1", srv.ports["plain"], timeout=30) as s:
        s.login(sender, PASSWORD)
        s.sendmail(sender, rcpts, f"From: {sender}\r\nSubject: n\r\n\r\nbody\r\n")


def fields(message):
    return dict(kv.split("=", 1) for kv in message.split("&"))


def test_push_to_account_target_with_signature(srv, hook):
    out = json.loads(srv.ctl("--json", "notify", "set", "acme", hook.url, "--secret-stdin",
                             input="s3cret\n").stdout)
    assert out["target"] == hook.url and out["secret"] == "(set)" and len(out["events"]) == 5  # every type, Monitor:Alarm included
    send(srv, SENDER, ["ok@example.org", "unknown-x@example.org"])
    events = hook.wait_events(2)
    assert sorted(e["type"] for e in events) == ["Deliver:SendFailed", "Deliver:SendSuccessfully"]
    by_rcpt = {fields(e["message"])["rcpt"]: e for e in events}
    ok, failed = by_rcpt["ok@example.org"], by_rcpt["unknown-x@example.org"]
    assert fields(ok["message"])["status"] == "0" and fields(ok["message"])["event"] == "deliver"
    assert fields(failed["message"])["failed_type"] == "SmtpNxBox"
    # The message strings are the ones `events` shows for the message.
    envid = fields(ok["message"])["env_id"]
    assert ok["message"] in json.loads(srv.ctl("--json", "events", "--env", envid).stdout)
    headers, body = hook.batches[0]
    expected = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert headers["X-Mailpush-Signature"] == expected


def test_address_target_wins_and_event_filter(srv, hook):
    srv.ctl("notify", "set", "acme", hook.url, "--events", "Deliver:SendFailed")
    srv.ctl("notify", "set", "acme", "queue", "--address", OTHER)
    targets = json.loads(srv.ctl("--json", "notify", "list", "acme").stdout)
    assert {(t["address"], t["target"]) for t in targets} == {("", hook.url), (OTHER, "queue")}
    send(srv, SENDER, ["a@example.org", "unknown-a@example.org"])  # account target: failures only
    send(srv, OTHER, ["b@example.org"])                            # the address's queue
    events = hook.wait_events(1)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and json.loads(srv.ctl("--json", "notify", "size", "acme").stdout)[
            "messages"] < 1:
        time.sleep(0.05)
    # All three results are final, routed and pushed: a wrong extra push would be in the hook now.
    wait_for(lambda: len(json.loads(srv.ctl("--json", "details", "acme").stdout)) == 3, 20, "three final results")
    wait_for(lambda: notifier_caught_up(srv), 20, "the notifier to route and push every event")
    events = hook.events()
    assert [(e["type"], fields(e["message"])["rcpt"]) for e in events] == [
        ("Deliver:SendFailed", "unknown-a@example.org")]
    got = json.loads(srv.ctl("--json", "notify", "receive", "acme").stdout)
    assert len(got) == 1 and fields(got[0]["message"])["rcpt"] == "b@example.org"
    assert fields(got[0]["message"])["from"] == OTHER and got[0]["type"] == "Deliver:SendSuccessfully"


def test_pull_queue_visibility_and_receipts(srv):
    srv.ctl("notify", "set", "acme", "queue")
    send(srv, SENDER, ["q1@example.org", "q2@example.org"])
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and json.loads(srv.ctl("--json", "notify", "size", "acme").stdout)[
            "messages"] < 2:
        time.sleep(0.05)
    first = json.loads(srv.ctl("--json", "notify", "receive", "acme", "--max", "1").stdout)
    assert len(first) == 1 and first[0]["dequeue_count"] == 1
    second = json.loads(srv.ctl("--json", "notify", "receive", "acme", "--max", "16").stdout)
    assert len(second) == 1 and second[0]["receipt"] != first[0]["receipt"]  # the other one only
    assert json.loads(srv.ctl("--json", "notify", "receive", "acme").stdout) == []  # both hidden
    # The 1 s visibility timeout passes (the server's wall clock, this machine's): both come back,
    # with new receipts.
    hidden_until_ms = max(m["next_visible_ms"] for m in first + second)
    wait_for(lambda: time.time() * 1000 >= hidden_until_ms, 5, "the visibility timeout to pass")
    again = json.loads(srv.ctl("--json", "notify", "receive", "acme").stdout)
    assert len(again) == 2 and all(m["dequeue_count"] == 2 for m in again)
    old = first[0]["receipt"]
    r = json.loads(srv.ctl("--json", "notify", "delete", "acme", old).stdout)
    assert r == {"deleted": 0, "unmatched": [old]}  # a stale receipt deletes nothing
    r = json.loads(srv.ctl("--json", "notify", "delete", "acme", *[m["receipt"] for m in again]).stdout)
    assert r["deleted"] == 2
    assert json.loads(srv.ctl("--json", "notify", "size", "acme").stdout)["messages"] == 0


def test_push_is_retried_and_survives_a_restart(srv, sink):
    failing = Hook(fail_first=3)
    try:
        srv.ctl("notify", "set", "acme", failing.url)
        send(srv, SENDER, ["r@example.org"])
        sink.handler.wait_for(1)
        # Wait for the first refused POST, then restart while the event is still in the outbox.
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and failing.fail_left == 3:
            time.sleep(0.05)
        assert srv.stop() == 0
        srv.start()
        events = failing.wait_events(1)
        assert len(events) == 1 and fields(events[0]["message"])["rcpt"] == "r@example.org"
        assert events[0]["attempt"] >= 2 and failing.fail_left == 0
    finally:
        failing.stop()


def test_bad_targets_are_refused_and_change_nothing(srv):
    for args, words in [(("notify", "set", "acme", "ftp://x.test/"), "target"),
                        (("notify", "set", "acme", "http://"), "target"),
                        (("notify", "set", "acme", "queue", "--events", "Deliver:Nope"), "events"),
                        (("notify", "set", "acme", "queue", "--address", "stranger@example.com"), "no such"),
                        (("notify", "set", "nobody", "queue"), "no such account")]:
        r = srv.ctl(*args, check=False)
        assert r.returncode != 0 and words in r.stderr, (args, r.stderr)
    r = srv.ctl("notify", "set", "acme", "queue", "--secret-stdin", input="x\n", check=False)
    assert r.returncode != 0 and "secret" in r.stderr
    assert json.loads(srv.ctl("--json", "notify", "list").stdout) == []
    r = srv.ctl("notify", "receive", "acme", "--max", "17", check=False)
    assert r.returncode != 0 and "max" in r.stderr
    assert srv.ctl("notify", "clear", "acme", check=False).returncode != 0  # nothing to clear
    srv.ctl("notify", "set", "acme", "queue", "--address", OTHER)
    srv.ctl("address", "delete", OTHER)  # the address's target goes with it
    assert json.loads(srv.ctl("--json", "notify", "list").stdout) == []


def make_ca_and_server_cert(d):
    """A private CA and a certificate for 127.0.0.1 signed by it (openssl CLI)."""
    def run(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=60)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    run("req", "-x509", *ec, "-keyout", str(d / "ca.key"), "-out", str(d / "ca.pem"), "-days", "2",
        "-subj", "/CN=mailpush test CA")
    run("req", *ec, "-keyout", str(d / "hook.key"), "-out", str(d / "hook.csr"), "-subj", "/CN=127.0.0.1")
    (d / "san.cnf").write_text("subjectAltName=IP:127.0.0.1\n")
    run("x509", "-req", "-in", str(d / "hook.csr"), "-CA", str(d / "ca.pem"), "-CAkey", str(d / "ca.key"),
        "-CAcreateserial", "-out", str(d / "hook.pem"), "-days", "2", "-extfile", str(d / "san.cnf"))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(d / "hook.pem", d / "hook.key")
    return ctx


def test_https_push_verifies_the_certificate(srv, sink, tmp_path):
    hook = Hook(tls=make_ca_and_server_cert(tmp_path))
    try:
        srv.ctl("notify", "set", "acme", hook.url)
        send(srv, SENDER, ["t@example.org"])
        sink.handler.wait_for(1)
        # Not trusted by the system: refused, kept in the outbox.
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and b"notify.push_failed" not in srv.log_path.read_bytes():
            time.sleep(0.05)
        assert b"certificate verify failed" in srv.log_path.read_bytes()
        assert hook.events() == []
        # Trusting the private CA ([notify] ca_file) lets the same event through.
        assert srv.stop() == 0
        srv.tail = NOTIFY + f'ca_file = "{tmp_path / "ca.pem"}"\n'
        srv.write_config()
        srv.start()
        events = hook.wait_events(1)
        assert len(events) == 1 and fields(events[0]["message"])["rcpt"] == "t@example.org"
    finally:
        hook.stop()


def test_pull_queue_through_the_openapi_with_an_access_key(srv):
    srv.ctl("notify", "set", "acme", "queue")
    key = create_key(srv)
    kid, secret = key["AccessKeyId"], key["AccessKeySecret"]
    send(srv, SENDER, ["api@example.org"])
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and json.loads(srv.ctl("--json", "notify", "size", "acme").stdout)[
            "messages"] < 1:
        time.sleep(0.05)
    status, body = signed_call(srv, kid, secret, "ReceiveNotifications", {"MaxCount": "16"})
    assert status == 200, body
    (m,) = body["Messages"]["Message"]
    assert m["EventType"] == "Deliver:SendSuccessfully" and m["DequeueCount"] == 1
    assert fields(m["MessageBody"])["rcpt"] == "api@example.org"
    assert signed_call(srv, kid, secret, "ReceiveNotifications", {"MaxCount": "17"})[1]["Code"] == \
        "InvalidParameter"
    status, body = signed_call(srv, kid, secret, "DeleteNotifications",
                               {"ReceiptHandles": m["ReceiptHandle"] + ",no-such-handle"})
    assert status == 200 and body["DeletedCount"] == 1 and body["Failed"]["ReceiptHandle"] == ["no-such-handle"]
    assert json.loads(srv.ctl("--json", "notify", "size", "acme").stdout)["messages"] == 0
    assert signed_call(srv, kid, secret, "DeleteNotifications", {})[1]["Code"] == "MissingParameter"
