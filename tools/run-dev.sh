#!/usr/bin/env bash
# The README's run command: installs what is missing (Debian 12, idempotent), builds the server and
# its admin client (not the tests or benchmarks: tools/test.sh builds those), and runs mailpushd in
# the foreground on config/dev.toml (loopback: SMTP 2525/2580/2465, HTTP 8080).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
bash tools/build.sh build -DCMAKE_BUILD_TYPE=RelWithDebInfo -- mailpushd mailpushctl console
exec ./build/src/mailpushd --config config/dev.toml
