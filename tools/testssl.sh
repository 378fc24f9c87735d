#!/bin/sh
# TLS checked from outside: testssl.sh (Debian package testssl.sh) against mailpushd's TLS ports,
# loopback only (the target is an IP address, no DNS lookups). Not part of tools/test.sh: it takes minutes.
#   tools/testssl.sh                      start a dev-config server in a temp dir with a certificate
#                                         like a production one (90 days, signed by a local CA that
#                                         testssl is told to trust, a CRL URL), test 2465 (implicit
#                                         TLS), STARTTLS on 2525 and HTTPS on 8443, then stop it
#   tools/testssl.sh HOST:PORT[/smtp] ... test running listeners ("/smtp" = STARTTLS), e.g.
#                                         127.0.0.1:2465 127.0.0.1:2525/smtp 127.0.0.1:8443
# Prints each target's findings rated MEDIUM or worse and exits 1 if any is VULNERABLE, HIGH or
# CRITICAL. Full JSON reports stay in $OUT (default a temp dir). ADD_CA="--add-ca FILE" trusts a
# private CA for running targets.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-$(mktemp -d /tmp/mailpush-testssl-XXXXXX)}
command -v testssl >/dev/null || { echo "testssl: apt-get install testssl.sh" >&2; exit 2; }
server_pid=
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null; true; }
trap cleanup EXIT

if [ $# -eq 0 ]; then
    mailpushd=${MAILPUSHD:-$root/build/src/mailpushd}
    work=$OUT/server
    mkdir -p "$work"
    # The dev config's self-signed ten-year certificate would be rated for what it is; the server's
    # TLS settings are what is tested, so it gets a certificate shaped like an ACME one.
    ca=$OUT/ca
    mkdir -p "$ca"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 90 -subj "/CN=testssl CA" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -keyout "$ca/ca.key" -out "$ca/ca.pem" 2>/dev/null
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=mailpush.localhost" \
        -keyout "$ca/key.pem" -out "$ca/leaf.csr" 2>/dev/null
    printf '%s\n' "subjectAltName=DNS:mailpush.localhost,IP:127.0.0.1" "basicConstraints=critical,CA:FALSE" \
        "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" \
        "crlDistributionPoints=URI:http://crl.mailpush.localhost/ca.crl" > "$ca/leaf.ext"
    openssl x509 -req -in "$ca/leaf.csr" -CA "$ca/ca.pem" -CAkey "$ca/ca.key" -CAcreateserial -days 90 \
        -extfile "$ca/leaf.ext" -out "$ca/leaf.pem" 2>/dev/null
    cat "$ca/leaf.pem" "$ca/ca.pem" > "$ca/cert.pem"
    sed -e "s|\./var|$work/var|g" -e "s|^cert = .*|cert = \"$ca/cert.pem\"|" -e "s|^key = .*|key = \"$ca/key.pem\"|" \
        -e "s|^self_signed = true|self_signed = false|" "$root/config/dev.toml" > "$work/dev.toml"
    ADD_CA="--add-ca $ca/ca.pem"
    "$mailpushd" --config "$work/dev.toml" > "$work/mailpushd.log" 2>&1 &
    server_pid=$!
    i=0
    until grep -q '^.* ready ' "$work/mailpushd.log" 2>/dev/null; do
        i=$((i + 1)); [ $i -le 300 ] || { cat "$work/mailpushd.log" >&2; exit 2; }
        kill -0 "$server_pid" 2>/dev/null || { cat "$work/mailpushd.log" >&2; exit 2; }
        sleep 0.1
    done
    set -- 127.0.0.1:2465 127.0.0.1:2525/smtp 127.0.0.1:8443
fi

ADD_CA=${ADD_CA:-}
status=0
for target in "$@"; do
    hostport=${target%/smtp}
    name=$(echo "$target" | tr ':/' '__')
    starttls=
    [ "$hostport" != "$target" ] && starttls="--starttls smtp"
    # The target is an IP address and --nodns none forbids every DNS lookup: loopback only.
    # shellcheck disable=SC2086
    testssl --quiet --color 0 --warnings off --nodns none --sneaky $starttls $ADD_CA \
        --jsonfile "$OUT/$name.json" "$hostport" > "$OUT/$name.txt" 2>&1 || true
    echo "== $target"
    python3 - "$OUT/$name.json" <<'PY' || status=1
import json, sys
findings = json.load(open(sys.argv[1]))
order = ["OK", "INFO", "LOW", "MEDIUM", "HIGH", "CRITICAL"]
bad = [f for f in findings if f.get("severity") in ("HIGH", "CRITICAL") or "VULNERABLE" in f.get("finding", "")
       and "not vulnerable" not in f.get("finding", "")]
counts = {}
for f in findings:
    counts[f.get("severity", "?")] = counts.get(f.get("severity", "?"), 0) + 1
print("   severities: " + ", ".join(f"{k}={counts[k]}" for k in order + ["WARN", "FATAL"] if k in counts))
for f in findings:
    if f.get("severity") in ("MEDIUM", "HIGH", "CRITICAL", "WARN", "FATAL"):
        print(f"   {f['severity']:8} {f['id']}: {f['finding']}")
sys.exit(1 if bad else 0)
PY
done
echo "reports: $OUT"
exit $status
