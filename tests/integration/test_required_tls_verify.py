"""Domains in [delivery] require_tls_domains get TLS with a verified certificate: the chain (the
system's CAs and [delivery] tls_ca_file) and the host name. A receiver with a self-signed
certificate is deferred with the reason, never delivered in plain text; trusted through
tls_ca_file it is delivered over TLS. Patterns in require_tls_domains are refused at startup."""
import json
import ssl
import subprocess

from harness import MAILPUSHD, SENDER, RawClient, envid_of, wait_for
from sink import Sink


def self_signed(tmp_path, name, san):
    cert, key = tmp_path / f"{name}.pem", tmp_path / f"{name}.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", f"/CN={name}",
                    "-addext", f"subjectAltName={san}"],
                   check=True, capture_output=True, timeout=60)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    return cert, ctx


def send(srv, rcpt):
    c = RawClient(srv.ports["plain"])
    c.login()
    assert c.cmd(f"MAIL FROM:<{SENDER}>").startswith("250")
    assert c.cmd(f"RCPT TO:<{rcpt}>").startswith("250")
    assert c.cmd("DATA").startswith("354")
    reply = c.cmd(f"From: <{SENDER}>\r\nSubject: tls\r\n\r\nhello\r\n.")
    c.close()
    return envid_of(reply)


def recipient(srv, envid, state):
    def probe():
        r = srv.ctl("--json", "queue", "show", str(envid), check=False)
        if r.returncode != 0:
            return None
        rcpts = json.loads(r.stdout).get("recipients") or []
        return rcpts[0] if rcpts and rcpts[0]["state"] == state else None
    return wait_for(probe, 30, f"message {envid} {state}")


def start(make_server, sink, extra=""):
    return make_server(routes=(("*", f"smtp://127.0.0.1:{sink.port}"),),
                       delivery='retry_initial = "1h"\nrequire_tls_domains = ["dest.test"]\n' + extra
                       ).start().provision()


def test_self_signed_certificate_is_not_trusted_for_a_required_domain(make_server, tmp_path):
    _, ctx = self_signed(tmp_path, "rx", "IP:127.0.0.1")
    sink = Sink(tls_context=ctx)
    try:
        srv = start(make_server, sink)
        r = recipient(srv, send(srv, "accept@dest.test"), "deferred")
        assert r["last_reply"].startswith("421 4.7.0 TLS handshake with 127.0.0.1"), r
        assert "certificate verify failed" in r["last_reply"], r
        assert sink.handler.messages == []  # no plain-text fallback
        assert "delivery.tls_required" in srv.log() and "delivery.tls_fallback" not in srv.log()
        # Another domain to the same receiver: opportunistic TLS, not verified, delivered.
        envid = send(srv, "accept@other.test")
        recipient(srv, envid, "delivered")
        assert sink.handler.tls_messages == 1
    finally:
        sink.stop()


def test_a_certificate_trusted_through_tls_ca_file_is_delivered_over_tls(make_server, tmp_path):
    cert, ctx = self_signed(tmp_path, "rx", "IP:127.0.0.1")
    sink = Sink(tls_context=ctx)
    try:
        srv = start(make_server, sink, f'tls_ca_file = "{cert}"')
        recipient(srv, send(srv, "accept@dest.test"), "delivered")
        assert sink.handler.tls_messages == 1 and len(sink.handler.messages) == 1
    finally:
        sink.stop()


def test_a_trusted_certificate_for_another_host_name_is_refused(make_server, tmp_path):
    cert, ctx = self_signed(tmp_path, "elsewhere", "DNS:elsewhere.test,IP:192.0.2.1")
    sink = Sink(tls_context=ctx)
    try:
        srv = start(make_server, sink, f'tls_ca_file = "{cert}"')
        r = recipient(srv, send(srv, "accept@dest.test"), "deferred")
        assert "certificate verify failed" in r["last_reply"], r
        assert sink.handler.messages == []
    finally:
        sink.stop()


def test_patterns_in_require_tls_domains_are_refused(make_server, tmp_path):
    srv = make_server(delivery='require_tls_domains = ["*.dest.test"]')
    srv.write_config()
    r = subprocess.run([MAILPUSHD, "--config", str(srv.config), "--check-config"], capture_output=True, text=True,
                       timeout=30)
    assert r.returncode == 2, r
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "key 'delivery.require_tls_domains': must be exact domain names" in lines[0], lines


def test_an_unreadable_tls_ca_file_is_refused(make_server, tmp_path):
    srv = make_server(delivery=f'tls_ca_file = "{tmp_path}/missing.pem"')
    srv.write_config()
    r = subprocess.run([MAILPUSHD, "--config", str(srv.config), "--check-config"], capture_output=True, text=True,
                       timeout=30)
    assert r.returncode == 2 and "key 'delivery.tls_ca_file': cannot read" in r.stderr, r
