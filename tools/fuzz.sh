#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/, clang, ASan+UBSan) in build-fuzz and runs each over
# its seed corpus for a short time, two at a time; exit 1 if any target finds a crash, a leak, a
# sanitizer error or a timeout. New inputs go to a temporary directory, never into the repository;
# a failing input is saved as build-fuzz/artifacts/<target>-crash-<sha1>.
#   FUZZ_SECONDS=20   seconds per target (docs/testing.md has the longer local runs)
#   FUZZ_TARGETS="smtp_session dns_answer"   only these
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-20}
cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
    -DMAILPUSH_FUZZ=ON -DMAILPUSH_TESTS=OFF >/dev/null
ninja -C build-fuzz -j2 fuzz >/dev/null
targets=${FUZZ_TARGETS:-$(ls tests/fuzz/corpus)}
mkdir -p build-fuzz/artifacts build-fuzz/fuzz-logs
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

run_one() { # target seconds scratch
    local t=$1 log=build-fuzz/fuzz-logs/$1.log
    mkdir -p "$3/$t"
    if build-fuzz/tests/fuzz/fuzz_"$t" -max_total_time="$2" -runs=50000000 -max_len=16384 -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix=build-fuzz/artifacts/"$t"- \
        "$3/$t" tests/fuzz/corpus/"$t" >"$log" 2>&1; then
        echo "fuzz $t: ok, $(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | grep -o '[0-9]*$') runs," \
            "$(grep -Eo 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1)"
    else
        echo "fuzz $t: FAILED (log: $log)"
        grep -E 'ERROR|invariant failed|Test unit written' "$log" | head -5
        return 1
    fi
}
export -f run_one
status=0
printf '%s\n' $targets | xargs -P 2 -I{} bash -c 'run_one "$@"' _ {} "$seconds" "$scratch" || status=1
exit $status
