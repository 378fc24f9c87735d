#!/usr/bin/env bash
# Backlog fill and restart (docs/performance.md, "One node at scale"): fills the queue with
# MESSAGES messages of RCPTS recipients (4 KiB, held: route "hold"), then restarts mailpushd and
# prints how long until SMTP answers and until the engine has recovered every message, warm and
# with the page cache dropped (cold), the RSS at each point, and how long a SIGTERM during the
# engine's recovery takes. As root (drop_caches). Prints figures; asserts nothing.
#   MESSAGES=200000 RCPTS=5 bash bench/scale/backlog.sh
#   REUSE=1 bash bench/scale/backlog.sh    # the restarts only, on the queue a previous run left
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
messages=${MESSAGES:-200000} rcpts=${RCPTS:-5}
config=$top/bench/scale/scale.toml data=/var/tmp/mailpush-scale log=/var/tmp/mailpush-scale.log
bin=$top/build/src
[ -x "$bin/mailpushd" ] || bash "$top/tools/build.sh" "$top/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ms() { date +%s%3N; }
rss_mib() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }
smtp_up() { exec 3<>/dev/tcp/127.0.0.1/2700 && head -c 4 <&3 | grep -q 220; local ok=$?; exec 3<&- 3>&-; return $ok; }
start() { # starts mailpushd; sets pid and started_ms
  : > "$log"
  started_ms=$(ms)
  "$bin/mailpushd" --config "$config" >>"$log" 2>&1 &
  pid=$!
}
wait_line() { # waits (at most 600 s) for a log line matching $1; prints ms since start
  for _ in $(seq 60000); do
    grep -q "$1" "$log" && { echo $(( $(ms) - started_ms )); return; }
    kill -0 "$pid" 2>/dev/null || { echo "mailpushd exited: $(tail -3 "$log")" >&2; exit 1; }
    sleep 0.01
  done
  echo "timed out waiting for $1" >&2; exit 1
}
wait_smtp() {
  for _ in $(seq 60000); do smtp_up 2>/dev/null && { echo $(( $(ms) - started_ms )); return; }; sleep 0.01; done
  echo "SMTP never answered" >&2; exit 1
}
stop() { kill -TERM "$pid"; wait "$pid" || true; }

if [ "${REUSE:-0}" != 1 ]; then
rm -rf "$data"
start
wait_line "ready hostname" >/dev/null
ctl() { "$bin/mailpushctl" --config "$config" "$@" >/dev/null; }
ctl account add bench && ctl domain add bench example.com && ctl address add bench sender@example.com
echo BenchPass2026x | ctl address password sender@example.com --password-stdin
echo "== fill: $messages messages x $rcpts recipients, 4 KiB, 20 sessions"
fill_started=$(ms)
"$bin/../bench/mailpush-bench" send -H 127.0.0.1 -P 2700 -u sender@example.com -w BenchPass2026x \
  -c 20 -n "$messages" -s 4096 -r "$rcpts" -k 100 -T 1200 | tail -3
echo "fill: $(( $(ms) - fill_started )) ms; RSS after the fill: $(rss_mib "$pid") MiB; files: $(find "$data"/spool/queue -name "*.msg" | wc -l), segments: $(find "$data"/spool/segments -name "*.seg" | wc -l) ($(du -sm "$data"/spool/segments | cut -f1) MiB)"
stop
fi

for mode in warm cold; do
  [ "$mode" = cold ] && { sync; echo 3 > /proc/sys/vm/drop_caches; }
  start
  smtp_ms=$(wait_smtp)
  smtp_rss=$(rss_mib "$pid")
  engine_ms=$(wait_line "delivery.recover messages=")
  echo "restart $mode: SMTP answering after ${smtp_ms} ms (RSS ${smtp_rss} MiB); engine recovered after ${engine_ms} ms (RSS $(rss_mib "$pid") MiB): $(grep -o 'delivery.recover messages=[0-9]* finished=[0-9]*' "$log")"
  stop
done

start
wait_line "ready hostname" >/dev/null # the engine's recovery starts with SMTP
term_ms=$(ms); kill -TERM "$pid"; wait "$pid" || true
echo "SIGTERM during the engine's recovery: exited after $(( $(ms) - term_ms )) ms ($(grep -o 'delivery.recover interrupted[^"]*' "$log" || echo 'recovery had finished'))"
