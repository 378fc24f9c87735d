"""Outbound requests stay off the server's own networks (docs/security.md, "Outbound requests"):
webhook targets and MX answers on loopback or private addresses are refused unless the operator
allows them; a [[route]] smarthost is the operator's choice and always allowed; the webhook's
Host header carries a non-default port."""
import json
import smtplib
import sqlite3

import pytest

from harness import PASSWORD, SENDER, envid_of, wait_for
from test_dns import start_dnsmasq
from test_notifications import Hook

NOTIFY = '[notify]\npush_retry_initial = "200ms"\npush_retry_max = "400ms"\n'


@pytest.fixture
def hook():
    h = Hook()
    yield h
    h.stop()


def send(srv, rcpt):
    with smtplib.SMTP("127.0.0.1", srv.ports["plain"], timeout=30) as s:
        s.login(SENDER, PASSWORD)
        s.mail(SENDER)
        s.rcpt(rcpt)
        code, text = s.data(f"From: {SENDER}\r\nSubject: s\r\n\r\nbody\r\n")
    assert code == 250
    return envid_of(text)


def outbox_errors(srv):
    db = sqlite3.connect(f"file:{srv.data / 'delivery.db'}?mode=ro", uri=True, timeout=5)
    try:
        return [e for (e,) in db.execute("SELECT last_error FROM notify_outbox")]
    finally:
        db.close()


def test_webhook_to_loopback_is_refused_when_private_targets_are_off(make_server, sink, hook):
    # The smarthost on 127.0.0.1 is a [[route]]: the operator's choice, delivered to.
    srv = make_server(routes=(("*", f"smtp://127.0.0.1:{sink.port}"),), tail=NOTIFY,
                      private_targets=False).start().provision()
    # An IP literal is judged when the target is set.
    r = srv.ctl("notify", "set", "acme", hook.url, check=False)
    assert r.returncode != 0 and "127.0.0.1 is not a global address (loopback)" in r.stderr, r.stderr
    # A name is judged at each POST, on the addresses it resolves to: localhost is refused there.
    named = hook.url.replace("127.0.0.1", "localhost")
    srv.ctl("notify", "set", "acme", named)
    send(srv, "ok@example.org")
    assert sink.handler.wait_for(1)
    wait_for(lambda: srv.metric("mailpush_notifications_pushed_total") > 0, 20, "a refused push")
    assert 'result="refused"' in srv.metrics_text()
    errors = wait_for(lambda: outbox_errors(srv), 10, "the outbox item's reason")
    assert all(e.startswith("refused: localhost has no global address") for e in errors), errors
    assert "notify.push_refused account=acme" in srv.log()
    assert hook.events() == []  # nothing reached the local listener


def test_webhook_host_header_carries_the_port(make_server, sink, hook):
    srv = make_server(routes=(("*", f"smtp://127.0.0.1:{sink.port}"),), tail=NOTIFY).start().provision()
    srv.ctl("notify", "set", "acme", hook.url)
    send(srv, "ok@example.org")
    assert hook.wait_events(1)
    headers, _ = hook.batches[0]
    assert headers["Host"] == f"127.0.0.1:{hook.server.server_port}"


@pytest.fixture
def loopback_mx(tmp_path):
    proc, port = start_dnsmasq(tmp_path, """
mx-host=inside.test,mx.inside.test,10
host-record=mx.inside.test,127.0.0.1
mx-host=mixed.test,a.mixed.test,10
mx-host=mixed.test,b.mixed.test,20
host-record=a.mixed.test,10.1.2.3
host-record=b.mixed.test,127.0.0.1
""")
    yield port
    proc.terminate()
    proc.wait(timeout=10)


def mx_server(make_server, sink, dns_port, **kw):
    srv = make_server(routes=(("*", "mx"),), delivery=f'remote_port = {sink.port}\nretry_initial = "1s"', **kw)
    cfg = srv.config.read_text().replace("[tls]", f'[dns]\nservers = ["127.0.0.1:{dns_port}"]\n\n[tls]', 1)
    srv.config.write_text(cfg)
    return srv.start().provision()


def final_state(srv, envid):
    def done():
        r = srv.ctl("--json", "queue", "show", str(envid), check=False)
        info = json.loads(r.stdout) if r.returncode == 0 else None
        return info if info and not info["queued"] else None
    return wait_for(done, 30, f"message {envid} to leave the queue")


def test_mx_on_loopback_is_not_connected_to_when_private_mx_is_off(make_server, sink, loopback_mx):
    srv = mx_server(make_server, sink, loopback_mx, private_mx=False)
    for domain in ("inside.test", "mixed.test"):
        info = final_state(srv, send(srv, f"user@{domain}"))
        rcpt = info["recipients"][0]
        assert rcpt["state"] == "failed", info
        assert rcpt["last_reply"].startswith("524 Host not found by dns resolve: ") and \
            "not a global address" in rcpt["last_reply"], rcpt
        assert rcpt["failed_type"] == "SysOutDnsResolveFail"
    assert sink.handler.ehlo_count == 0 and sink.handler.messages == []  # never connected to
    assert "delivery.mx_refused domain=inside.test host=mx.inside.test ip=127.0.0.1" in srv.log()


def test_mx_on_loopback_is_delivered_when_allowed(make_server, sink, loopback_mx):
    srv = mx_server(make_server, sink, loopback_mx)  # the harness allows private MX, as dev does
    info = final_state(srv, send(srv, "user@inside.test"))
    assert info["recipients"][0]["state"] == "delivered", info
