#!/usr/bin/env bash
# The spool limit: with spool.max_bytes at its 1 MiB minimum and the only
# target (PostgreSQL) down, the file source fills the spool and is then
# refused with the documented error ("spool full (USED of MAX bytes used);
# input refused until targets catch up" in the log, the refused-batches
# counter, /readyz 503). It does not advance its cursor past refused input,
# and nothing already accepted is dropped. Once PostgreSQL is back the spool
# drains, the source is accepted again (/readyz 200), and every record
# arrives exactly once.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib/postgres.sh"
: "${SHARED_DIR:?}"
N=6000
MAX=1048576

start_postgres "$WORK/pg"
pg_stop_fast
make_key "$WORK/keys/k.key"
make_signing_key "$WORK/keys/audit.key"
cat > "$WORK/medgate.yaml" <<YAML
state_dir: state
keys: [{id: k, file: keys/k.key}]
audit: {signing_key: keys/audit.key}
identity: {key: k, fields: [subject.resident_id, subject.mrn]}
admin: {listen: 127.0.0.1:0}
spool: {max_bytes: 1MiB, segment_bytes: 256KiB}
sources:
  inbox: {plugin: file, config: {path: inbox, poll_interval: 50ms, batch_max: 200}}
targets:
$(pg_target_yaml warehouse 500 50ms 500ms)
routes:
  - {name: his, from: [inbox], to: [warehouse], policy: analytics}
policies:
  analytics:
    purpose: analytics
    rules:
      - {field: patient.token, method: keep}
      - {field: patient.gender, method: keep}
      - {field: subject.name, method: drop}
      - {field: subject.resident_id, method: drop}
      - {field: subject.phone, method: drop}
      - {field: notes, method: scrub}
      - {field: encounter, method: keep}
      - {field: diagnoses, method: keep}
YAML
use_admin_port "$WORK/medgate.yaml"
"$MEDGATED" --check --config "$WORK/medgate.yaml" > /dev/null || fail "config does not check"
python3 "$SHARED_DIR/bench/gen_records.py" $N 41 > "$WORK/in.ndjson"

start_daemon "$WORK/medgate.yaml"
ready() { [ "$(http_code GET "$ADMIN_URL/readyz")" = 200 ]; }
wait_until 30 ready || fail "not ready at start"
write_inbox_file "$WORK/in.ndjson" "$WORK/inbox" a.ndjson

refused() { [ "$(metric 'medgate_source_batches_refused_total{source="inbox"}')" -ge "$1" ] 2>/dev/null; }
wait_until 60 refused 1 || fail "the source was never refused"
[ "$(http_code GET "$ADMIN_URL/readyz")" = 503 ] || fail "/readyz does not say 503 while the spool is full"
curl -s "$ADMIN_URL/readyz" -o "$WORK/readyz.txt"
grep -q "not ready" "$WORK/readyz.txt" || fail "/readyz body: $(cat "$WORK/readyz.txt")"
log_refusal() { grep -Eq "batch of [0-9]+ records from a.ndjson refused: spool full \([0-9]+ of $MAX bytes used\); input refused until targets catch up" "$WORK/medgated.log"; }
wait_until 10 log_refusal || fail "the log does not name the cause"
used=$(metric 'medgate_spool_budget_used_bytes')
accepted=$(metric 'medgate_source_records_total{source="inbox",outcome="accepted"}')
[ "$used" -le "$MAX" ] || fail "spool use $used beyond the limit $MAX"
[ "$accepted" -gt 0 ] && [ "$accepted" -lt "$N" ] || fail "accepted $accepted of $N: the limit did not bite"
# Refused repeatedly while the target stays down, and it keeps what it took.
wait_until 30 refused 3 || fail "the source stopped retrying"
[ "$(metric 'medgate_source_records_total{source="inbox",outcome="accepted"}')" = "$accepted" ] || fail "accepted more while full"
[ "$(metric 'medgate_spool_budget_used_bytes')" = "$used" ] || fail "spool use changed while nothing was delivered"
[ "$(metric 'medgate_target_records_total{target="warehouse",outcome="dead_lettered"}')" = 0 ] || fail "records were dropped to the DLQ"
pass "spool full at $used of $MAX bytes: $accepted of $N records accepted, the rest refused (logged, counted, /readyz 503), nothing dropped"

pg_start_again
wait_until 120 pg_has_rows $N || fail "postgres has $(pg_rows) of $N rows after the spool drained"
wait_until 30 ready || fail "/readyz not 200 after draining"
grep -q "batches accepted again" "$WORK/medgated.log" || fail "the source did not log that it is accepted again"
[ "$(metric 'medgate_source_records_total{source="inbox",outcome="accepted"}')" = "$N" ] || fail "accepted count $(metric 'medgate_source_records_total{source="inbox",outcome="accepted"}')"
stop_daemon
pg_expect_exactly_once "$N"
pass "after draining: accepted again (/readyz 200), all $N records in postgres exactly once"
