#!/usr/bin/env bash
# Idle sessions (docs/performance.md, "One node at scale"): opens SESSIONS (10,000) SMTP sessions
# that only read the greeting and wait, and prints the server's RSS per session
# (mailpush-bench idle). Asserts nothing.
#   bash bench/scale/idle.sh            SESSIONS=10000
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
sessions=${SESSIONS:-10000}
config=$top/bench/scale/scale.toml data=/var/tmp/mailpush-scale log=/var/tmp/mailpush-scale.log
bin=$top/build/src
[ -x "$bin/mailpushd" ] || bash "$top/tools/build.sh" "$top/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
rm -rf "$data"
: > "$log"
ulimit -n "$(ulimit -Hn)" # the server raises its own soft limit too; the client needs it
"$bin/mailpushd" --config "$config" >>"$log" 2>&1 &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 3000); do grep -q "ready hostname" "$log" && break; sleep 0.01; done
grep -o 'limits.descriptors.*' "$log" || true
"$bin/../bench/mailpush-bench" idle -H 127.0.0.1 -P 2700 -n "$sessions" --pid "$pid" --hold 5
