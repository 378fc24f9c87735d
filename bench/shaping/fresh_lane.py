#!/usr/bin/env python3
"""Fresh lane benchmark (a program, not a test): how long a newly accepted message takes to leave
while a large retry backlog waits. Everything on loopback.

1. mailpushd (the build tree's) with two smarthost routes: `backlog.test` to a receiver that
   answers every RCPT with 451 (its recipients are retried again and again: retry_initial
   RETRY_INITIAL, so retries keep coming due during the measurement), everything else to an
   idle receiver.
2. mailpush-bench fills BACKLOG one-recipient messages to backlog.test; the script waits until
   every one of them has been attempted at least once (all in backoff, many due again).
3. FRESH messages to idle.test, one at a time: latency = the idle receiver's arrival time minus
   the moment the 250 to DATA came back. Prints p50/p99/max, the backlog still queued, and the
   backlog's retry rate during the measurement.

usage: /usr/bin/python3 bench/shaping/fresh_lane.py [BACKLOG=50000] [FRESH=200]
   env MAILPUSHD, MAILPUSHCTL, MAILPUSH_BENCH (default: build/...), RETRY_INITIAL (default 1s)
"""
import os
import smtplib
import subprocess
import sys
import tempfile
import time
from pathlib import Path

top = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(top / "tests" / "integration"))
os.environ.setdefault("MAILPUSHD", str(top / "build/src/mailpushd"))
os.environ.setdefault("MAILPUSHCTL", str(top / "build/src/mailpushctl"))

from harness import PASSWORD, SENDER, Server, wait_for  # noqa: E402
from scripted_receiver import ScriptedReceiver  # noqa: E402


def percentile(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(p * len(s)))]


def main():
    backlog = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    fresh = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    retry_initial = os.environ.get("RETRY_INITIAL", "1s")
    bench = os.environ.get("MAILPUSH_BENCH", str(top / "build/bench"))
    bench = os.path.join(bench, "mailpush-bench") if os.path.isdir(bench) else bench

    busy = ScriptedReceiver(script=lambda a, n: "451 4.3.0 try again later")
    idle = ScriptedReceiver()
    work = Path(tempfile.mkdtemp(prefix="mailpush-fresh-lane-"))
    srv = Server(work, routes=(("backlog.test", f"smtp://127.0.0.1:{busy.port}"),
                               ("*", f"smtp://127.0.0.1:{idle.port}")),
                 delivery=f'retry_initial = "{retry_initial}"\nretry_max = "{retry_initial}"\n',
                 tail="[accounts]\ndefault_daily_quota = 10000000\ndefault_monthly_quota = 100000000\n")
    try:
        srv.start().provision()
        t0 = time.monotonic()
        subprocess.run([bench, "send", "-H", "127.0.0.1", "-P", str(srv.ports["plain"]), "-u", SENDER, "-w",
                        PASSWORD, "-f", SENDER, "-d", "backlog.test", "-c", "8", "-n", str(backlog), "-s", "1024",
                        "-r", "1", "-k", "200", "-T", "600"], check=True, capture_output=True, timeout=900)
        filled = time.monotonic() - t0

        def attempted():
            with busy.lock:
                return sum(1 for t in busy.rcpt_times.values() if t)

        wait_for(lambda: attempted() >= backlog, 900, "every backlog recipient attempted once", pause=0.5)
        in_backoff = time.monotonic() - t0
        with busy.lock:
            retries_before = sum(len(t) for t in busy.rcpt_times.values())
        m0 = time.monotonic()
        latencies = []
        with smtplib.SMTP("127.0.0.1", srv.ports["plain"], timeout=30) as s:
            s.login(SENDER, PASSWORD)
            for i in range(fresh):
                rcpt = f"fresh{i}@idle.test"
                s.mail(SENDER)
                s.rcpt(rcpt)
                code, _ = s.data(f"Subject: {rcpt}\r\n\r\nfresh\r\n")
                accepted = time.monotonic()
                assert code == 250
                wait_for(lambda: len(idle.delivered) > i, 60, f"fresh message {i}", pause=0.001)
                with idle.lock:
                    latencies.append((idle.delivered[i][0] - accepted) * 1000)
        measured = time.monotonic() - m0
        with busy.lock:
            retries_after = sum(len(t) for t in busy.rcpt_times.values())
        queued = int(srv.metric("mailpush_queue_messages"))
        lat = [max(0.0, v) for v in latencies]
        print(f"backlog={backlog} filled_in={filled:.1f}s all_in_backoff_after={in_backoff:.1f}s "
              f"retry_initial={retry_initial}")
        print(f"backlog retries during the measurement: {retries_after - retries_before} "
              f"in {measured:.1f}s ({(retries_after - retries_before) / measured:.0f}/s); "
              f"messages still queued at the end: {queued}")
        print(f"fresh={fresh} accept->delivered ms: p50={percentile(lat, 0.5):.1f} "
              f"p99={percentile(lat, 0.99):.1f} max={max(lat):.1f}")
    finally:
        srv.stop(timeout=120)
        busy.stop()
        idle.stop()


if __name__ == "__main__":
    main()
