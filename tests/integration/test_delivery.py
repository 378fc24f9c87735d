"""Delivery with real parts on loopback: the real mailpushd delivers to a real receiving SMTP
server (aiosmtpd), through a smarthost route or through MX records served by dnsmasq."""
import json
import smtplib
import subprocess
import time

import pytest

from harness import PASSWORD, SENDER, RawClient, envid_of, read_queue
from sink import Sink
from test_dns import start_dnsmasq


def send(srv, rcpts, subject="hello", extra_headers=""):
    with smtplib.SMTP("127.0.0.1", srv.ports["plain"], timeout=30) as s:
        s.login(SENDER, PASSWORD)
        s.mail(SENDER)
        for r in rcpts:
            s.rcpt(r)
        code, text = s.data(f"Subject: {subject}\r\n{extra_headers}\r\nbody of {subject}\r\n")
    assert code == 250
    return envid_of(text)


def show(srv, envid):
    return json.loads(srv.ctl("--json", "queue", "show", str(envid)).stdout)


def wait_state(srv, envid, predicate, timeout=30):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        r = srv.ctl("--json", "queue", "show", str(envid), check=False)
        if r.returncode == 0:
            last = json.loads(r.stdout)
            if predicate(last):
                return last
        time.sleep(0.1)
    raise AssertionError(f"state not reached for {envid}: {last}")


def states(info):
    return {r["address"]: r["state"] for r in info.get("recipients", [])}


def smarthost(make_server, sink, **kw):
    return make_server(routes=(("*", f"smtp://127.0.0.1:{sink.port}"),),
                       delivery='retry_initial = "1s"\nretry_max = "2s"', **kw).start().provision()


def test_smarthost_delivery_event_and_queue_emptied(make_server, sink):
    srv = smarthost(make_server, sink)
    envid = send(srv, ["accept@dest.test", "accept2@other.test"], extra_headers="X-AliDM-Trace: eyJUYWdOYW1lIjoieCJ9\r\n")
    msgs = sink.handler.wait_for(2)
    assert len(msgs) == 2 and all(m[0] == SENDER for m in msgs)
    assert b"X-AliDM-Trace" not in msgs[0][2] and b"body of hello" in msgs[0][2]
    info = wait_state(srv, envid, lambda i: set(states(i).values()) == {"delivered"} and not i["queued"])
    assert all(r["failed_type"] == "SendOk" for r in info["recipients"])
    events = srv.ctl("events", "--env", str(envid)).stdout.splitlines()
    assert len(events) == 2
    ev = dict(kv.split("=", 1) for kv in events[0].split("&"))
    assert ev["env_id"] == str(envid) and ev["status"] == "0" and ev["event"] == "deliver"
    assert ev["err_code"] == "250" and ev["err_msg"] == "250 2.0.0 Send Mail OK" and ev["failed_type"] == "SendOk"
    assert list(ev) == ["env_id", "msg_id", "account", "from", "rcpt", "recv_time", "end_time", "status", "event",
                        "region", "err_code", "err_msg", "failed_type"]
    assert srv.queue() == [] and read_queue(srv.data) == {}


def test_4xx_then_accept_is_retried(make_server, sink):
    srv = smarthost(make_server, sink)
    envid = send(srv, ["tempfail-once@dest.test"])
    info = wait_state(srv, envid, lambda i: states(i).get("tempfail-once@dest.test") == "delivered")
    assert info["recipients"][0]["attempts"] == 2
    assert [a["reply"][:3] for a in info["attempts"]] == ["451", "250"]
    assert len(sink.handler.messages) == 1


def test_greylisting_is_retried(make_server, sink):
    srv = smarthost(make_server, sink)
    envid = send(srv, ["greylist@dest.test"])
    info = wait_state(srv, envid, lambda i: states(i).get("greylist@dest.test") == "delivered")
    assert info["attempts"][0]["reply"] == "451 4.7.1 Greylisting in action"


def test_5xx_is_final_and_classified(make_server, sink):
    srv = smarthost(make_server, sink)
    envid = send(srv, ["perm@dest.test", "accept@dest.test"])
    info = wait_state(srv, envid, lambda i: not i["queued"])
    by = {r["address"]: r for r in info["recipients"]}
    assert by["perm@dest.test"]["state"] == "failed" and by["perm@dest.test"]["attempts"] == 1
    assert by["perm@dest.test"]["failed_type"] == "SmtpZPermErr" and by["perm@dest.test"]["status"] == 4
    assert by["accept@dest.test"]["state"] == "delivered"
    ev = [e for e in srv.ctl("events", "--env", str(envid)).stdout.splitlines() if "rcpt=perm@" in e][0]
    assert "&status=4&" in ev and "&err_code=550&err_msg=550 5.7.1 rejected by policy&failed_type=SmtpZPermErr" in ev


def test_unknown_user_goes_to_invalid_library_after_threshold(make_server, sink):
    srv = smarthost(make_server, sink)
    for _ in range(2):
        envid = send(srv, ["unknown@dest.test"])
        info = wait_state(srv, envid, lambda i: not i["queued"])
        assert info["recipients"][0]["failed_type"] == "SmtpNxBox" and info["recipients"][0]["status"] == 2
    deadline = time.monotonic() + 10
    while "unknown@dest.test" not in srv.ctl("invalid", "list").stdout and time.monotonic() < deadline:
        time.sleep(0.1)
    c = RawClient(srv.ports["plain"])
    c.login()
    c.cmd(f"MAIL FROM:<{SENDER}>")
    assert c.cmd("RCPT TO:<unknown@dest.test>") == "559 Invalid rcptto"


def test_connection_closed_mid_data_is_temporary(make_server, sink):
    srv = smarthost(make_server, sink)
    envid = send(srv, ["drop@dest.test"])
    info = wait_state(srv, envid, lambda i: i.get("recipients") and i["recipients"][0]["state"] == "deferred")
    assert info["recipients"][0]["last_reply"].startswith("421 ")
    assert info["queued"] is True


def test_queue_retry_forces_an_attempt(make_server, sink):
    srv = make_server(routes=(("*", f"smtp://127.0.0.1:{sink.port}"),),
                      delivery='retry_initial = "1h"').start().provision()
    envid = send(srv, ["tempfail-once@dest.test"])
    wait_state(srv, envid, lambda i: i.get("recipients") and i["recipients"][0]["state"] == "deferred")
    srv.ctl("queue", "retry", str(envid))
    wait_state(srv, envid, lambda i: i["recipients"][0]["state"] == "delivered", timeout=20)


def test_opportunistic_starttls_to_the_receiver(make_server, tmp_path):
    import ssl
    cert, key = tmp_path / "sink.pem", tmp_path / "sink.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=sink.test"],
                   check=True, capture_output=True, timeout=60)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    tls_sink = Sink(tls_context=ctx)
    try:
        srv = smarthost(make_server, tls_sink)
        envid = send(srv, ["accept@dest.test"])
        wait_state(srv, envid, lambda i: not i["queued"])
        assert tls_sink.handler.tls_messages == 1, "the message did not travel over TLS"
    finally:
        tls_sink.stop()


def test_several_messages_per_connection(make_server, sink):
    srv = smarthost(make_server, sink)
    for i in range(5):
        envid = send(srv, [f"accept{i}@dest.test"], subject=f"c{i}")
        wait_state(srv, envid, lambda i: not i["queued"])
    assert len(sink.handler.messages) == 5
    assert sink.handler.ehlo_count < 5, "each message opened its own connection"


def test_per_destination_rate_limit_spaces_attempts(make_server, sink):
    srv = make_server(routes=(("*", f"smtp://127.0.0.1:{sink.port}"),),
                      delivery="max_rate_per_destination = 2").start().provision()
    envids = [send(srv, [f"accept{i}@dest.test"], subject=f"r{i}") for i in range(4)]
    starts = []
    for envid in envids:
        info = wait_state(srv, envid, lambda i: not i["queued"])
        starts.append(info["attempts"][0]["started_ms"])
    starts.sort()
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    assert all(g >= 450 for g in gaps), gaps  # 2 per second: one start every 500 ms
    assert len(sink.handler.messages) == 4


@pytest.fixture
def dns_zone(tmp_path):
    proc, port = start_dnsmasq(tmp_path, """
mx-host=mail.test,mx.mail.test,10
host-record=mx.mail.test,127.0.0.1
mx-host=fallback.test,dead.fallback.test,10
mx-host=fallback.test,live.fallback.test,20
host-record=dead.fallback.test,127.0.0.2
host-record=live.fallback.test,127.0.0.1
""")
    yield port
    proc.terminate()
    proc.wait(timeout=10)


def test_mx_delivery_fallback_and_dns_failures(make_server, sink, dns_zone):
    srv = make_server(routes=(("*", "mx"),), delivery=f'remote_port = {sink.port}\nretry_initial = "1s"')
    cfg = srv.config.read_text().replace("[tls]", f'[dns]\nservers = ["127.0.0.1:{dns_zone}"]\n\n[tls]', 1)
    srv.config.write_text(cfg)
    srv.start().provision()
    ok = send(srv, ["accept@mail.test"])
    fb = send(srv, ["accept@fallback.test"])
    nx = send(srv, ["accept@nothing-here.test"])
    null = send(srv, ["accept@nullmx.test"])
    nodata = send(srv, ["accept@txtonly.test"])
    i = wait_state(srv, ok, lambda i: not i["queued"])
    assert i["recipients"][0]["state"] == "delivered" and "mx.mail.test[127.0.0.1]" in i["attempts"][0]["host"]
    i = wait_state(srv, fb, lambda i: not i["queued"])
    assert i["recipients"][0]["state"] == "delivered" and "live.fallback.test" in i["attempts"][0]["host"]
    i = wait_state(srv, nx, lambda i: not i["queued"])
    assert i["recipients"][0]["last_reply"] == "524 Host not found by dns resolve"
    assert i["recipients"][0]["failed_type"] == "SysOutDnsResolveFail" and i["recipients"][0]["status"] == 4
    i = wait_state(srv, null, lambda i: not i["queued"])
    assert i["recipients"][0]["state"] == "failed" and i["recipients"][0]["last_reply"].startswith("556 ")
    i = wait_state(srv, nodata, lambda i: not i["queued"])
    assert i["recipients"][0]["last_reply"] == "526 No data by dns resolve"


def test_dns_timeout_is_deferred_423(make_server, sink):
    import socket
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
        silent.bind(("127.0.0.1", 0))
        srv = make_server(routes=(("*", "mx"),), delivery='retry_initial = "1h"')
        cfg = srv.config.read_text().replace(
            "[tls]", f'[dns]\nservers = ["127.0.0.1:{silent.getsockname()[1]}"]\n\n[tls]', 1)
        srv.config.write_text(cfg)
        srv.start().provision()
        envid = send(srv, ["a@slow.test"])
        i = wait_state(srv, envid, lambda i: i.get("recipients") and i["recipients"][0]["state"] == "deferred",
                       timeout=60)
        assert i["recipients"][0]["last_reply"] == "423 Dns resolve error"


def test_kill9_during_delivery_loses_nothing(make_server, sink):
    sink.handler.data_delay = 0.05
    srv = smarthost(make_server, sink)
    envids = [send(srv, [f"accept{i}@dest.test"], subject=f"k{i}") for i in range(20)]
    sink.handler.wait_for(1)  # deliveries are under way: the kill lands in the middle of them
    srv.kill9()
    srv.start()
    deadline = time.monotonic() + 60
    while srv.queue() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert srv.queue() == []
    got = {m[2].split(b"Subject: ")[1].split(b"\r\n")[0].decode() for m in sink.handler.messages}
    assert got == {f"k{i}" for i in range(20)}, "a message acknowledged with 250 was never delivered"
    for envid in envids:
        assert set(states(show(srv, envid)).values()) == {"delivered"}


def test_a_held_message_waits_across_a_restart_until_released(make_server, sink):
    srv = make_server(routes=(("*", f"smtp://127.0.0.1:{sink.port}"),),
                      delivery='retry_initial = "1h"\nretry_max = "2h"').start().provision()
    rcpt = "tempfail-once@dest.test"
    envid = send(srv, [rcpt])
    wait_state(srv, envid, lambda i: states(i).get(rcpt) == "deferred")  # the first attempt got a 451
    assert json.loads(srv.ctl("--json", "queue", "hold", str(envid)).stdout)["held"] is True
    wait_state(srv, envid, lambda i: i["held"])  # written by the delivery log
    assert any(m["envid"] == str(envid) and m["held"] for m in srv.queue())
    srv.ctl("queue", "retry", str(envid))  # the operator's retry does not lift a hold
    srv.stop()
    srv.start()
    info = show(srv, envid)
    assert info["queued"] and info["held"] and info["recipients"][0]["attempts"] == 1, info
    assert sink.handler.messages == []
    srv.ctl("queue", "release", str(envid))
    info = wait_state(srv, envid, lambda i: not i["queued"])
    assert states(info) == {rcpt: "delivered"} and info["recipients"][0]["attempts"] == 2
    assert len(sink.handler.messages) == 1
    # Holding what is not queued is a 404, as for retry.
    refused = srv.ctl("queue", "hold", str(envid), check=False)
    assert refused.returncode != 0 and "no queued message" in refused.stderr
