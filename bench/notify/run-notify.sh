#!/usr/bin/env bash
# Notification push benchmark (docs/performance.md): N messages are delivered (capture route)
# while the HTTP target is down, so N events wait in the outbox; then a receiver starts and the
# time to drain the outbox is measured: events/s through routing, batching, POST and
# acknowledgement. Needs a built tree (BUILD, default build). Loopback only.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
N=${N:-10000}
DATA=/var/tmp/mailpush-notify-bench
rm -rf "$DATA" && mkdir -p "$DATA"
sed -e "s|/var/tmp/mailpush-bench|$DATA|" -e 's|to = "hold"|to = "capture:'"$DATA"'/captured"|' bench/bench.toml >"$DATA/config.toml"
cat >>"$DATA/config.toml" <<'TOML'

[notify]
push_retry_initial = "100ms"
push_retry_max = "200ms"
allow_private_targets = true
TOML
# The operator listener is 2691; mailpushctl reads its address and token file from the config.
CTL=("$BUILD/src/mailpushctl" --config "$DATA/config.toml")
"$BUILD/src/mailpushd" --config "$DATA/config.toml" >"$DATA/log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null' EXIT
# Ready when the public listener answers (bench.toml logs warnings only, no "ready" line).
for _ in $(seq 100); do curl -s -o /dev/null http://127.0.0.1:2690/ && break; sleep 0.1; done
"${CTL[@]}" account add bench >/dev/null
"${CTL[@]}" domain add bench example.com >/dev/null
"${CTL[@]}" address add bench sender@example.com >/dev/null
echo BenchPass2026x | "${CTL[@]}" address password sender@example.com --password-stdin >/dev/null
"${CTL[@]}" notify set bench http://127.0.0.1:2693/hook >/dev/null
outbox() { curl -s -H "Authorization: Bearer $(cat "$DATA/admin.token")" http://127.0.0.1:2691/metrics | awk '$1 == "mailpush_notify_outbox_events" {print int($2)}'; }
"$BUILD/bench/mailpush-bench" send -P 2600 -u sender@example.com -w BenchPass2026x -c 20 -n "$N" -s 4096 -r 1 -k 0 | tail -1
for _ in $(seq 600); do [ "$(outbox)" -ge "$N" ] && break; sleep 0.1; done
echo "outbox holds $(outbox) events; starting the receiver"
/usr/bin/python3 - "$N" <<'PY'
import json, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
n, got, posts, lock, done = int(sys.argv[1]), set(), [0], threading.Lock(), threading.Event()
class H(BaseHTTPRequestHandler):
    def do_POST(self):
        events = json.loads(self.rfile.read(int(self.headers["Content-Length"])))["events"]
        with lock:
            posts[0] += 1
            got.update(e["id"] for e in events)
            if len(got) >= n: done.set()
        self.send_response(200); self.send_header("Content-Length", "0"); self.end_headers()
    def log_message(self, *a): pass
srv = ThreadingHTTPServer(("127.0.0.1", 2693), H)
threading.Thread(target=srv.serve_forever, daemon=True).start()
start = time.monotonic()
ok = done.wait(120)
s = time.monotonic() - start
print(f"drained {len(got)} of {n} events in {s:.2f} s: {len(got)/s:.0f} events/s, {posts[0]} POSTs"
      + ("" if ok else " (timed out)"))
srv.shutdown()
PY
