# A private, throwaway PostgreSQL cluster for tests (sourced; works with or
# without tests/integration/lib.sh).
#
#   start_postgres DIR   initdb a cluster in DIR/data (DIR is created), start it
#                        on a free TCP port of 127.0.0.1 and a unix socket in
#                        DIR, and export PGHOST (the socket dir), PGPORT, PGUSER,
#                        PGDATABASE for psql, plus PG_TCP_HOST (127.0.0.1) and
#                        PG_PASSWORD_FILE (the test user's password, mode 0600).
#                        Local (socket) connections are trusted; TCP ones need
#                        the password (scram-sha-256). Stopped on exit (trap).
#   stop_postgres        stop it (immediate) and remove DIR
#   pg_stop_fast         pg_ctl stop -m fast, data kept (a target-down test)
#   pg_start_again       start the same cluster again on the same port
#   psql_q "SQL"         run SQL, print unaligned tuples-only output
#   pg_attach DIR        in another shell: use a cluster start_postgres made
#
# For tests of medgated's postgres target (table medgate_records):
#   pg_target_yaml NAME BATCH_MAX RETRY_INITIAL RETRY_MAX
#                        the target's entry under `targets:` for this cluster
#   pg_rows              rows in the table (0 while the server is down)
#   pg_has_rows N        at least N rows
#   pg_expect_exactly_once N
#                        N rows, N idempotency keys, N record ids; else fail
#
# The server never runs as root (PostgreSQL refuses to): as root, initdb and
# pg_ctl run as the `postgres` system user (a `medgate-pg` system user is
# created when there is none). It uses its own port, socket directory and data
# directory only, so a system cluster is never touched.

PG_DIR=""
PG_BIN=""
PG_RUN_AS=""
PG_WATCHDOG=""
_PG_TRAP_SET=""

_pg_fail() {
  if declare -F fail >/dev/null; then fail "$@"; fi
  echo "FAIL: $*" >&2
  exit 1
}

# _pg_wait SECONDS COMMAND...: polls COMMAND until it succeeds, false at the deadline.
_pg_wait() {
  local deadline=$((SECONDS + $1)); shift
  until "$@"; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.1
  done
}

# _pg_as CMD...: runs a server-side command as the cluster's owner.
_pg_as() {
  if [ -n "$PG_RUN_AS" ]; then runuser -u "$PG_RUN_AS" -- "$@"; else "$@"; fi
}

_pg_find_bin() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -n "$d" ] && [ -x "$d/initdb" ] || _pg_fail "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin (bash scripts/setup.sh)"
  PG_BIN=$d
}

_pg_pick_user() {
  PG_RUN_AS=""
  [ "$(id -u)" -eq 0 ] || return 0
  if id -u postgres >/dev/null 2>&1; then
    PG_RUN_AS=postgres
  else
    id -u medgate-pg >/dev/null 2>&1 ||
      useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin medgate-pg ||
      _pg_fail "cannot create the medgate-pg system user"
    PG_RUN_AS=medgate-pg
  fi
}

# The cluster's owner must reach DIR: grant search (x, not read) on our own
# ancestors that lack it, e.g. a mode-0700 mktemp directory.
_pg_make_reachable() {
  [ -n "$PG_RUN_AS" ] || return 0
  local d=$1
  while [ "$d" != "/" ]; do
    d=$(dirname "$d")
    runuser -u "$PG_RUN_AS" -- test -x "$d" && continue
    [ "$(stat -c %u "$d")" = "$(id -u)" ] || _pg_fail "$PG_RUN_AS cannot enter $d (not ours to change)"
    chmod o+x "$d"
  done
}

_pg_ready() { "$PG_BIN/pg_isready" -q -h "$PG_DIR" -p "$PGPORT" -d "$PGDATABASE" -U "$PGUSER"; }

_pg_start_server() {
  local log_before=0
  [ -f "$PG_DIR/server.log" ] && log_before=$(stat -c %s "$PG_DIR/server.log")
  _pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -W -s start >/dev/null ||
    _pg_fail "pg_ctl start failed: $(tail -5 "$PG_DIR/server.log" 2>/dev/null)"
  # pg_isready until the deadline; a server that gave up (e.g. its port was
  # taken) fails fast.
  local deadline=$((SECONDS + 60))
  until _pg_ready; do
    [ $SECONDS -lt $deadline ] || return 1
    tail -c +$((log_before + 1)) "$PG_DIR/server.log" 2>/dev/null | grep -qE 'could not create any|database system is shut down' && return 1
    sleep 0.1
  done
}

# Stops the server on exit however the test ends, then runs the EXIT trap that
# was there before (lib.sh's cleanup removes $WORK, which may hold DIR).
_pg_install_trap() {
  [ -z "$_PG_TRAP_SET" ] || return 0
  _PG_TRAP_SET=1
  local prev
  prev=$(trap -p EXIT)
  prev=${prev#"trap -- '"}
  prev=${prev%"' EXIT"}
  prev=${prev//"'\\''"/"'"}
  # shellcheck disable=SC2064
  trap "stop_postgres; $prev" EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

# A shell killed outright (SIGKILL at a ctest timeout) runs no trap: a
# detached watchdog stops the cluster once this shell is gone.
_pg_start_watchdog() {
  setsid bash -c '
    while kill -0 "$1" 2>/dev/null; do sleep 1; done
    [ -f "$2/data/postmaster.pid" ] || exit 0
    if [ -n "$4" ]; then runuser -u "$4" -- "$3/pg_ctl" -D "$2/data" -m immediate -s stop
    else "$3/pg_ctl" -D "$2/data" -m immediate -s stop; fi
    rm -rf "$2"' _ "$$" "$PG_DIR" "$PG_BIN" "$PG_RUN_AS" </dev/null >/dev/null 2>&1 &
  PG_WATCHDOG=$!
}

_pg_write_env() {
  cat > "$PG_DIR/env.sh" <<ENV
PG_DIR='$PG_DIR'; PG_BIN='$PG_BIN'; PG_RUN_AS='$PG_RUN_AS'
export PGHOST='$PGHOST' PGPORT='$PGPORT' PGUSER='$PGUSER' PGDATABASE='$PGDATABASE'
export PG_TCP_HOST='$PG_TCP_HOST' PG_PASSWORD_FILE='$PG_PASSWORD_FILE'
ENV
}

start_postgres() {
  local dir=${1:?start_postgres DIR}
  _pg_find_bin
  _pg_pick_user
  mkdir -p "$dir"
  PG_DIR=$(cd "$dir" && pwd)
  [ ${#PG_DIR} -le 80 ] || _pg_fail "$PG_DIR is too long for a unix socket path"
  _pg_make_reachable "$PG_DIR/data"
  _pg_install_trap

  export PGHOST=$PG_DIR PGUSER=medgate PGDATABASE=medgate PG_TCP_HOST=127.0.0.1
  export PG_PASSWORD_FILE=$PG_DIR/password
  (umask 077 && openssl rand -hex 24 > "$PG_PASSWORD_FILE")
  mkdir -p "$PG_DIR/data"
  [ -z "$PG_RUN_AS" ] || chown "$PG_RUN_AS" "$PG_DIR" "$PG_DIR/data"
  chmod 0700 "$PG_DIR/data"
  # initdb reads the password as the cluster's owner: a private copy, removed after.
  local pwcopy=$PG_DIR/.initdb-pw
  (umask 077 && cp "$PG_PASSWORD_FILE" "$pwcopy")
  [ -z "$PG_RUN_AS" ] || chown "$PG_RUN_AS" "$pwcopy"
  _pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -U medgate --pwfile="$pwcopy" -E UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256 >"$PG_DIR/initdb.log" 2>&1 ||
    { rm -f "$pwcopy"; _pg_fail "initdb failed: $(tail -5 "$PG_DIR/initdb.log")"; }
  rm -f "$pwcopy"

  local attempt
  for attempt in 1 2 3; do  # the free port may be taken before the server binds it
    if declare -F free_port >/dev/null; then PGPORT=$(free_port); else
      PGPORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    fi
    export PGPORT
    cat > "$PG_DIR/data/postgresql.auto.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PGPORT
unix_socket_directories = '$PG_DIR'
max_connections = 30
shared_buffers = 16MB
fsync = off
full_page_writes = off
logging_collector = off
log_min_messages = warning
CONF
    [ -z "$PG_RUN_AS" ] || chown "$PG_RUN_AS" "$PG_DIR/data/postgresql.auto.conf"
    if _pg_start_server; then
      _pg_write_env
      _pg_start_watchdog
      "$PG_BIN/createdb" -h "$PG_DIR" -p "$PGPORT" -U medgate medgate || _pg_fail "createdb failed"
      return 0
    fi
    _pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -s stop >/dev/null 2>&1 || true
  done
  _pg_fail "PostgreSQL did not start: $(tail -5 "$PG_DIR/server.log" 2>/dev/null)"
}

pg_attach() {
  local dir=${1:?pg_attach DIR}
  [ -f "$dir/env.sh" ] || _pg_fail "no cluster made by start_postgres in $dir"
  # shellcheck disable=SC1091
  source "$dir/env.sh"
}

pg_stop_fast() {
  _pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w -s stop >/dev/null || _pg_fail "pg_ctl stop -m fast failed"
}

pg_start_again() {
  _pg_start_server || _pg_fail "PostgreSQL did not start again: $(tail -5 "$PG_DIR/server.log" 2>/dev/null)"
}

stop_postgres() {
  [ -n "$PG_DIR" ] || return 0
  if [ -n "$PG_WATCHDOG" ]; then kill "$PG_WATCHDOG" 2>/dev/null || true; PG_WATCHDOG=""; fi
  if [ -f "$PG_DIR/data/postmaster.pid" ]; then
    _pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w -s stop >/dev/null 2>&1 || true
  fi
  rm -rf "$PG_DIR"
  PG_DIR=""
}

psql_q() {
  "$PG_BIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 -c "$1"
}

pg_target_yaml() {
  cat <<YAML
  $1:
    plugin: postgres
    batch_max: $2
    retry_initial: $3
    retry_max: $4
    config:
      host: $PG_TCP_HOST
      port: $PGPORT
      dbname: $PGDATABASE
      user: $PGUSER
      password_file: $PG_PASSWORD_FILE
      table: medgate_records
      connect_timeout: 2s
YAML
}

pg_rows() { psql_q "SELECT count(*) FROM medgate_records" 2>/dev/null || echo 0; }
pg_has_rows() { [ "$(pg_rows)" -ge "$1" ]; }

pg_expect_exactly_once() {
  local got
  got=$(psql_q "SELECT count(*), count(DISTINCT idempotency_key), count(DISTINCT record_id) FROM medgate_records")
  [ "$got" = "$1|$1|$1" ] || _pg_fail "postgres rows|idempotency keys|record ids: $got, want $1 of each"
}
