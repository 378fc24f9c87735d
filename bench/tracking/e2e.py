"""End to end with tracking on and off (docs/performance.md): one mailpushd (bench/bench.toml,
delivering to a local aiosmtpd sink), batches of N messages of a 5 KB HTML newsletter with 14
links, each to one recipient, sent by C parallel SMTP sessions; a batch is timed from its first
submission to its last message received at the sink. Batches alternate off, on, off, on so that
drift shows. usage: /usr/bin/python3 bench/tracking/e2e.py [N] [C] (needs a built tree: BUILD)"""
import base64
import json
import os
import shutil
import smtplib
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from aiosmtpd.controller import Controller

N = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
C = int(sys.argv[2]) if len(sys.argv) > 2 else 8
BUILD = os.environ.get("BUILD", "build")
DATA = Path("/var/tmp/mailpush-track-e2e")
ROOT = Path(__file__).resolve().parents[2]


class Sink:
    def __init__(self):
        self.count, self.lock, self.done = 0, threading.Lock(), threading.Event()
        self.target = 0

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += len(envelope.rcpt_tos)
            if self.count >= self.target:
                self.done.set()
        return "250 2.0.0 Ok"


def newsletter(i, tracked):
    links = "".join(f'<p><a href="https://shop.example.org/item/{k}?utm_source=mail&amp;n={i}">Item {k}</a> '
                    + "lorem ipsum dolor sit amet " * 12 + "</p>\r\n" for k in range(14))
    trace = base64.b64encode(json.dumps({"OpenTrace": "1", "LinkTrace": "1"}).encode()).decode()
    return ("From: sender@example.com\r\nTo: r@example.org\r\nSubject: news\r\nMIME-Version: 1.0\r\n"
            + (f"X-AliDM-Trace: {trace}\r\n" if tracked else "")
            + "Content-Type: text/html; charset=utf-8\r\n\r\n<html><body>\r\n" + links + "</body></html>\r\n")


def batch(sink, tracked, offset):
    sink.done.clear()
    with sink.lock:
        sink.target = sink.count + N
    per = N // C

    def worker(w):
        with smtplib.SMTP("127.0.0.1", 2600, timeout=60) as s:
            s.login("sender@example.com", "BenchPass2026x")
            for j in range(per):
                s.sendmail("sender@example.com", [f"r{offset + w * per + j}@example.org"],
                           newsletter(offset + w * per + j, tracked))
    start = time.monotonic()
    threads = [threading.Thread(target=worker, args=(w,)) for w in range(C)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    submitted = time.monotonic() - start
    assert sink.done.wait(300), "the sink did not receive every message"
    total = time.monotonic() - start
    return submitted, total


def main():
    shutil.rmtree(DATA, ignore_errors=True)
    DATA.mkdir(parents=True)
    sink = Sink()
    with socket.socket() as probe:  # aiosmtpd's start() connects to its port: it cannot be 0
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    conf = (ROOT / "bench/bench.toml").read_text().replace("/var/tmp/mailpush-bench", str(DATA))
    conf = conf.replace('to = "hold"', f'to = "smtp://127.0.0.1:{port}"')
    conf += '\n[tracking]\nrequire_cname = false\nlink_host = "public"\n\n[delivery]\nallow_private_mx = true\n'
    (DATA / "config.toml").write_text(conf)
    log = open(DATA / "log", "wb")
    proc = subprocess.Popen([f"{BUILD}/src/mailpushd", "--config", str(DATA / "config.toml")], stdout=log,
                            stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        deadline = time.monotonic() + 30
        while True:  # ready when the SMTP listener answers (bench.toml logs warnings only)
            try:
                smtplib.SMTP("127.0.0.1", 2600, timeout=5).quit()
                break
            except OSError:
                assert time.monotonic() < deadline and proc.poll() is None, (DATA / "log").read_text()
                time.sleep(0.05)
        ctl = [f"{BUILD}/src/mailpushctl", "--config", str(DATA / "config.toml")]
        for args in (["account", "add", "bench"], ["domain", "add", "bench", "example.com"],
                     ["address", "add", "bench", "sender@example.com"]):
            subprocess.run(ctl + args, check=True, capture_output=True, cwd=ROOT)
        subprocess.run(ctl + ["address", "password", "sender@example.com", "--password-stdin"],
                       input="BenchPass2026x\n", text=True, check=True, capture_output=True, cwd=ROOT)
        print(f"{N} messages of {len(newsletter(0, False))} bytes (14 links) per batch, {C} SMTP sessions, "
              f"{os.cpu_count()} cores")
        offset = 0
        for tracked in (False, True, False, True):
            submitted, total = batch(sink, tracked, offset)
            offset += N
            print(f"tracking {'on ' if tracked else 'off'}: submitted in {submitted:.2f} s, all received in "
                  f"{total:.2f} s: {N / total:.0f} msg/s end to end")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        controller.stop()


main()
