#!/usr/bin/env bash
# A listing under load (docs/performance.md, "One node at scale"): with a queue of MESSAGES
# (200,000; REUSE=1 takes the queue a previous run of this or soak.sh left), measures ingest
# (4 KiB, 20 sessions, 100 per connection, LOAD messages) alone, then the same while
# `mailpushctl --json queue list` pages through the whole queue again and again. Prints dot->250
# p50/p99 for both and each listing's time and size. Asserts nothing.
#   bash bench/scale/listing.sh          MESSAGES=200000 LOAD=20000
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
messages=${MESSAGES:-200000} load=${LOAD:-20000}
config=$top/bench/scale/scale.toml data=/var/tmp/mailpush-scale log=/var/tmp/mailpush-scale.log
bin=$top/build/src
[ -x "$bin/mailpushd" ] || bash "$top/tools/build.sh" "$top/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
send() { "$bin/../bench/mailpush-bench" send -H 127.0.0.1 -P 2700 -u sender@example.com -w BenchPass2026x \
  -c 20 -n "$1" -s 4096 -r 1 -k 100 -T 1200 | grep '^RESULT'; }
ctl() { "$bin/mailpushctl" --config "$config" "$@"; }
[ "${REUSE:-0}" = 1 ] || rm -rf "$data"
: > "$log"
"$bin/mailpushd" --config "$config" >>"$log" 2>&1 &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 60000); do grep -q "ready hostname" "$log" && break; sleep 0.01; done
if [ "${REUSE:-0}" != 1 ]; then
  ctl account add bench >/dev/null && ctl domain add bench example.com >/dev/null
  ctl address add bench sender@example.com >/dev/null
  echo BenchPass2026x | ctl address password sender@example.com --password-stdin >/dev/null
  echo "fill: $(send "$messages")"
fi
echo "queued: $(ctl --json status | grep -o '"queued_messages": *[0-9]*')"
echo "ingest alone:          $(send "$load")"
(
  for i in $(seq 50); do
    t0=$(date +%s%3N)
    bytes=$(ctl --json queue list | wc -c)
    echo "listing $i: $(( $(date +%s%3N) - t0 )) ms, $bytes bytes of JSON"
  done
) > /var/tmp/mailpush-listing.txt 2>&1 &
lister=$!
echo "ingest during listings: $(send "$load")"
kill "$lister" 2>/dev/null; wait "$lister" 2>/dev/null || true
cat /var/tmp/mailpush-listing.txt
echo "RSS after: $(( $(awk '/VmRSS/ {print $2}' "/proc/$pid/status") / 1024 )) MiB"
