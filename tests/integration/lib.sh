# Shared helpers for the integration tests (sourced).
set -euo pipefail
: "${SOURCE_DIR:?}" "${BUILD_DIR:?}"
MEDGATED="$BUILD_DIR/bin/medgated"
MEDGATECTL="$BUILD_DIR/bin/medgatectl"
WORK=$(mktemp -d /tmp/medgate-it.XXXXXX)
DAEMON_PID=""
BG_PIDS=()  # helper processes a test starts (feeders, samplers): killed on exit

cleanup() {
  local p
  for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  if [ -n "$DAEMON_PID" ] && kill -0 "$DAEMON_PID" 2>/dev/null; then kill -9 "$DAEMON_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; [ -f "$WORK/medgated.log" ] && { echo "--- medgated log (tail) ---" >&2; tail -30 "$WORK/medgated.log" >&2; }; exit 1; }
pass() { echo "ok: $*"; }

# make_key FILE: a fresh 32-byte hex key, mode 0600.
make_key() { mkdir -p "$(dirname "$1")"; (umask 077 && openssl rand -hex 32 > "$1"); }

# make_signing_key FILE [PUBLIC]: a fresh Ed25519 audit signing key, mode
# 0600, and its public half in PUBLIC when given.
make_signing_key() {
  mkdir -p "$(dirname "$1")"
  (umask 077 && openssl genpkey -algorithm ed25519 -out "$1" 2>/dev/null)
  if [ $# -ge 2 ]; then openssl pkey -in "$1" -pubout -out "$2"; fi
}

# test_plugin_keys [AUDIT_PUB]: keys/k.key and the audit signing key
# keys/audit.key (its public half in AUDIT_PUB when given), the keys that
# test_plugin_config_head names.
test_plugin_keys() {
  make_key "$WORK/keys/k.key"
  make_signing_key "$WORK/keys/audit.key" "$@"
}

# test_plugin_config_head: the first lines of a config on the test plugins
# (tests/plugins): state in state/, key k and the audit key of test_plugin_keys.
test_plugin_config_head() {
  cat <<YAML
state_dir: state
plugin_dirs: [$BUILD_DIR/tests/plugins]
keys: [{id: k, file: keys/k.key}]
audit: {signing_key: keys/audit.key}
YAML
}

# inbox_route_yaml TARGET...: the routes and policies of a test config that
# sends the file source `inbox` to every TARGET through policy p, which keeps
# patient.gender only.
inbox_route_yaml() {
  local targets="$*"
  cat <<YAML
routes:
  - {name: all, from: [inbox], to: [${targets// /, }], policy: p}
policies:
  p:
    purpose: analytics
    rules: [{field: patient.gender, method: keep}]
YAML
}

# demo_config OUT: config/medgate.yaml with all its state moved into
# $WORK/var, a fresh data key, audit signing key (public half beside it) and
# admin tokens, and the admin API on an ephemeral port (so tests can run side
# by side).
demo_config() {
  sed -e "s|\.\./var|$WORK/var|g" -e "s|listen: 127.0.0.1:8580|listen: 127.0.0.1:0|" \
      -e "s|listen: 127.0.0.1:2575|listen: 127.0.0.1:0|" -e "s|listen: 127.0.0.1:8581|listen: 127.0.0.1:0|" \
      "$SOURCE_DIR/config/medgate.yaml" > "$1"
  make_key "$WORK/var/keys/demo-token-2026.key"
  make_signing_key "$WORK/var/keys/audit-signing.key" "$WORK/var/keys/audit-verify.pub"
  for role in admin operator auditor; do make_key "$WORK/var/keys/admin-$role.token"; done
}

# make_test_pki DIR: a throw-away CA (ca.crt) and certificates it issued for
# "server" and "client" (NAME.crt, NAME.key, mode 0600), both valid for
# 127.0.0.1 and localhost; for the TLS tests.
make_test_pki() {
  mkdir -p "$1"
  (
    cd "$1"
    umask 077
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=medgate test CA" \
      -keyout ca.key -out ca.crt 2>/dev/null
    for who in server client; do
      openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$who" -keyout $who.key -out $who.csr 2>/dev/null
      printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' > $who.ext
      openssl x509 -req -in $who.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile $who.ext -out $who.crt 2>/dev/null
    done
  ) || fail "test setup: cannot make certificates"
}

# wait_until SECONDS COMMAND...: polls COMMAND every 0.1 s until it succeeds;
# fails the test at the deadline. Waits on a condition, never a fixed time.
wait_until() {
  local deadline=$((SECONDS + $1)); shift
  until "$@"; do
    [ $SECONDS -lt $deadline ] || return 1
    if [ -n "$DAEMON_PID" ] && ! kill -0 "$DAEMON_PID" 2>/dev/null; then fail "medgated died"; fi
    sleep 0.1
  done
}

# start_daemon CONFIG [ARGS...]: runs medgated in the background, log in $WORK/medgated.log.
start_daemon() {
  "$MEDGATED" --config "$@" 2>>"$WORK/medgated.log" &
  DAEMON_PID=$!
}

# stop_daemon: SIGTERM, wait, and check the exit status is 0.
stop_daemon() {
  kill -TERM "$DAEMON_PID"
  local rc=0
  wait "$DAEMON_PID" || rc=$?
  DAEMON_PID=""
  [ "$rc" -eq 0 ] || fail "medgated exited with status $rc after SIGTERM"
}

# output_lines DIR: NDJSON lines delivered to a file target directory.
output_lines() { cat "$1"/*.ndjson* 2>/dev/null | wc -l; }
has_lines() { [ "$(output_lines "$1")" -ge "$2" ]; }

# write_inbox_file SRC DIR NAME: drop a file into an inbox atomically.
write_inbox_file() { mkdir -p "$2"; cp "$1" "$2/.$3.tmp"; mv "$2/.$3.tmp" "$2/$3"; }

# free_port: a TCP port on 127.0.0.1 that nothing listens on right now.
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# use_admin_port CONFIG: gives the admin API of CONFIG a free fixed port (so
# medgatectl, which reads admin.listen, can reach it); sets ADMIN_URL. The
# admin section comes first in the configs the tests write, so the first
# "listen: 127.0.0.1:0" is the admin API's (the ingress's and the MLLP
# source's come later).
use_admin_port() {
  local port; port=$(free_port)
  sed -i "0,/listen: 127.0.0.1:0/s||listen: 127.0.0.1:$port|" "$1"
  ADMIN_URL="http://127.0.0.1:$port"
}

# http_code METHOD URL [CURL ARGS...]: the HTTP status code only.
http_code() { local m=$1 u=$2; shift 2; curl -s -o /dev/null -w '%{http_code}' -X "$m" "$@" "$u"; }

# metric 'NAME{LABELS}': that sample's value in $ADMIN_URL/metrics (nothing
# when absent). Fetched to a file first: `curl | grep -q` can fail by SIGPIPE.
metric() {
  curl -sf "$ADMIN_URL/metrics" -o "$WORK/.metrics" || return 1
  awk -v m="$1" '$1 == m { print $2 }' "$WORK/.metrics"
}
# metric_is 'NAME{LABELS}' VALUE: succeeds when the sample has that value.
metric_is() { [ "$(metric "$1")" = "$2" ]; }

# picky_setup ROLE...: keys, an admin token per ROLE (keys/ROLE.token) and
# $WORK/medgate.yaml for a daemon whose file source `inbox` feeds the test
# target `picky`, which refuses for good (dead letters) every record
# containing "-bad-" until the file `fixed` exists, and writes what it accepts
# to delivered.txt. Sets PORT (the admin API) and CTL (medgatectl with the
# config and the first role's token).
picky_setup() {
  local role tokens=""
  test_plugin_keys
  for role in "$@"; do
    make_key "$WORK/keys/$role.token"
    tokens+="    - {file: keys/$role.token, role: $role}"$'\n'
  done
  PORT=$(free_port)
  { test_plugin_config_head; cat <<YAML; inbox_route_yaml picky; } > "$WORK/medgate.yaml"
identity: {key: k}
admin:
  enabled: true
  listen: 127.0.0.1:$PORT
  tokens:
${tokens}sources:
  inbox: {plugin: file, config: {path: inbox, poll_interval: 50ms}}
targets:
  picky: {plugin: picky, batch_max: 50, config: {reject_containing: "-bad-", accept_when_exists: fixed, out: delivered.txt}}
YAML
  CTL=("$MEDGATECTL" --config "$WORK/medgate.yaml" --token-file "$WORK/keys/$1.token")
}

# dlq_entries / dlq_has N: the dead letters of the config's first target, as
# medgatectl (the array CTL, with its --config and --token-file) lists them.
dlq_entries() {
  "${CTL[@]}" dlq list --json 2> /dev/null |
    /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["targets"][0]["entries"])' 2> /dev/null
}
dlq_has() { [ "$(dlq_entries)" = "$1" ]; }
