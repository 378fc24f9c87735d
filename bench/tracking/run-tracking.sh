#!/usr/bin/env bash
# Tracking endpoints benchmark (docs/performance.md): wrk against the open pixel (GET /o/{token})
# and the click redirect (GET /c/{token}) of a real tracked message, beside nginx serving a static
# 1x1 GIF with the same no-cache headers, in the same sitting on the same machine. Then checks
# that every hit wrk got an answer for was recorded (rows in track_hits, nothing dropped).
# Needs a built tree (BUILD, default build); installs wrk and nginx-light if missing (root).
# Loopback only. usage: [D=10] [C=64] bash bench/tracking/run-tracking.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
D=${D:-10} C=${C:-64}
for p in wrk nginx-light; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$p" >/dev/null
done
DATA=/var/tmp/mailpush-track-bench
rm -rf "$DATA" && mkdir -p "$DATA/captured" "$DATA/nginx"
sed -e "s|/var/tmp/mailpush-bench|$DATA|" -e 's|to = "hold"|to = "capture:'"$DATA"'/captured"|' \
    -e 's|^port = 2690|port = 2690\nmax_connections = 10000\nmax_connections_per_ip = 10000|' \
    bench/bench.toml >"$DATA/config.toml"
cat >>"$DATA/config.toml" <<'TOML'

[tracking]
require_cname = false
link_host = "public"
TOML
CTL=("$BUILD/src/mailpushctl" --config "$DATA/config.toml")
"$BUILD/src/mailpushd" --config "$DATA/config.toml" >"$DATA/log" 2>&1 &
pid=$!
cat >"$DATA/nginx/nginx.conf" <<NGINX
worker_processes auto;
pid $DATA/nginx/nginx.pid;
error_log $DATA/nginx/error.log;
events { worker_connections 4096; }
http {
    access_log off;
    server {
        listen 127.0.0.1:2692;
        root $DATA/nginx;
        location = /o.gif {
            add_header Cache-Control "no-store, no-cache, must-revalidate, max-age=0, private";
            add_header Pragma no-cache;
            expires epoch;
            default_type image/gif;
        }
    }
}
NGINX
printf 'R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==' | base64 -d >"$DATA/nginx/o.gif"
nginx -c "$DATA/nginx/nginx.conf"
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; nginx -c "$DATA/nginx/nginx.conf" -s stop 2>/dev/null || true' EXIT
# Ready when the public listener answers (bench.toml logs warnings only).
for _ in $(seq 100); do curl -s -o /dev/null http://127.0.0.1:2690/ && break; sleep 0.1; done
"${CTL[@]}" account add bench >/dev/null
"${CTL[@]}" domain add bench example.com >/dev/null
"${CTL[@]}" address add bench sender@example.com >/dev/null
echo BenchPass2026x | "${CTL[@]}" address password sender@example.com --password-stdin >/dev/null
# One tracked message; its delivered copy gives the pixel and link URLs.
/usr/bin/python3 - <<'PY'
import base64, json, smtplib
trace = base64.b64encode(json.dumps({"OpenTrace": "1", "LinkTrace": "1"}).encode()).decode()
msg = ("From: sender@example.com\r\nTo: r@example.org\r\nSubject: bench\r\nMIME-Version: 1.0\r\n"
       f"X-AliDM-Trace: {trace}\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
       '<html><body><p><a href="https://shop.example.org/sale?id=1">sale</a></p></body></html>\r\n')
with smtplib.SMTP("127.0.0.1", 2600) as s:
    s.login("sender@example.com", "BenchPass2026x")
    s.sendmail("sender@example.com", ["r@example.org"], msg)
PY
for _ in $(seq 100); do [ -n "$(ls "$DATA/captured")" ] && break; sleep 0.1; done
read -r pixel click < <(/usr/bin/python3 - "$DATA/captured" <<'PY'
import email, email.policy, os, re, sys
d = sys.argv[1]
raw = open(os.path.join(d, sorted(os.listdir(d))[0]), "rb").read()
html = next(p.get_content() for p in email.message_from_bytes(raw, policy=email.policy.default).walk()
            if p.get_content_type() == "text/html")
print(re.search(r'src="([^"]+/o/[^"]+)"', html).group(1), re.search(r'href="([^"]+/c/[^"]+)"', html).group(1))
PY
)
echo "pixel $pixel"
echo "click $click"
hits() { /usr/bin/python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT count(*) FROM track_hits').fetchone()[0])" "$DATA/delivery.db"; }
requests() { awk '/requests in/ {print $1}'; }
run() { # name url
    local out n
    out=$(wrk -t1 -c"$C" -d"${D}s" --latency "$2")
    n=$(requests <<<"$out")
    printf '%-22s %8s req/s  p50 %-8s p99 %-8s (%s requests)\n' "$1" \
        "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" "$(awk '$1 == "50%" {print $2}' <<<"$out")" \
        "$(awk '$1 == "99%" {print $2}' <<<"$out")" "$n"
    echo "$n" >>"$DATA/answered"
}
echo "wrk -t1 -c$C -d${D}s, $(nproc) cores, each run after the other"
run "nginx static gif" http://127.0.0.1:2692/o.gif
run "mailpushd pixel" "$pixel"
run "mailpushd redirect" "$click"
run "nginx static gif" http://127.0.0.1:2692/o.gif
answered=$(sed -n '2p;3p' "$DATA/answered" | paste -sd+ | bc)
# Every answered hit is written within a flush interval or two: wait until the count stops short.
for _ in $(seq 100); do [ "$(hits)" -ge "$answered" ] && break; sleep 0.1; done
dropped=$(curl -s -H "Authorization: Bearer $(cat "$DATA/admin.token")" http://127.0.0.1:2691/metrics |
    awk '$1 == "mailpush_tracking_dropped_total" {print int($2)}')
echo "hits answered by mailpushd: $answered; recorded in track_hits: $(hits); dropped: ${dropped:-0}"
