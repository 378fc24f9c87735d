#!/usr/bin/env bash
# Postfix with OpenDKIM as a milter (RSA 2048, relaxed/relaxed, From over-signed), measured the
# way ../shared/bench/peers.sh measures Postfix: the same main.cf/master.cf plus the milter, in
# the same loopback-only network namespace. For the signed end-to-end comparison with mailpushd.
#
#   as root:  bash bench/postfix-opendkim.sh             # Postfix rows, signed (3 reps)
#             REPS=1 bash bench/postfix-opendkim.sh      # quick look
#             SETUP_ONLY=1 bash bench/postfix-opendkim.sh  # install, key, config, start/stop check
#   With mailpushd beside it (its own signing configured in the TOML it is given), pass
#   EXTRA_* as for peers.sh (bench/run-peers.sh shows them).
#
# What it does (idempotent): installs Debian opendkim + opendkim-tools (the system service is
# disabled: only this script's instance runs); makes a 2048-bit key for example.com selector
# "bench" (smtpload and smtp-source write From: <sender@example.com>); writes an opendkim.conf;
# copies ../shared/bench to $WORK/bench and adds the milter to its postfix/main.cf (the shared
# copy is not touched); starts OpenDKIM in the foreground on a unix socket (AF_UNIX paths work
# across the network namespace peers.sh enters, so the milter runs outside it); runs that
# copy's peers.sh with PEERS="sink postfix"; stops OpenDKIM. Raw results in $OUT.
# milter_default_action = tempfail: a message the milter could not handle is a counted error,
# never an unsigned success. Each run checks afterwards that OpenDKIM signed messages (its
# log) and that none was refused for the milter.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${SHARED:-}" ]; then # the main checkout's sibling, or from a worktree under wt/
    SHARED=$top/../shared/bench; [ -f "$SHARED/peers.sh" ] || SHARED=$top/../../shared/bench
fi
WORK=${WORK:-/var/tmp/bench-opendkim}
OUT=${OUT:-/var/tmp/bench-peers-opendkim}
SOCK_DIR=/run/opendkim-bench
SOCK=$SOCK_DIR/opendkim.sock
DOMAIN=example.com
SELECTOR=bench
export PEERS=${PEERS:-"sink postfix"} OUT

log() { printf '[opendkim-bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "FATAL: $*"; exit 1; }
[ "$(id -u)" = 0 ] || die "run as root"
[ -f "$SHARED/peers.sh" ] || die "no peers.sh in $SHARED (set SHARED=)"

# ---------------------------------------------------------------- install --
need=()
for p in opendkim opendkim-tools; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
    log "installing ${need[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
    # Only our foreground instance runs; the packaged service would hold its own socket.
    systemctl disable --now opendkim >/dev/null 2>&1 || true
    update-rc.d opendkim disable >/dev/null 2>&1 || true
    pkill_pidfile=/run/opendkim/opendkim.pid
    [ -s "$pkill_pidfile" ] && kill "$(cat "$pkill_pidfile")" 2>/dev/null || true
fi
if ! dpkg-query -W -f='${Status}' postfix 2>/dev/null | grep -q 'install ok installed' ||
   ! command -v swaks >/dev/null; then
    # As peers.sh installs them (its install phase would run anyway).
    log "installing postfix and swaks"
    echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
    echo "postfix postfix/mailname string bench.localdomain" | debconf-set-selections
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q postfix sasl2-bin libsasl2-modules swaks >/dev/null
    systemctl disable --now postfix >/dev/null 2>&1 || true
fi

# ------------------------------------------------------------ key, config --
mkdir -p "$WORK/keys"
if [ ! -s "$WORK/keys/$SELECTOR.private" ]; then
    log "generating a 2048-bit RSA key ($SELECTOR._domainkey.$DOMAIN)"
    opendkim-genkey -b 2048 -h sha256 -d "$DOMAIN" -s "$SELECTOR" -D "$WORK/keys"
fi
chown -R opendkim:opendkim "$WORK/keys"; chmod 700 "$WORK/keys"; chmod 600 "$WORK/keys/$SELECTOR.private"
mkdir -p "$SOCK_DIR"; chown opendkim:opendkim "$SOCK_DIR"; chmod 755 "$SOCK_DIR"
cat >"$WORK/opendkim.conf" <<CONF
# Benchmark-only OpenDKIM (written by bench/postfix-opendkim.sh). Signing only, no DNS.
Mode                    s
Domain                  $DOMAIN
Selector                $SELECTOR
KeyFile                 $WORK/keys/$SELECTOR.private
Canonicalization        relaxed/relaxed
SignatureAlgorithm      rsa-sha256
OversignHeaders         From
InternalHosts           127.0.0.1
Socket                  local:$SOCK
UMask                   000
UserID                  opendkim
RequireSafeKeys         no
Syslog                  no
LogWhy                  no
CONF

# The bench copy: the shared main.cf plus the milter.
rm -rf "$WORK/bench"; cp -a "$SHARED" "$WORK/bench"
cat >>"$WORK/bench/postfix/main.cf" <<'CF'
# OpenDKIM signing (added by bench/postfix-opendkim.sh)
smtpd_milters = unix:/run/opendkim-bench/opendkim.sock
non_smtpd_milters = $smtpd_milters
milter_protocol = 6
milter_default_action = tempfail
CF

# ------------------------------------------------------------ run OpenDKIM --
OPENDKIM_PID=""
stop_opendkim() {
    [ -n "$OPENDKIM_PID" ] || return 0
    kill "$OPENDKIM_PID" 2>/dev/null || true
    local i; for ((i = 0; i < 100; i++)); do kill -0 "$OPENDKIM_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$OPENDKIM_PID" 2>/dev/null || true
    OPENDKIM_PID=""
}
trap stop_opendkim EXIT
rm -f "$SOCK"
: >"$WORK/opendkim.log"
opendkim -f -x "$WORK/opendkim.conf" -v >>"$WORK/opendkim.log" 2>&1 &
OPENDKIM_PID=$!
for ((i = 0; i < 100; i++)); do [ -S "$SOCK" ] && break; kill -0 "$OPENDKIM_PID" 2>/dev/null || break; sleep 0.1; done
[ -S "$SOCK" ] || { cat "$WORK/opendkim.log" >&2; die "opendkim did not open $SOCK"; }
log "opendkim $(opendkim -V 2>/dev/null | head -1 | awk '{print $NF}') listening on $SOCK (pid $OPENDKIM_PID)"

# ------------------------------------------------------------ preflight --
# One message through the bench Postfix (loopback only) to an smtp-sink that keeps it: it must
# arrive with a DKIM-Signature by d=example.com, s=bench, 2048-bit key. OpenDKIM logs only to
# syslog (there is none here), so this is how we know it signs.
PF_CONF=/etc/postfix-bench
preflight() {
    local dump=$WORK/preflight sink_pid i
    rm -rf "$dump"; mkdir -p "$dump" "$PF_CONF" /var/lib/postfix-bench /var/spool/postfix-bench
    chown postfix "$dump" /var/lib/postfix-bench
    install -m 644 "$WORK/bench/postfix/main.cf" "$WORK/bench/postfix/master.cf" "$PF_CONF/"
    mkdir -p "$PF_CONF/sasl"; install -m 644 "$WORK/bench/postfix/sasl/smtpd.conf" "$PF_CONF/sasl/"
    postfix -c "$PF_CONF" stop >/dev/null 2>&1 || true
    timeout 60 smtp-sink -u postfix -d "$dump/%H%M%S" -M 1 127.0.0.1:2526 16 >/dev/null 2>&1 &
    sink_pid=$!
    postfix -c "$PF_CONF" check && postfix -c "$PF_CONF" start >/dev/null 2>&1 || die "postfix start failed"
    for ((i = 0; i < 100; i++)); do ss -ltn 'sport = :2525' | grep -q LISTEN && break; sleep 0.1; done
    swaks --server 127.0.0.1:2525 --from sender@example.com --to rcpt@example.net \
        --header "Subject: opendkim preflight" >"$WORK/preflight.swaks" 2>&1 || true
    for ((i = 0; i < 300; i++)); do kill -0 "$sink_pid" 2>/dev/null || break; sleep 0.1; done
    kill "$sink_pid" 2>/dev/null || true; wait "$sink_pid" 2>/dev/null || true
    postfix -c "$PF_CONF" stop >/dev/null 2>&1 || true
    if ! cat "$dump"/* 2>/dev/null | grep -qi "^DKIM-Signature:"; then
        tail -5 "$WORK/preflight.swaks" >&2; tail -5 /var/log/postfix-bench.log >&2 2>/dev/null || true
        die "the preflight message arrived without a DKIM-Signature (or not at all)"
    fi
    log "preflight: $(cat "$dump"/* | tr -d '\r' | awk '/^DKIM-Signature:/{p=1} p&&/^[^ \t]/&&!/^DKIM-Signature:/{exit} p' | tr -d '\n' | cut -c1-120)..."
}
preflight

if [ "${SETUP_ONLY:-0}" = 1 ]; then
    log "SETUP_ONLY: key $WORK/keys/$SELECTOR.private, config $WORK/opendkim.conf, bench copy $WORK/bench"
    log "publish (not needed to sign): $(tr -d '\n\t' <"$WORK/keys/$SELECTOR.txt" | cut -c1-80)..."
    exit 0
fi

# ------------------------------------------------------------ measure --
bash "$WORK/bench/peers.sh" "$@"
refused=$(grep -c 'milter' /var/log/postfix-bench.log 2>/dev/null || true)
log "postfix log lines naming the milter (errors, tempfails): ${refused:-0} (expect 0)"
