"""Starts the real mailpushd on loopback port 0 in a temp dir and drives it with real clients.

Used by every integration test. Every wait is bounded; the process is always stopped.
"""
import base64
import os
import random
import re
import resource
import signal
import smtplib
import socket
import ssl
import subprocess
import threading
import time
from pathlib import Path

MAILPUSHD = os.environ.get("MAILPUSHD", "build/src/mailpushd")
MAILPUSHCTL = os.environ.get("MAILPUSHCTL", "build/src/mailpushctl")
TOKEN = "integration-admin-token-0123456789"
SENDER = "sender@example.com"
PASSWORD = "Secret2026ab"
READY_TIMEOUT = 60


def wait_for(predicate, timeout, what, pause=0.05):
    """Polls predicate() until it returns something truthy, which is returned; fails the test with
    `what` after `timeout` seconds. The pause only spaces the polls: the wait ends on the condition."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(pause)


def free_port():
    """A TCP port free on loopback now ([http] port 0 means "off", so the harness picks one).
    Picked below the kernel's ephemeral range: the SMTP listeners bind port 0, and a port freed
    here could otherwise be handed to one of them before mailpushd binds it for HTTP."""
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    rng = random.SystemRandom()
    for _ in range(200):
        port = rng.randrange(max(1024, low - 12000), low)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port below the ephemeral range")


def tls_context():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


class Server:
    def __init__(self, workdir: Path, extra: str = "", listeners=None, smtp: str = "", limits: str = "",
                 spool: str = "", routes=(("*", "hold"),), delivery: str = "", verified_domains=False,
                 tail: str = "", http: str = "", admin: str = "", user: str = "",
                 private_mx=True, private_targets=True, tracking_cname=False):
        self.dir = workdir
        self.dir.mkdir(parents=True, exist_ok=True)
        self.data = self.dir / "data"
        self.config = self.dir / "mailpushd.toml"
        self.log_path = self.dir / "mailpushd.log"
        self.extra, self.smtp_extra, self.limits_extra, self.spool_extra = extra, smtp, limits, spool
        # Accepted mail stays queued ("hold") unless a test routes it somewhere.
        self.routes, self.delivery_extra = routes, delivery
        self.verified_domains, self.tail = verified_domains, tail  # tail: extra TOML sections
        self.http_extra, self.admin_extra = http, admin  # extra [http] / [admin] keys
        self.http_port, self.https_port = free_port(), free_port()
        self.user = user  # [server] user: "" keeps the test's identity (root in CI)
        # Tests deliver to loopback MX hosts and webhooks; test_security_ssrf turns these off.
        self.private_mx, self.private_targets = private_mx, private_targets
        # Test domains publish no tracking CNAME: tracking is allowed without it unless asked.
        self.tracking_cname = tracking_cname
        self.listeners = listeners or [("smtp", "starttls"), ("smtps", "implicit"), ("plain", "none")]
        self.proc = None
        self.ports = {}
        self.cwd = None  # the server's working directory (relative paths in its config)
        self.write_config()

    def write_config(self):
        private_targets = f"allow_private_targets = {'true' if self.private_targets else 'false'}\n"
        tail = self.tail
        if "[notify]\n" in tail:  # a test's own [notify] section gets the key
            tail = tail.replace("[notify]\n", "[notify]\n" + private_targets, 1)
        else:
            tail = "[notify]\n" + private_targets + tail
        require_cname = f"require_cname = {'true' if self.tracking_cname else 'false'}\n"
        if "[tracking]\n" in tail:  # likewise a test's own [tracking] section
            tail = tail.replace("[tracking]\n", "[tracking]\n" + require_cname, 1)
        else:
            tail = "[tracking]\n" + require_cname + tail
        lst = "".join(f'[[listener]]\nname = "{n}"\naddress = "127.0.0.1"\nport = 0\ntls = "{t}"\n\n'
                      for n, t in self.listeners)
        self.config.write_text(f"""
[server]
hostname = "mx.test"
data_dir = "{self.data}"
log_level = "info"
shutdown_grace = "5s"
allow_private_ip_protection = true
require_verified_domain = {"true" if self.verified_domains else "false"}
worker_threads = {os.environ.get("MAILPUSH_TEST_THREADS", "1")}
user = "{self.user}"
{self.extra}

{lst}
[tls]
cert = "{self.dir}/tls/cert.pem"
key = "{self.dir}/tls/key.pem"
self_signed = true

[http]
address = "127.0.0.1"
port = {self.http_port}
https_port = {self.https_port}
{self.http_extra}

[admin]
address = "127.0.0.1"
port = 0
token = "{TOKEN}"
{self.admin_extra}

[smtp]
auth_failure_delay = "50ms"
{self.smtp_extra}

[limits]
{self.limits_extra}

[spool]
min_free_bytes = 0
{self.spool_extra}

[auth]
argon2_memory_kib = 64
argon2_iterations = 1

[delivery]
allow_private_mx = {"true" if self.private_mx else "false"}
{self.delivery_extra}

{tail}

""" + "".join(f'[[route]]\ndomain = "{d}"\nto = "{t}"\n\n' for d, t in self.routes))

    def start(self):
        """Starts mailpushd and waits for its n-th "ready" line (the log is kept across restarts)."""
        self.starts = getattr(self, "starts", 0) + 1
        self.log_file = open(self.log_path, "ab")
        limit = getattr(self, "nofile", None)  # (soft, hard) RLIMIT_NOFILE for the server, if a test sets it
        preexec = (lambda: resource.setrlimit(resource.RLIMIT_NOFILE, limit)) if limit else None
        self.proc = subprocess.Popen([MAILPUSHD, "--config", str(self.config)], stdout=self.log_file,
                                     stderr=subprocess.STDOUT, start_new_session=True, cwd=self.cwd,
                                     preexec_fn=preexec)
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            text = self.log_path.read_text(errors="replace")
            if text.count("ready hostname=") >= self.starts:
                break
            if self.proc.poll() is not None:
                if self._retry_on_taken_port(text):
                    return self.start()
                raise RuntimeError(f"mailpushd exited with {self.proc.returncode}:\n{text}")
            time.sleep(0.05)
        else:
            raise RuntimeError("mailpushd did not become ready:\n" + self.log_path.read_text())
        self.ports = {}
        for m in re.finditer(r"listening name=(\S+) kind=\S+ addr=127\.0\.0\.1:(\d+)", text):
            self.ports[m.group(1)] = int(m.group(2))  # a restart's lines overwrite the earlier ones
        return self

    def _retry_on_taken_port(self, log_text):
        """The ports free_port() picked can be taken by another process before mailpushd binds
        them (tests running side by side): a first start that failed so gets new ports, at most
        3 times. A restart keeps its ports (tests reconnect to them)."""
        self.port_retries = getattr(self, "port_retries", 0)
        if self.starts != 1 or self.port_retries >= 3 or "Address already in use" not in log_text:
            return False
        self.port_retries += 1
        self.starts = 0
        self.log_file.close()
        self.http_port, self.https_port = free_port(), free_port()
        self.write_config()
        return True

    @property
    def url(self):
        """The public listener (OpenAPI)."""
        return f"http://127.0.0.1:{self.ports['http']}"

    @property
    def https_url(self):
        """The public listener over TLS (the dev certificate: tls_context() or tls/cert.pem)."""
        return f"https://127.0.0.1:{self.ports['https']}"

    @property
    def admin_url(self):
        """The operator listener: the admin API and /metrics."""
        return f"http://127.0.0.1:{self.ports['admin']}"

    def metrics_text(self):
        """One /metrics scrape (a fresh connection, closed after the reply)."""
        import urllib.request
        req = urllib.request.Request(f"{self.admin_url}/metrics", headers={"Authorization": f"Bearer {TOKEN}",
                                                                            "Connection": "close"})
        with urllib.request.urlopen(req, timeout=10) as res:
            return res.read().decode()

    def metric(self, name):
        """The sum of every series of counter `name` in one scrape (0 when absent)."""
        total = 0.0
        for line in self.metrics_text().splitlines():
            if line.startswith(name) and line[len(name):len(name) + 1] in (" ", "{"):
                total += float(line.rsplit(" ", 1)[1])
        return total

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if not self.proc or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
            raise

    def kill9(self):
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def log(self):
        return self.log_path.read_text(errors="replace")

    # ---- mailpushctl ------------------------------------------------------------------------
    def ctl(self, *args, input=None, check=True):
        r = subprocess.run([MAILPUSHCTL, "--url", self.admin_url, "--token", TOKEN, *args], input=input,
                           capture_output=True, text=True, timeout=30)
        if check and r.returncode != 0:
            raise AssertionError(f"mailpushctl {args} failed ({r.returncode}): {r.stderr}")
        return r

    def provision(self, account="acme", domain="example.com", address=SENDER, password=PASSWORD):
        existing = self.ctl("account", "show", account, check=False)
        if existing.returncode != 0:
            self.ctl("account", "add", account)
        if self.ctl("domain", "show", domain, check=False).returncode != 0:
            self.ctl("domain", "add", account, domain)
        self.ctl("address", "add", account, address)
        self.ctl("address", "password", address, "--password-stdin", input=password + "\n")
        return self

    def queue(self):
        import json
        return json.loads(self.ctl("queue", "list", "--json").stdout)

    # ---- SMTP clients -----------------------------------------------------------------------
    def smtp(self, listener="smtp", timeout=30):
        return smtplib.SMTP("127.0.0.1", self.ports[listener], timeout=timeout)

    def smtps(self, timeout=30):
        return smtplib.SMTP_SSL("127.0.0.1", self.ports["smtps"], context=tls_context(), timeout=timeout)


class RawClient:
    """A line-level SMTP client for exact reply checks and malformed input."""

    def __init__(self, port, timeout=15):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""

    def send(self, data):
        self.sock.sendall(data if isinstance(data, bytes) else data.encode())

    def reply(self):
        """Reads one complete (possibly multi-line) reply; returns the lines as str."""
        lines = []
        while True:
            while b"\r\n" not in self.buf:
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise ConnectionError("closed; got so far: %r" % lines)
                self.buf += chunk
            line, self.buf = self.buf.split(b"\r\n", 1)
            lines.append(line.decode())
            if len(line) < 4 or line[3:4] != b"-":
                return lines

    def cmd(self, line):
        self.send(line + "\r\n")
        return self.reply()[-1]

    def closed(self, timeout=5):
        """True if the server closed the connection (EOF) within `timeout`."""
        self.sock.settimeout(timeout)
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return True
                self.buf += chunk
        except (socket.timeout, ConnectionResetError):
            return False

    def login(self, user=SENDER, password=PASSWORD):
        self.reply()  # greeting
        self.cmd("EHLO client.test")
        ir = base64.b64encode(b"\0" + user.encode() + b"\0" + password.encode()).decode()
        return self.cmd("AUTH PLAIN " + ir)

    def close(self):
        self.sock.close()


def simple_message(subject="test", body="hello\r\n"):
    return f"Subject: {subject}\r\nFrom: {SENDER}\r\nTo: rcpt@dest.test\r\n\r\n{body}"


def queue_path(data_dir: Path, envid: int) -> Path:
    """Where the spool keeps a message (docs/queue-format.md): queue/xx/N.msg, xx = (N / 256) % 256 in hex."""
    return Path(data_dir) / "spool" / "queue" / f"{(envid >> 8) % 256:02x}" / f"{envid}.msg"


def _parse_queue_file(raw: bytes, where):
    import json
    first, rest = raw.split(b"\n", 1)
    magic, hlen, blen = first.split(b" ")
    assert magic == b"MPQ1", where
    hlen, blen = int(hlen), int(blen)
    header = json.loads(rest[:hlen])
    body = rest[hlen + 1:hlen + 1 + blen]
    assert rest[hlen + 1 + blen:] == b"\nMPQ-END\n", where
    return header, body


def segment_records(path: Path):
    """The whole records of one segment file (docs/queue-format.md, "Segments"), in order:
    [(offset of the queue-file bytes, those bytes)]; stops at the first record that is not whole."""
    import zlib
    raw, at, out = path.read_bytes(), 0, []
    while at < len(raw):
        nl = raw.find(b"\n", at)
        if nl < 0 or not raw.startswith(b"MPR1 ", at):
            break
        length, crc = raw[at + 5:nl].split(b" ")
        data = raw[nl + 1:nl + 1 + int(length)]
        if len(data) != int(length) or zlib.crc32(data) != int(crc, 16):
            break
        out.append((nl + 1, data))
        at = nl + 1 + int(length)
    return out


def read_queue(data_dir: Path):
    """Parses every committed message (docs/queue-format.md): the files of queue/ and the records
    of segments/ not marked done: {envid: (envelope, body_bytes)}."""
    out = {}
    spool = Path(data_dir) / "spool"
    for f in (spool / "queue").glob("*/*.msg"):
        out[int(f.stem)] = _parse_queue_file(f.read_bytes(), f)
    for seg in (spool / "segments").glob("*.seg"):
        marks = seg.with_suffix(".done")
        lines = marks.read_text().split("\n")[:-1] if marks.exists() else []  # the last one: unfinished
        done = {int(x) for x in lines if x.isdigit()}  # appends start with an empty line
        for _, data in segment_records(seg):
            header, body = _parse_queue_file(data, seg)
            if header["envid"] not in done:
                out[header["envid"]] = (header, body)
    return out


def notifier_caught_up(srv):
    """True once the notifier has routed every delivery event of srv and pushed all it routed:
    its cursor (docs/queue-format.md, delivery.db) is at the newest event and its outbox is empty.
    One read transaction, so the two counts are of the same moment."""
    import sqlite3
    db = sqlite3.connect(f"file:{srv.data / 'delivery.db'}?mode=ro", uri=True, timeout=5, isolation_level=None)
    try:
        db.execute("BEGIN")
        (cursor,) = db.execute("SELECT coalesce(max(event_id), 0) FROM notify_cursor").fetchone()
        (newest,) = db.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()
        (waiting,) = db.execute("SELECT count(*) FROM notify_outbox").fetchone()
        return cursor >= newest and waiting == 0
    finally:
        db.close()


def envid_of(reply_text) -> int:
    text = reply_text.decode() if isinstance(reply_text, bytes) else reply_text
    m = re.search(r"queued as freedom ###envid=(\d+)", text)
    assert m, text
    return int(m.group(1))
