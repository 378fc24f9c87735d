#!/usr/bin/env bash
# The README's test command: installs what is missing, builds a release tree and an
# AddressSanitizer+UndefinedBehaviorSanitizer tree, runs every test (unit and integration) in
# both, and checks formatting. Exit 0 only if everything passed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# Tests run side by side: the unit tests one by one, the integration suite one pytest file per
# CTest test. Two suit two cores; the servers mostly wait on sockets and timers.
jobs=${MAILPUSH_TEST_JOBS:-2}

# Runs one tree's tests, then prints each integration file's result and the tree's total.
run_tests() {
    local dir=$1 title=$2 status=0
    rm -rf "$dir/tests/integration-results"
    ctest --test-dir "$dir" --output-on-failure --timeout 1500 -j "$jobs" || status=$?
    /usr/bin/python3 tests/integration/summary.py "$dir/tests/integration-results" "integration ($title)" \
        tests/integration/test_*.py || status=1
    return "$status"
}

echo "== the official DirectMail SDK for the OpenAPI tests (npm, pinned by package-lock.json)"
npm ci --prefix tests/integration/sdk --no-audit --no-fund --loglevel=error
echo "== playwright-core for the browser tests (npm, pinned; the browser is Debian's chromium)"
npm ci --prefix tests/integration/browser --no-audit --no-fund --loglevel=error

echo "== format check"
git ls-files '*.cpp' '*.hpp' | xargs clang-format --dry-run --Werror
/usr/bin/python3 tools/check-includes.py # the module order of docs/architecture.md

echo "== release build and tests (integration servers with 2 event-loop threads)"
bash tools/build.sh build -DCMAKE_BUILD_TYPE=RelWithDebInfo
MAILPUSH_TEST_THREADS=2 run_tests build release

echo "== sanitizer build (address,undefined) and tests (1 event-loop thread)"
bash tools/build.sh build-asan -DCMAKE_BUILD_TYPE=Debug -DMAILPUSH_SANITIZE=address,undefined
run_tests build-asan sanitizer

echo "== fuzzing: each libFuzzer target of tests/fuzz/ over its corpus for a short time (tools/fuzz.sh)"
FUZZ_SECONDS=${FUZZ_SECONDS:-20} bash tools/fuzz.sh
