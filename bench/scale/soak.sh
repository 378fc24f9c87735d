#!/usr/bin/env bash
# Soak (docs/performance.md, "One node at scale"): for DURATION seconds (600) sends rounds of
# ROUND messages (4 KiB, 20 sessions, 100 per connection, route "hold") paced to RATE messages/s,
# so the queue grows from 0 to about RATE x DURATION. After each round prints the queue size, the
# round's rate and dot->250 p99, the server CPU per message (user+system, from /proc), its RSS and
# its open descriptors: a per-message cost that stays flat while the queue grows is the point.
# Asserts nothing.
#   bash bench/scale/soak.sh            DURATION=600 RATE=333 ROUND=10000
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
duration=${DURATION:-600} rate=${RATE:-333} round=${ROUND:-10000}
config=$top/bench/scale/scale.toml data=/var/tmp/mailpush-scale log=/var/tmp/mailpush-scale.log
bin=$top/build/src
[ -x "$bin/mailpushd" ] || bash "$top/tools/build.sh" "$top/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
rm -rf "$data"
: > "$log"
"$bin/mailpushd" --config "$config" >>"$log" 2>&1 &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 3000); do grep -q "ready hostname" "$log" && break; sleep 0.01; done
ctl() { "$bin/mailpushctl" --config "$config" "$@" >/dev/null; }
ctl account add bench && ctl domain add bench example.com && ctl address add bench sender@example.com
echo BenchPass2026x | ctl address password sender@example.com --password-stdin
tck=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
started=$(date +%s)
sent=0
printf "%8s %9s %8s %9s %12s %8s %5s\n" elapsed_s queued msg_per_s p99_ms cpu_us_per_msg rss_mib fds
while [ $(( $(date +%s) - started )) -lt "$duration" ]; do
  t0=$(date +%s%3N) c0=$(cpu_ticks)
  line=$("$bin/../bench/mailpush-bench" send -H 127.0.0.1 -P 2700 -u sender@example.com -w BenchPass2026x \
    -c 20 -n "$round" -s 4096 -r 1 -k 100 -T 600 | grep '^RESULT')
  t1=$(date +%s%3N) c1=$(cpu_ticks)
  sent=$(( sent + round ))
  r=$(sed -E 's/.*rate=([0-9.]+).*/\1/' <<<"$line") p99=$(sed -E 's/.*dot_p99_ms=([0-9.]+).*/\1/' <<<"$line")
  cpu_us=$(( (c1 - c0) * 1000000 / tck / round ))
  printf "%8d %9d %8s %9s %12d %8d %5d\n" $(( $(date +%s) - started )) "$sent" "$r" "$p99" "$cpu_us" \
    $(( $(awk '/VmRSS/ {print $2}' "/proc/$pid/status") / 1024 )) "$(ls "/proc/$pid/fd" | wc -l)"
  # Pace to RATE: the round took (t1 - t0) ms; wait out the rest of round / RATE seconds.
  left=$(( round * 1000 / rate - (t1 - t0) ))
  [ "$left" -gt 0 ] && sleep "$(awk -v ms="$left" 'BEGIN {printf "%.3f", ms / 1000}')"
done
