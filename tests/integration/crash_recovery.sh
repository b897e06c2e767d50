#!/usr/bin/env bash
# ctest: RUN_SERIAL
# kill -9 at random moments: 200k generated records are dropped into the file
# inbox (10 files) of a medgated that routes them to a file target and a
# PostgreSQL target. The daemon is killed with SIGKILL ten times, each time at
# a random moment: some right after start (recovery, file discovery), the
# others once the file target has passed a random point of the stream (while
# ingesting, spooling and delivering to both targets). After the last restart
# every record reaches both targets: none lost at either, none duplicated in
# PostgreSQL (rows are upserts keyed by the idempotency key; the file target
# is at-least-once and may repeat what was written but not acknowledged).
# MEDGATE_CRASH_SEED=S repeats a run's kill moments; MEDGATE_CRASH_RECORDS=N
# changes the size.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib/postgres.sh"
: "${SHARED_DIR:?}"
N=${MEDGATE_CRASH_RECORDS:-200000}
TRIALS=10
SEED=${MEDGATE_CRASH_SEED:-$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')}
RANDOM=$SEED
echo "kill moments from seed $SEED (MEDGATE_CRASH_SEED=$SEED repeats them)"

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
$(pg_target_yaml warehouse 1000 50ms 500ms)
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
      - {field: encounter, method: keep}
      - {field: diagnoses, method: keep}
YAML
"$MEDGATED" --check --config "$WORK/medgate.yaml" > /dev/null || fail "config does not check"

python3 "$SHARED_DIR/bench/gen_records.py" "$N" 21 > "$WORK/all.ndjson"
split -n l/10 -d --additional-suffix=.ndjson "$WORK/all.ndjson" "$WORK/part-"
mkdir -p "$WORK/inbox"
for f in "$WORK"/part-*.ndjson; do write_inbox_file "$f" "$WORK/inbox" "$(basename "$f")"; done
pass "$N records in 10 files in the inbox; postgres at $PG_TCP_HOST:$PGPORT"

kill_daemon() {
  kill -9 "$DAEMON_PID"
  wait "$DAEMON_PID" 2>/dev/null || true
  DAEMON_PID=""
}
# Random moments: a trial either kills after a random 0-999 ms from start
# (the moment itself is the point, nothing is waited for), or once the file
# target holds a random number of lines within its trial's tenth of the
# stream, so the kills spread over the whole run.
for trial in $(seq 1 $TRIALS); do
  start_daemon "$WORK/medgate.yaml"
  if [ $((RANDOM % 3)) -eq 0 ]; then
    ms=$((RANDOM % 1000))
    sleep "$(printf '0.%03d' "$ms")"
    moment="$ms ms after start"
  else
    mark=$(( (trial - 1) * N / TRIALS + (RANDOM * 32768 + RANDOM) % (N / TRIALS) ))
    wait_until 180 has_lines "$WORK/out" "$mark" || fail "trial $trial: the file target did not reach $mark lines"
    moment="file target at >= $mark lines"
  fi
  kill_daemon
  echo "trial $trial: SIGKILL at $moment; file target $(output_lines "$WORK/out") lines, postgres $(pg_rows) rows"
done
pass "$TRIALS kills at random moments"

start_daemon "$WORK/medgate.yaml"
wait_until 600 has_lines "$WORK/out" "$N" || fail "the file target has $(output_lines "$WORK/out") of $N lines"
wait_until 600 pg_has_rows "$N" || fail "postgres has $(pg_rows) of $N rows"
stop_daemon
grep -q "completed .* left open by an earlier run" "$WORK/medgated.log" || fail "no kill ever left a file open: not a crash test"

pg_expect_exactly_once "$N"
psql_q "COPY (SELECT payload->>'source_record_id' FROM medgate_records) TO STDOUT" > "$WORK/pg-ids.txt"
cat "$WORK"/out/*.ndjson > "$WORK/out-all.ndjson"
python3 - "$WORK/all.ndjson" "$WORK/out-all.ndjson" "$WORK/pg-ids.txt" <<'PY' || fail "records lost or duplicated"
import json, sys
want = [json.loads(l)["record_id"] for l in open(sys.argv[1], encoding="utf-8")]
file_ids = [json.loads(l)["source_record_id"] for l in open(sys.argv[2], encoding="utf-8")]
pg_ids = [l.strip() for l in open(sys.argv[3], encoding="utf-8")]
ok = True
for name, got, dups_allowed in (("file", file_ids, True), ("postgres", pg_ids, False)):
    missing = set(want) - set(got)
    unknown = set(got) - set(want)
    dups = len(got) - len(set(got))
    print(f"{name}: {len(got)} records, {len(set(got))} distinct, {len(missing)} missing, "
          f"{dups} repeated{' (at-least-once)' if dups_allowed else ''}, {len(unknown)} unknown")
    if missing or unknown or (dups and not dups_allowed):
        ok = False
sys.exit(0 if ok else 1)
PY
pass "after $TRIALS kills: all $N records at the file target and in postgres, none duplicated in postgres"
