"""Delivery shaping with the real mailpushd and a scripted receiver on loopback: the slow-down
after rate-limit replies, [[destination]] connection and per-connection limits, the warm-up
cap, and fresh mail leaving while a retry backlog waits (5,000 recipients in backoff here; the
50,000 figure is bench/fresh_lane.py)."""
import json
import os
import smtplib
import subprocess
import time
from datetime import datetime, timedelta, timezone

import pytest

from harness import PASSWORD, SENDER, envid_of, wait_for
from scripted_receiver import ScriptedReceiver
from test_dns import start_dnsmasq

RATE_LIMIT_REPLIES = ["421 HL:ICC", "451 MI:SFQ", "550 Sender frequency limited"]


@pytest.fixture
def receiver_factory():
    made = []

    def make(**kw):
        r = ScriptedReceiver(**kw)
        made.append(r)
        return r

    yield make
    for r in made:
        r.stop()


def send(srv, rcpts, subject="hello"):
    with smtplib.SMTP("127.0.0.1", srv.ports["plain"], timeout=30) as s:
        s.login(SENDER, PASSWORD)
        s.mail(SENDER)
        for r in rcpts:
            s.rcpt(r)
        code, text = s.data(f"Subject: {subject}\r\n\r\nbody of {subject}\r\n")
    assert code == 250
    return envid_of(text)


def show(srv, envid):
    return json.loads(srv.ctl("--json", "queue", "show", str(envid)).stdout)


def server(make_server, port, delivery="", tail=""):
    return make_server(routes=(("*", f"smtp://127.0.0.1:{port}"),),
                       delivery='retry_initial = "200ms"\nretry_max = "1s"\n' + delivery,
                       tail=tail).start().provision()


def test_rate_limit_replies_slow_the_destination_down_and_delivery_resumes(make_server, receiver_factory):
    # The first three RCPTs of the address get the seeds' rate-limit replies, then 250.
    rx = receiver_factory(script=lambda a, n: RATE_LIMIT_REPLIES[n] if n < 3 else None)
    srv = server(make_server, rx.port,
                 'slowdown_pause = "1s"\nslowdown_max_pause = "8s"\nslowdown_recovery = "1h"\n'
                 'slowdown_rate = 1000\n')
    envid = send(srv, ["limited@limited.test"])
    wait_for(lambda: "limited@limited.test" in rx.delivered_rcpts(), 40, "delivery after the rate limits")
    times = rx.attempts("limited@limited.test")
    assert len(times) == 4
    gaps = [b - a for a, b in zip(times, times[1:])]
    # The recipient's own retry would come after 800 ms, then 1 s (retry_max); the destination
    # pauses 1 s, 2 s, 4 s instead (lower bounds: a loaded machine only makes them longer).
    assert gaps[0] >= 0.9 and gaps[1] >= 1.9 and gaps[2] >= 3.8, gaps
    info = show(srv, envid)
    assert [a["reply"] for a in info["attempts"]][:3] == RATE_LIMIT_REPLIES  # 550 retried, not failed
    assert info["recipients"][0]["state"] == "delivered"
    log = srv.log()
    assert "delivery.slowdown destination=smtp:127.0.0.1:" in log and "level=3" in log
    assert srv.metric("mailpush_destination_slowdowns_total") == 3
    assert srv.metric("mailpush_destinations_throttled") == 1  # recovery needs an hour of quiet here


def test_rate_limit_greeting_slows_the_destination_down(make_server, receiver_factory):
    # "421 HL:ICC" as the greeting of the first two connections: the IP is over the receiver's rate.
    rx = receiver_factory(greeting=lambda n: "421 HL:ICC connection frequency limited" if n < 2 else None)
    # slowdown_pause at its default: 4 x retry_initial (200 ms) = 800 ms, then 1.6 s.
    srv = server(make_server, rx.port, 'slowdown_recovery = "1h"\nslowdown_rate = 1000\n')
    envid = send(srv, ["greet@limited.test"])
    wait_for(lambda: "greet@limited.test" in rx.delivered_rcpts(), 30, "delivery after the refused greetings")
    gaps = [b - a for a, b in zip(rx.greeting_times, rx.greeting_times[1:])]
    assert len(rx.greeting_times) == 3 and gaps[0] >= 0.75 and gaps[1] >= 1.55, gaps
    assert [a["reply"][:10] for a in show(srv, envid)["attempts"]] == ["421 HL:ICC", "421 HL:ICC", "250 2.0.0 "]


def test_rate_limited_destination_recovers_after_quiet_deliveries(make_server, receiver_factory):
    rx = receiver_factory(script=lambda a, n: "421 HL:ICC" if a.startswith("first") and n == 0 else None)
    srv = server(make_server, rx.port,
                 'slowdown_pause = "300ms"\nslowdown_recovery = "500ms"\nslowdown_rate = 1000\n')
    send(srv, ["first@limited.test"])
    wait_for(lambda: "first@limited.test" in rx.delivered_rcpts(), 30, "the first delivery")
    assert "delivery.slowdown destination=" in srv.log()
    # Deliveries after a quiet period bring the level back down to the normal limits (bounded).
    for i in range(100):
        if "delivery.recovered destination=" in srv.log():
            break
        send(srv, [f"next{i}@limited.test"])
        wait_for(lambda: f"next{i}@limited.test" in rx.delivered_rcpts(), 30, "a later delivery")
    assert "delivery.recovered destination=" in srv.log()
    assert srv.metric("mailpush_destinations_throttled") == 0


def test_destination_rule_limits_connections_and_messages_per_connection(make_server, receiver_factory):
    rx = receiver_factory(data_delay=0.2)
    tail = ('[[destination]]\nname = "conc"\nmatch = ["conc.test", "*.conc.test"]\nmax_connections = 2\n'
            'max_messages_per_connection = 3\n')
    srv = server(make_server, rx.port, tail=tail)
    rcpts = [f"r{i}@{'a.' if i % 2 else ''}conc.test" for i in range(12)]
    for r in rcpts:
        send(srv, [r], subject=r)
    wait_for(lambda: len(rx.delivered_rcpts()) == 12, 60, "all twelve deliveries")
    assert sorted(rx.delivered_rcpts()) == sorted(rcpts)
    # Attempts in flight at once (transactions open at the receiver): both places used, never a
    # third, although the rule's two domains are two route targets.
    assert rx.max_transactions == 2
    # Each connection is closed after its third message and a new one opened.
    wait_for(lambda: len(rx.per_connection) >= 3, 15, "connections closed after three messages")
    assert max(rx.per_connection) == 3 and all(n <= 3 for n in rx.per_connection)
    assert rx.sessions >= 4


def test_unmatched_destination_uses_the_delivery_defaults(make_server, receiver_factory):
    rx = receiver_factory(data_delay=0.3)
    srv = server(make_server, rx.port, 'max_per_destination = 3\n')
    for i in range(8):
        send(srv, [f"r{i}@plain.test"], subject=str(i))
    wait_for(lambda: len(rx.delivered_rcpts()) == 8, 60, "all deliveries")
    assert rx.max_transactions == 3


def test_warmup_cap_holds_the_rest_until_the_next_day(make_server, receiver_factory):
    rx = receiver_factory()
    srv = server(make_server, rx.port, 'warmup = true\nwarmup_start = 2\nwarmup_growth_percent = 50\n')
    envid = send(srv, [f"w{i}@warm.test" for i in range(5)])
    wait_for(lambda: len(rx.delivered_rcpts()) == 2, 30, "the day's cap delivered")

    def deferred(info):
        return [r for r in info["recipients"] if r["state"] == "deferred"]

    wait_for(lambda: len(deferred(show(srv, envid))) == 3, 30, "the rest recorded as deferred")
    info = show(srv, envid)
    assert len([r for r in info["recipients"] if r["state"] == "delivered"]) == 2
    tomorrow = (datetime.now(timezone(timedelta(hours=8))) + timedelta(days=1)).replace(
        hour=0, minute=0, second=0, microsecond=0)
    for r in deferred(info):
        assert r["attempts"] == 0 and r["next_attempt_ms"] == int(tomorrow.timestamp() * 1000)
        assert "warm-up" in r["last_reply"]
    assert len(rx.delivered_rcpts()) == 2  # nothing more leaves today
    # A restart keeps them waiting for the next day.
    srv.stop()
    srv.start()
    info = show(srv, envid)
    assert len(deferred(info)) == 3 and len(rx.delivered_rcpts()) == 2


def bench_binary():
    path = os.environ.get("MAILPUSH_BENCH", "build/bench/mailpush-bench")
    return os.path.join(path, "mailpush-bench") if os.path.isdir(path) else path


BACKLOG = 5000


def test_fresh_mail_leaves_while_a_retry_backlog_waits(make_server, receiver_factory):
    # backlog.test answers 451 to everything; its recipients keep coming due (retry_initial 200 ms).
    rx = receiver_factory(script=lambda a, n: "451 4.3.0 try again later" if a.endswith("@backlog.test") else None)
    srv = make_server(routes=(("*", f"smtp://127.0.0.1:{rx.port}"),),
                      delivery='retry_initial = "200ms"\nretry_max = "1s"\n',
                      tail="[accounts]\ndefault_daily_quota = 1000000\n").start().provision()
    subprocess.run([bench_binary(), "send", "-H", "127.0.0.1", "-P", str(srv.ports["plain"]), "-u", SENDER,
                    "-w", PASSWORD, "-f", SENDER, "-d", "backlog.test", "-c", "8", "-n", str(BACKLOG), "-s",
                    "512", "-r", "1", "-k", "100", "-T", "120"], check=True, capture_output=True, timeout=180)

    def backlog_attempted():
        with rx.lock:
            return sum(1 for a, t in rx.rcpt_times.items() if a.endswith("@backlog.test") and len(t) >= 2)

    # Every backlog recipient has been retried at least once: they are all in backoff or due.
    wait_for(lambda: backlog_attempted() >= BACKLOG, 120, "the backlog in retry")
    fresh = [f"fresh{i}@idle.test" for i in range(5)]
    for r in fresh:
        send(srv, [r], subject=r)
    wait_for(lambda: all(r in rx.delivered_rcpts() for r in fresh), 60, "fresh mail delivered")
    # Still a backlog: nothing to backlog.test was delivered and most of it is still queued.
    assert not any(r.endswith("@backlog.test") for r in rx.delivered_rcpts())
    assert len(srv.queue()) >= BACKLOG


def test_mx_pattern_rule_applies_once_the_mx_is_known(make_server, receiver_factory, tmp_path):
    rx = receiver_factory(data_delay=0.3)
    dns, port = start_dnsmasq(tmp_path, """
mx-host=a.test,mx1.hosted.test,10
mx-host=b.test,mx2.hosted.test,10
host-record=mx1.hosted.test,127.0.0.1
host-record=mx2.hosted.test,127.0.0.1
""")
    try:
        srv = make_server(routes=(("*", "mx"),), delivery=f'remote_port = {rx.port}\n',
                          tail='[[destination]]\nname = "hosted"\nmatch = ["mx:*.hosted.test"]\nmax_connections = 1\n')
        cfg = srv.config.read_text().replace("[tls]", f'[dns]\nservers = ["127.0.0.1:{port}"]\n\n[tls]', 1)
        srv.config.write_text(cfg)
        srv.start().provision()
        send(srv, ["first@a.test"])
        send(srv, ["first@b.test"])
        wait_for(lambda: len(rx.delivered_rcpts()) == 2, 30, "the first deliveries (MX hosts learnt)")
        with rx.lock:
            rx.max_transactions = 0
        later = [f"r{i}@{'ab'[i % 2]}.test" for i in range(6)]
        for r in later:
            send(srv, [r], subject=r)
        wait_for(lambda: len(rx.delivered_rcpts()) == 8, 60, "the later deliveries")
        # a.test and b.test are two MX domains, but one rule by their MX hosts: one at a time.
        assert rx.max_transactions == 1
    finally:
        dns.terminate()
        dns.wait(timeout=10)
