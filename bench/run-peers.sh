#!/usr/bin/env bash
# Runs ../shared/bench/peers.sh (Postfix, OpenSMTPD, Haraka) with mailpushd beside them in the
# same network namespace and run, so our figures are ratios to theirs (docs/performance.md).
# As root. REPS=1 for a quick look. E2E=1: mailpushd delivers everything to the harness's sink
# (bench/bench-e2e.toml) and the e2e column is measured too. DKIM=1: Postfix with OpenDKIM as a
# milter instead of the plain peers (bench/postfix-opendkim.sh; mailpushd signs with the RSA-2048
# key its `domain add` made). BENCH_CONFIG=FILE: mailpushd runs with that config instead (e.g.
# bench/bench-e2e-rules.toml: every traffic rule on, no limit reached). Builds the release tree first.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bash "$top/tools/build.sh" "$top/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cd "$top/../shared/bench"
if [ "${E2E:-0}" = 1 ]; then
  export MAILPUSH_BENCH_CONFIG="${BENCH_CONFIG:-$top/bench/bench-e2e.toml}" EXTRA_E2E=1
else
  export MAILPUSH_BENCH_CONFIG="${BENCH_CONFIG:-$top/bench/bench.toml}"
fi
runner=(bash peers.sh)
[ "${DKIM:-0}" = 1 ] && runner=(bash "$top/bench/postfix-opendkim.sh")
EXTRA_NAME=mailpush EXTRA_PORT=2600 EXTRA_USER=sender@example.com EXTRA_PASS=BenchPass2026x \
EXTRA_START="exec bash $top/bench/peers-start.sh" EXTRA_WIPE='rm -rf /var/tmp/mailpush-bench' \
  "${runner[@]}" "$@"
