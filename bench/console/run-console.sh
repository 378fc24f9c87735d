#!/usr/bin/env bash
# Console benchmark (docs/performance.md): fills a delivery log with 1,000,000 final delivery
# records (200,000 messages x 5 recipients over 30 days, mailpush-console-fill), starts mailpushd
# on bench/console/console.toml, gives account "bench" 4 addresses, 8 tags, a template and a list
# of 100,000 members and 14 days of monitor data with 50 alarm rules, then times every console page's data calls (console_bench.py).
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
# 14 days of monitor data: every minute of every item has a count (221,760 rows), and 50 rules.
/usr/bin/python3 - "$DATA/store.db" <<'PY'
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], timeout=30)
items = ["api_error_length", "api_error_quota", "api_error_spam", "api_error_invalid", "api_success",
         "smtp_auth_failed", "smtp_auth_succeeded", "smtp_error_length", "smtp_error_quota",
         "smtp_error_spam", "smtp_error_invalid"]
(account,) = db.execute("SELECT id FROM accounts WHERE name='bench'").fetchone()
now = int(time.time()) // 60 * 60000
with db:
    db.executemany("INSERT OR REPLACE INTO monitor_minutes(account_id, item, minute, count) VALUES(?,?,?,?)",
                   ((account, item, now - m * 60000, 1 + m % 7) for item in items for m in range(14 * 1440)))
print("filled 14 days of monitor data:", db.execute("SELECT count(*) FROM monitor_minutes").fetchone()[0], "rows")
PY
echo "mailpushd RSS: $(awk '/VmRSS/ {print $2, $3}' /proc/$pid/status)"
/usr/bin/python3 bench/console/console_bench.py http://127.0.0.1:2790 Console2026pw "$N"
