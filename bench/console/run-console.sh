#!/usr/bin/env bash
# Console benchmark (docs/performance.md): fills a delivery log with 1,000,000 final delivery
# records (200,000 messages x 5 recipients over 30 days, mailpush-console-fill), starts mailpushd
# on bench/console/console.toml, gives account "bench" 4 addresses, 8 tags, a template and a list
# of 100,000 members, then times every console page's data calls (console_bench.py).
# Needs a built tree (BUILD, default build). MESSAGES and N (calls per data call) can be set.
# KEEP=1 reuses the filled delivery log of the last run.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
MESSAGES=${MESSAGES:-200000}
N=${N:-100}
DATA=/var/tmp/mailpush-console-bench
CTL=("$BUILD/src/mailpushctl" --config bench/console/console.toml)
if [[ ${KEEP:-0} == 1 && -f $DATA/delivery.db ]]; then
    find "$DATA" -mindepth 1 ! -name 'delivery.db*' -delete
else
    rm -rf "$DATA" && mkdir -p "$DATA"
    "$BUILD/bench/mailpush-console-fill" "$DATA" "$MESSAGES" 5 30
fi
"$BUILD/src/mailpushd" --config bench/console/console.toml >"$DATA/log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null' EXIT
for _ in $(seq 100); do curl -s -o /dev/null http://127.0.0.1:2790/ && break; sleep 0.1; done
"${CTL[@]}" account add bench >/dev/null
# A list holds at most the daily quota.
"${CTL[@]}" account quota bench --daily 1000000 --monthly 30000000 >/dev/null
"${CTL[@]}" domain add bench bench.example >/dev/null
for i in 0 1 2 3; do "${CTL[@]}" address add bench "news$i@bench.example" --type batch >/dev/null; done
for i in $(seq 0 7); do "${CTL[@]}" tag add bench "tag$i" >/dev/null; done
echo '<p>Dear {NickName}, news for {EAddr}</p>' >"$DATA/body.html"
"${CTL[@]}" template add bench newsletter --subject 'Hello {UserName}' --body-file "$DATA/body.html" >/dev/null
"${CTL[@]}" list add bench customers customers@lists.bench.example >/dev/null
/usr/bin/python3 -c '
import sys
print("EAddr,UserName,NickName")
for i in range(100000):
    print(f"user{i}@example{i % 5}.org,User {i},U{i}")' >"$DATA/members.csv"
start=$(date +%s.%N)
"${CTL[@]}" list upload bench customers "$DATA/members.csv" >/dev/null
echo "uploaded 100000 list members in $(echo "$(date +%s.%N) - $start" | bc) s"
for i in $(seq 1 200); do "${CTL[@]}" invalid add bench "gone$i@example.org" >/dev/null; done
echo 'Console2026pw' | "${CTL[@]}" account password bench --password-stdin >/dev/null
echo "mailpushd RSS: $(awk '/VmRSS/ {print $2, $3}' /proc/$pid/status)"
/usr/bin/python3 bench/console/console_bench.py http://127.0.0.1:2790 Console2026pw "$N"
