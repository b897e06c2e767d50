#!/usr/bin/env bash
# Running as a systemd service, checked without a running systemd:
# - the installed unit (paths rewritten to the install prefix) passes
#   `systemd-analyze verify` with no complaint at all, and its sandboxing
#   keeps `systemd-analyze security` at or below exposure 2.0;
# - the sysusers.d file creates the dedicated user (systemd-sysusers --root);
# - the sd_notify protocol, read from a NOTIFY_SOCKET this test owns (what
#   systemd does for Type=notify): READY=1 once the gateway runs, WATCHDOG=1
#   pings at about half of WATCHDOG_USEC, RELOADING=1 then READY=1 on SIGHUP,
#   STOPPING=1 on SIGTERM, and exit status 0.
source "$(dirname "$0")/lib.sh"
command -v systemd-analyze > /dev/null || fail "systemd-analyze missing (Debian package systemd)"
P="$WORK/prefix"
cmake --install "$BUILD_DIR" --prefix "$P" > "$WORK/install.log" || fail "cmake --install failed"
UNIT="$P/lib/systemd/system/medgate.service"
[ -f "$UNIT" ] || fail "the install has no $UNIT"
grep -q "^ExecStart=$P/bin/medgated " "$UNIT" || fail "the installed unit does not run $P/bin/medgated: $(grep ^ExecStart "$UNIT")"

systemd-analyze verify "$UNIT" > "$WORK/verify.out" 2>&1 || fail "systemd-analyze verify failed: $(cat "$WORK/verify.out")"
[ ! -s "$WORK/verify.out" ] || fail "systemd-analyze verify complains: $(cat "$WORK/verify.out")"
# The check can fail: the same unit with a misspelt setting does not pass.
sed 's/^ProtectSystem=strict/ProtectSystem=stricter/' "$UNIT" > "$WORK/broken.service"
systemd-analyze verify "$WORK/broken.service" > "$WORK/broken.out" 2>&1 || true
grep -q "ProtectSystem\|protect system" "$WORK/broken.out" || fail "verify did not notice a broken unit: $(cat "$WORK/broken.out")"
pass "systemd-analyze verify: the installed unit passes, a broken one is caught"

systemd-analyze security --offline=true --threshold=20 "$UNIT" > "$WORK/security.out" 2>&1 ||
  fail "exposure above 2.0: $(tail -1 "$WORK/security.out")"
score=$(sed -n 's/.*Overall exposure level for medgate.service: \([0-9.]*\).*/\1/p' "$WORK/security.out")
[ -n "$score" ] || fail "no exposure level: $(tail -3 "$WORK/security.out")"
pass "systemd-analyze security: exposure $score (docs/service.md records it)"

mkdir -p "$WORK/sysroot/etc"
systemd-sysusers --root="$WORK/sysroot" "$P/lib/sysusers.d/medgate.conf" > "$WORK/sysusers.out" 2>&1 ||
  fail "systemd-sysusers failed: $(cat "$WORK/sysusers.out")"
grep -q '^medgate:x:[0-9]*:[0-9]*:medgate integration gateway:/var/lib/medgate:/usr/sbin/nologin$' "$WORK/sysroot/etc/passwd" ||
  fail "no medgate user: $(cat "$WORK/sysroot/etc/passwd" 2>/dev/null)"
pass "sysusers.d creates the medgate user with no login shell"

# sd_notify: a datagram socket like systemd's; every message on its own line.
/usr/bin/python3 - "$WORK/notify.sock" "$WORK/notify.log" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a", buffering=1) as log:
    while True:
        msg = s.recv(4096).decode()
        for line in msg.split("\n"):
            if line:
                log.write(line + "\n")
PY
BG_PIDS+=($!)
wait_until 10 test -S "$WORK/notify.sock" || fail "notify socket not created"

make_key "$WORK/keys/k.key"
make_signing_key "$WORK/keys/audit.key"
cat > "$WORK/medgate.yaml" <<YAML
state_dir: state
keys: [{id: k, file: keys/k.key}]
audit: {signing_key: keys/audit.key}
identity: {key: k}
admin: {listen: 127.0.0.1:0}
sources:
  inbox: {plugin: file, config: {path: inbox, poll_interval: 50ms}}
targets:
  out: {plugin: file, config: {path: out}}
routes: [{name: r, from: [inbox], to: [out], policy: p}]
policies:
  p:
    purpose: analytics
    rules: [{field: patient.gender, method: keep}]
YAML
NOTIFY_SOCKET="$WORK/notify.sock" WATCHDOG_USEC=400000 start_daemon "$WORK/medgate.yaml"
said() { grep -c "^$1\$" "$WORK/notify.log" 2>/dev/null || true; }
at_least() { [ "$(said "$1")" -ge "$2" ]; }
wait_until 30 at_least READY=1 1 || fail "no READY=1: $(cat "$WORK/notify.log" 2>/dev/null)"
wait_until 10 at_least WATCHDOG=1 3 || fail "fewer than 3 WATCHDOG=1 pings: $(sort "$WORK/notify.log" | uniq -c)"
pass "READY=1 after start, WATCHDOG=1 pings"

kill -HUP "$DAEMON_PID"
wait_until 30 at_least READY=1 2 || fail "no READY=1 after the reload: $(grep -v WATCHDOG "$WORK/notify.log")"
[ "$(said RELOADING=1)" -eq 1 ] || fail "RELOADING=1 sent $(said RELOADING=1) times"
grep -v "WATCHDOG=1\|^STATUS=" "$WORK/notify.log" > "$WORK/states.log"
[ "$(cat "$WORK/states.log" | tr '\n' ' ')" = "READY=1 RELOADING=1 READY=1 " ] || fail "states: $(cat "$WORK/states.log")"
pass "SIGHUP: RELOADING=1, then READY=1"

stop_daemon
at_least STOPPING=1 1 || fail "no STOPPING=1 on SIGTERM: $(grep -v WATCHDOG "$WORK/notify.log")"
pass "SIGTERM: STOPPING=1, exit status 0"
