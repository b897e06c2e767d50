#!/usr/bin/env bash
# The postgres target through the daemon, against a private PostgreSQL
# cluster: flat HIS records dropped into the file inbox arrive as one row
# each (no duplicates, envelope columns filled, no raw identifier in any row).
# Then the server is stopped (pg_ctl -m fast) while more input arrives: the
# daemon keeps running, the records wait in its spool (retries, nothing
# dead-lettered), and once the server is back every record arrives exactly once.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib/postgres.sh"
: "${SHARED_DIR:?}"

start_postgres "$WORK/pg"
make_key "$WORK/keys/k.key"
make_signing_key "$WORK/keys/audit.key"
make_key "$WORK/keys/admin.token"
N=3000
M=1000
python3 "$SHARED_DIR/bench/gen_records.py" $N 11 > "$WORK/his.ndjson"
python3 "$SHARED_DIR/bench/gen_records.py" $M 12 | sed 's/HIS-0/HIS-L/' > "$WORK/later.ndjson"

cat > "$WORK/medgate.yaml" <<YAML
state_dir: state
keys: [{id: k, file: keys/k.key}]
audit: {signing_key: keys/audit.key}
identity: {key: k, fields: [subject.resident_id, subject.mrn]}
admin:
  enabled: true
  listen: 127.0.0.1:0
  tokens: [{file: keys/admin.token, role: admin}]
sources:
  inbox: {plugin: file, config: {path: inbox, poll_interval: 50ms}}
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
      - {field: subject.birth_date, method: generalize, to: patient.age_band, level: age_band}
      - {field: subject.address, method: generalize, to: patient.region, level: region}
      - {field: subject.phone, method: token, to: channels.phone_token}
      - {field: subject.name, method: drop}
      - {field: subject.resident_id, method: drop}
      - {field: encounter, method: keep}
      - {field: diagnoses, method: keep}
      - {field: charges, method: keep}
      - {field: notes, method: scrub}
YAML
use_admin_port "$WORK/medgate.yaml"
"$MEDGATED" --check --config "$WORK/medgate.yaml" >/dev/null || fail "config does not check"


start_daemon "$WORK/medgate.yaml"
write_inbox_file "$WORK/his.ndjson" "$WORK/inbox" 01-his.ndjson
wait_until 120 pg_has_rows $N || fail "postgres has $(pg_rows) of $N rows"
pg_expect_exactly_once "$N"
missing=$(psql_q "SELECT count(*) FROM medgate_records WHERE record_id IS NULL OR source <> 'inbox' OR event_type IS NULL
                  OR occurred_at IS NULL OR patient_token IS NULL OR patient_token <> payload->'patient'->>'token'")
[ "$missing" = 0 ] || fail "$missing rows lack envelope columns or carry the wrong patient token"
pass "$N records arrived as $N rows, one per idempotency key, envelope columns filled"

# No raw identifier from the input is in any row.
psql_q "SELECT payload::text FROM medgate_records" > "$WORK/rows.txt"
python3 - "$WORK/his.ndjson" "$WORK/rows.txt" <<'PY' || fail "raw identifiers in postgres"
import json, sys
raw = set()
for line in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(line)
    raw.update([r["name"], r["id_number"], r["phone"], r["mrn"], r["address"], r["birth_date"]])
out = open(sys.argv[2], encoding="utf-8").read()
leaks = [v for v in raw if v in out]
print(f"checked {len(raw)} raw values against {len(out)} bytes of rows: {len(leaks)} leaks")
sys.exit(1 if leaks else 0)
PY
pass "no raw identifier in the table"

# The server goes away while input keeps coming.
pg_stop_fast
write_inbox_file "$WORK/later.ndjson" "$WORK/inbox" 02-later.ndjson
wait_until 60 grep -q "02-later.ndjson: $M records emitted" "$WORK/medgated.log" || fail "the source did not take the $M new records"
retried() { [ "$(metric 'medgate_target_retries_total{target="warehouse"}')" -ge 2 ] 2>/dev/null; }
wait_until 60 retried || fail "no retries recorded while postgres is down"
kill -0 "$DAEMON_PID" || fail "medgated died while postgres was down"
[ "$(metric 'medgate_target_records_total{target="warehouse",outcome="delivered"}')" = "$N" ] || fail "delivered count moved while postgres was down"
[ "$(metric 'medgate_target_records_total{target="warehouse",outcome="dead_lettered"}')" = "0" ] || fail "records were dead-lettered while postgres was down"
waiting=$(metric 'medgate_spool_budget_used_bytes')
[ "$waiting" -gt 0 ] || fail "nothing waits in the spool while postgres is down"
grep -q "cannot connect to postgres" "$WORK/medgated.log" || fail "the log does not say why delivery fails"
pass "postgres down: medgated keeps running, $M records wait in the spool ($waiting bytes), none dead-lettered"

pg_start_again
wait_until 120 pg_has_rows $((N + M)) || fail "postgres has $(pg_rows) of $((N + M)) rows after it came back"
pg_expect_exactly_once $((N + M))
delivered_all() { [ "$(metric 'medgate_target_records_total{target="warehouse",outcome="delivered"}')" = "$((N + M))" ]; }
wait_until 30 delivered_all || fail "medgated counts $(metric 'medgate_target_records_total{target="warehouse",outcome="delivered"}') delivered"
stop_daemon
[ ! -s "$WORK/state/dlq/warehouse.ndjson" ] || fail "dead letters: $(wc -l < "$WORK/state/dlq/warehouse.ndjson")"
[ "$(pg_rows)" = "$((N + M))" ] || fail "rows changed after stop: $(pg_rows)"
pass "postgres back: all $((N + M)) records arrived exactly once, none dead-lettered, clean stop"
