#!/usr/bin/env bash
# OpenAPI benchmark (docs/performance.md): starts mailpushd with bench/bench.toml (route "hold":
# accepted mail stays queued, so the figures are ingest through HTTP), provisions an account and
# an access key, then runs api-bench.js (SDK SingleSendMail) and one BatchSendMail of a
# 10,000-member list. Needs a built tree (BUILD, default build) and the SDK
# (npm ci --prefix tests/integration/sdk).
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
N=${N:-20000}
C=${C:-32}
DATA=/var/tmp/mailpush-bench
# The operator listener is 2691; mailpushctl reads its address and token file from the config.
CTL=("$BUILD/src/mailpushctl" --config bench/bench.toml)
rm -rf "$DATA" && mkdir -p "$DATA"
"$BUILD/src/mailpushd" --config bench/bench.toml >"$DATA/log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null' EXIT
# Ready when the public listener answers (bench.toml logs warnings only, no "ready" line).
for _ in $(seq 100); do curl -s -o /dev/null http://127.0.0.1:2690/ && break; sleep 0.1; done
"${CTL[@]}" account add bench >/dev/null
"${CTL[@]}" account quota bench --daily 100000000 --monthly 1000000000 >/dev/null
"${CTL[@]}" domain add bench bench.example >/dev/null
"${CTL[@]}" address add bench news@bench.example --type batch >/dev/null
key=$("${CTL[@]}" accesskey create bench --json)
id=$(echo "$key" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["AccessKeyId"])')
secret=$(echo "$key" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["AccessKeySecret"])')
# Server CPU seconds (user+system) so far: the client (the SDK, in node) is the bottleneck on
# two cores, so the server's CPU per call is the figure that compares.
cpu() { awk '{printf "%.2f", ($14+$15)/100}' "/proc/$pid/stat"; }
c0=$(cpu)
echo "== SingleSendMail through the SDK, ACS3-HMAC-SHA256 ($N calls, $C in flight, 4 KB bodies)"
node bench/api/api-bench.js 127.0.0.1:2690 "$id" "$secret" news@bench.example "$N" "$C" v3
c1=$(cpu)
echo "server CPU: $(/usr/bin/python3 -c "print(round(($c1-$c0)*1e6/$N))") us per call"
echo "== the same with RPC HMAC-SHA1"
node bench/api/api-bench.js 127.0.0.1:2690 "$id" "$secret" news@bench.example "$((N / 2))" "$C" v2
echo "== BatchSendMail: 10,000-member list, one rendered message each"
/usr/bin/python3 - "$DATA/list.txt" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("EAddr,UserName\n" + "".join(f"m{i}@bench.test,Member {i}\n" for i in range(10000)))
PY
printf '<p>Dear {UserName}, %s</p>' "$(head -c 3000 /dev/zero | tr '\0' 'x')" >"$DATA/body.html"
"${CTL[@]}" list add bench members members@lists.bench >/dev/null
"${CTL[@]}" list upload bench members "$DATA/list.txt" >/dev/null
"${CTL[@]}" template add bench letter --subject 'Hello {UserName}' --body-file "$DATA/body.html" >/dev/null
"${CTL[@]}" template submit bench letter >/dev/null
"${CTL[@]}" template approve bench letter >/dev/null
start=$(date +%s.%N)
c2=$(cpu)
"${CTL[@]}" --json task send bench --address news@bench.example --template letter --list members \
  | /usr/bin/python3 -c 'import json,sys; t=json.load(sys.stdin); print("task", t["id"], ":", t["queued"], "queued,", t["skipped"], "skipped")'
end=$(date +%s.%N)
c3=$(cpu)
/usr/bin/python3 -c "s=$end-$start; print(f'batch of 10000: {s:.2f} s, {10000/s:.0f} msg/s, server CPU {($c3-$c2)*1e6/10000:.0f} us per message')"
echo "== for comparison: the same 4 KB messages by SMTP (mailpush-bench, 20 kept connections)"
printf 'BenchPass2026x\n' | "${CTL[@]}" address password news@bench.example --password-stdin >/dev/null
c4=$(cpu)
"$BUILD/bench/mailpush-bench" send -P 2600 -u news@bench.example -w BenchPass2026x -c 20 -n "$N" -s 4096 -r 1 -k 1
c5=$(cpu)
echo "server CPU: $(/usr/bin/python3 -c "print(round(($c5-$c4)*1e6/$N))") us per message"
echo "RSS after: $(ps -o rss= -p $pid) KiB"
