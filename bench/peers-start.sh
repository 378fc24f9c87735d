#!/usr/bin/env bash
# EXTRA_START for ../shared/bench/peers.sh: runs mailpushd (bench/bench.toml) in the foreground,
# provisions the benchmark sender through mailpushctl, and stops mailpushd on SIGTERM.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
config=${MAILPUSH_BENCH_CONFIG:-$top/bench/bench.toml}
"$top/build/src/mailpushd" --config "$config" &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null; wait "$pid"; exit 0' TERM INT
ctl() { "$top/build/src/mailpushctl" --config "$config" "$@" >/dev/null 2>&1; }
for _ in $(seq 200); do ctl account list && break; sleep 0.05; done
ctl account add bench
ctl domain add bench example.com
ctl address add bench sender@example.com
echo BenchPass2026x | ctl address password sender@example.com --password-stdin
wait "$pid"
