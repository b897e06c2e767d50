#!/usr/bin/env bash
# ctest: RUN_SERIAL
# A target down for a while under steady input: a feeder drops a file of
# 2,000 generated records into the inbox every 0.2 s (60 files), routed to a
# file target and a PostgreSQL target. Once rows flow, PostgreSQL is stopped.
# Meanwhile: the file target keeps receiving everything (it reaches all
# records while PostgreSQL is still down), the PostgreSQL backlog waits on
# disk in the spool, and medgated's resident memory stays bounded (sampled
# from /proc every 0.1 s; it must neither pass a fixed ceiling nor grow with
# the backlog). Then PostgreSQL comes back: the backlog drains, every record
# is there exactly once, nothing was dead-lettered.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib/postgres.sh"
: "${SHARED_DIR:?}"
FILES=60
PER_FILE=2000
N=$((FILES * PER_FILE))
RSS_CEILING_KB=$((128 * 1024))

start_postgres "$WORK/pg"
make_key "$WORK/keys/k.key"
make_signing_key "$WORK/keys/audit.key"
cat > "$WORK/medgate.yaml" <<YAML
state_dir: state
keys: [{id: k, file: keys/k.key}]
audit: {signing_key: keys/audit.key}
identity: {key: k, fields: [subject.resident_id, subject.mrn]}
admin: {listen: 127.0.0.1:0}
sources:
  inbox: {plugin: file, config: {path: inbox, poll_interval: 50ms}}
targets:
  archive:
    plugin: file
    config: {path: out, rotate_bytes: 8388608}
$(pg_target_yaml warehouse 1000 100ms 1s)
routes:
  - {name: his, from: [inbox], to: [archive, warehouse], policy: analytics}
policies:
  analytics:
    purpose: analytics
    rules:
      - {field: patient.token, method: keep}
      - {field: patient.gender, method: keep}
      - {field: subject.birth_date, method: generalize, to: patient.age_band, level: age_band}
      - {field: subject.name, method: drop}
      - {field: subject.resident_id, method: drop}
      - {field: subject.phone, method: drop}
      - {field: notes, method: scrub}
      - {field: encounter, method: keep}
      - {field: diagnoses, method: keep}
YAML
use_admin_port "$WORK/medgate.yaml"
"$MEDGATED" --check --config "$WORK/medgate.yaml" > /dev/null || fail "config does not check"

python3 "$SHARED_DIR/bench/gen_records.py" "$N" 31 > "$WORK/all.ndjson"
mkdir -p "$WORK/feed"
split -l $PER_FILE -d -a 3 --additional-suffix=.ndjson "$WORK/all.ndjson" "$WORK/feed/part-"


start_daemon "$WORK/medgate.yaml"
# The feeder paces the input (it is the load, not a synchronization).
(
  for f in "$WORK"/feed/part-*.ndjson; do
    write_inbox_file "$f" "$WORK/inbox" "$(basename "$f")"
    sleep 0.2
  done
  touch "$WORK/feeder.done"
) &
BG_PIDS+=($!)

wait_until 60 pg_has_rows 6000 || fail "postgres has only $(pg_rows) rows before the outage"
pg_stop_fast
down_lines=$(output_lines "$WORK/out")
pass "postgres stopped under steady input (file target at $down_lines lines)"

(
  while kill -0 "$DAEMON_PID" 2>/dev/null; do
    awk '/^VmRSS:/ { print $2 }' "/proc/$DAEMON_PID/status" 2>/dev/null || true
    sleep 0.1
  done
) > "$WORK/rss.kb" &
SAMPLER=$!
BG_PIDS+=($SAMPLER)

outage_lines() { [ -f "$WORK/feeder.done" ] && has_lines "$WORK/out" "$N"; }
wait_until 180 outage_lines || fail "with postgres down the file target got $(output_lines "$WORK/out") of $N"
backlog=$(metric 'medgate_spool_budget_used_bytes')
spool_pg=$(metric 'medgate_spool_disk_bytes{target="warehouse"}')
retries=$(metric 'medgate_target_retries_total{target="warehouse"}')
oldest=$(metric 'medgate_spool_oldest_record_age_seconds{target="warehouse"}')
[ "${retries:-0}" -gt 0 ] || fail "no retries counted for the stopped postgres"
[ "$(metric 'medgate_target_records_total{target="warehouse",outcome="dead_lettered"}')" = 0 ] || fail "records dead-lettered during the outage"
kill "$SAMPLER"; wait "$SAMPLER" 2>/dev/null || true
pass "postgres down: the file target received all $N records meanwhile; postgres backlog ${backlog} bytes (${spool_pg} bytes of spool segments on disk, oldest ${oldest} s), ${retries} retries, nothing dead-lettered"

python3 - "$WORK/rss.kb" "$RSS_CEILING_KB" "$backlog" <<'PY' || fail "memory not bounded during the outage"
import sys
samples = [int(l) for l in open(sys.argv[1]) if l.strip().isdigit()]
ceiling, backlog = int(sys.argv[2]), int(sys.argv[3])
if len(samples) < 10:
    sys.exit(f"only {len(samples)} RSS samples")
q = len(samples) // 4
first, last = max(samples[:q]), max(samples[-q:])
print(f"RSS during the outage: {len(samples)} samples, first quarter max {first // 1024} MiB, "
      f"last quarter max {last // 1024} MiB, overall max {max(samples) // 1024} MiB; backlog {backlog // (1024 * 1024)} MiB")
ok = True
if max(samples) > ceiling:
    print(f"RSS {max(samples)} kB above the {ceiling} kB ceiling"); ok = False
# The backlog lives on disk: memory must not grow with it.
if (last - first) * 1024 > backlog // 4:
    print(f"RSS grew by {(last - first) // 1024} MiB while the backlog is {backlog // (1024 * 1024)} MiB"); ok = False
sys.exit(0 if ok else 1)
PY
pass "resident memory bounded while the backlog grew on disk"

pg_start_again
wait_until 300 pg_has_rows "$N" || fail "postgres has $(pg_rows) of $N rows after it came back"
drained() { [ "$(metric 'medgate_spool_oldest_record_age_seconds{target="warehouse"}')" = 0 ]; }
wait_until 60 drained || fail "the postgres backlog did not drain: oldest record $(metric 'medgate_spool_oldest_record_age_seconds{target="warehouse"}') s"
stop_daemon
pg_expect_exactly_once "$N"
[ ! -s "$WORK/state/dlq/warehouse.ndjson" ] || fail "dead letters: $(wc -l < "$WORK/state/dlq/warehouse.ndjson")"
cat "$WORK"/out/*.ndjson | python3 -c '
import json, sys
ids = [json.loads(l)["source_record_id"] for l in sys.stdin]
n = int(sys.argv[1])
sys.exit(0 if len(ids) == n and len(set(ids)) == n else f"file target: {len(ids)} lines, {len(set(ids))} distinct, want {n}")
' "$N" || fail "file target lost or repeated records"
pass "postgres back: the backlog drained, all $N records in postgres exactly once, file target complete"
