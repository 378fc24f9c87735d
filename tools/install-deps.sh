#!/usr/bin/env bash
# Installs every Debian 12 package mailpush needs to build, run and test.
# Idempotent: only missing packages are installed; safe to run every time.
set -euo pipefail
PKGS=(
  build-essential cmake ninja-build ccache pkg-config git
  libboost1.81-dev libssl-dev libc-ares-dev libspdlog-dev libfmt-dev
  libtomlplusplus-dev libsqlite3-dev nlohmann-json3-dev libargon2-dev
  googletest libgtest-dev libgmock-dev clang-format
  libgmime-3.0-dev # MIME parsing of inbound reports and tracked messages (docs/adr/0008-gmime.md)
  libgumbo-dev # HTML positions for open/click tracking (docs/adr/0009-html-rewriting.md)
  openssl ca-certificates curl swaks libnet-ssleay-perl libio-socket-ssl-perl python3 python3-aiosmtpd python3-pytest python3-dkim python3-dnspython python3-nacl
  procps iproute2 dnsmasq-base
  clang libclang-rt-14-dev # the libFuzzer targets (tools/fuzz.sh)
  chromium # the browser tests, driven by playwright-core (docs/adr/0010-browser-tests.md)
  fonts-wqy-microhei # a CJK font, so the console's Chinese pages render in the browser tests' screenshots
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || { echo "install-deps: need root to install: ${missing[*]}" >&2; exit 1; }
  echo "install-deps: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi

# Node.js and npm run the official DirectMail SDK in the integration tests. Machines of this
# kind ship them (nodesource); elsewhere Debian's packages do.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  [ "$(id -u)" = 0 ] || { echo "install-deps: need root to install nodejs npm" >&2; exit 1; }
  echo "install-deps: installing nodejs npm" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends nodejs npm >/dev/null
fi
