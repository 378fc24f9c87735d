#!/usr/bin/env bash
# Large messages (docs/performance.md, "One node at scale"): CONC sessions send one 14 MiB message
# each at once (AUTH PLAIN, route "hold"), and the server's RSS is sampled every 20 ms. Prints the
# RSS before, the peak during and the RSS after, and the dot->250 latencies. MAILPUSHD picks
# another binary (a build from before a change, for the before/after figures). DELIVER=1 routes
# the messages to a discarding SMTP sink on 127.0.0.1:2725 (aiosmtpd) instead and also prints the
# peak RSS while they are delivered; BUDGET sets [spool] max_inflight_bytes (e.g. 64G: no bound on
# the attempts). Asserts nothing.
#   bash bench/scale/large.sh
#   MAILPUSHD=/tmp/before/build/src/mailpushd bash bench/scale/large.sh
#   DELIVER=1 bash bench/scale/large.sh; DELIVER=1 BUDGET=64G bash bench/scale/large.sh
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
conc=${CONC:-30} size=${SIZE:-14680064}
config=$top/bench/scale/scale.toml data=/var/tmp/mailpush-scale log=/var/tmp/mailpush-scale.log
if [ -n "${DELIVER:-}${BUDGET:-}" ]; then
  derived=/var/tmp/mailpush-scale-large.toml
  route=hold
  [ -n "${DELIVER:-}" ] && route=smtp://127.0.0.1:2725
  sed -e "s|^to = \"hold\"|to = \"$route\"|" \
      -e "s|^min_free_bytes = .*|&\nmax_inflight_bytes = \"${BUDGET:-256M}\"|" "$config" > "$derived"
  config=$derived
fi
if [ -n "${DELIVER:-}" ]; then
  /usr/bin/python3 -m aiosmtpd -n -l 127.0.0.1:2725 -c aiosmtpd.handlers.Sink &
  sink=$!
fi
bin=$top/build/src
[ -x "$bin/mailpushd" ] || bash "$top/tools/build.sh" "$top/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
daemon=${MAILPUSHD:-$bin/mailpushd}
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

rm -rf "$data"
: > "$log"
"$daemon" --config "$config" >>"$log" 2>&1 &
pid=$!
trap 'kill -TERM $pid ${sink:-} 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 3000); do grep -q "ready hostname" "$log" && break; sleep 0.01; done
ctl() { "$bin/mailpushctl" --config "$config" "$@" >/dev/null; }
ctl account add bench && ctl domain add bench example.com && ctl address add bench sender@example.com
echo BenchPass2026x | ctl address password sender@example.com --password-stdin
# One small message first: the login cache, the first commit's allocations.
"$bin/../bench/mailpush-bench" send -H 127.0.0.1 -P 2700 -u sender@example.com -w BenchPass2026x \
  -c 1 -n 1 -s 4096 -r 1 >/dev/null
before=$(rss_kib "$pid")
peak=$before
(
  while kill -0 "$pid" 2>/dev/null; do echo "$(rss_kib "$pid")"; sleep 0.02; done
) > /var/tmp/mailpush-large-rss.txt &
sampler=$!
echo "== $conc sessions x one $(( size / 1048576 )) MiB message at once ($(basename "$(dirname "$(dirname "$daemon")")")/$(basename "$daemon"))"
"$bin/../bench/mailpush-bench" send -H 127.0.0.1 -P 2700 -u sender@example.com -w BenchPass2026x \
  -c "$conc" -n "$conc" -s "$size" -r 1 -T 300 | tail -3
after=$(rss_kib "$pid")
kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true
peak=$(sort -n /var/tmp/mailpush-large-rss.txt | tail -1)
echo "RSS before: $(( before / 1024 )) MiB; peak during: $(( peak / 1024 )) MiB (+$(( (peak - before) / 1024 )) MiB); after: $(( after / 1024 )) MiB"
if [ -n "${DELIVER:-}" ]; then
  queued() { find "$data/spool/queue" -name '*.msg' | wc -l; }
  start=$(date +%s.%N) peak=0
  for _ in $(seq 30000); do # at most 10 minutes
    [ "$(queued)" -eq 0 ] && break
    r=$(rss_kib "$pid"); [ "$r" -gt "$peak" ] && peak=$r
    sleep 0.02
  done
  echo "delivered to the sink in $(echo "$(date +%s.%N) - $start" | bc) s; peak RSS while delivering: $(( peak / 1024 )) MiB (+$(( (peak - before) / 1024 )) MiB); still queued: $(queued)"
fi
echo "queued: $(ls "$data"/spool/queue/*/ 2>/dev/null | grep -c msg || ls "$data"/spool/queue | grep -c msg)"
