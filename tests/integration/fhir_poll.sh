#!/usr/bin/env bash
# The emr_fhir poller against a small FHIR-like server the test starts
# (tests/integration/lib/fhir_server.py): bearer auth, _lastUpdated=ge cursor,
# _sort, _count and link[next] paging with two resources sharing one
# lastUpdated across a page boundary. Every resource arrives once; one added
# later arrives on the next pass; after a restart the persisted cursor keeps
# old resources from coming again; records validate against the profile schema.
source "$(dirname "$0")/lib.sh"

FHIR_PORT=$(free_port)
make_key "$WORK/fhir.token"
/usr/bin/python3 "$SOURCE_DIR/tests/integration/lib/fhir_server.py" "$FHIR_PORT" "$WORK/fhir.token" \
  > "$WORK/fhir_server.log" 2>&1 &
BG_PIDS+=($!)
server_up() { curl -s -o /dev/null "http://127.0.0.1:$FHIR_PORT/control/stats"; }
wait_until 20 server_up || fail "test FHIR server did not start"

demo_config "$WORK/medgate.yaml"
use_admin_port "$WORK/medgate.yaml"
/usr/bin/python3 - "$WORK/medgate.yaml" "$FHIR_PORT" "$WORK/fhir.token" <<'PY'
import sys
p, port, token = sys.argv[1:]
s = open(p).read()
old = "  emr:\n    plugin: emr_fhir\n"
assert old in s, "demo config has no emr source"
s = s.replace(old, old + "    config:\n      poll_url: http://127.0.0.1:%s/fhir\n      poll_types: [Patient, Encounter]\n"
              "      poll_interval: 1s\n      poll_page_size: 2\n      poll_bearer_token_file: %s\n" % (port, token), 1)
open(p, "w").write(s)
PY
start_daemon "$WORK/medgate.yaml"
A=$WORK/var/out/analytics
emr_count() { cat "$A"/*.ndjson* 2>/dev/null | grep -c '"source":"emr"' || true; }
wait_until 30 bash -c "[ \$(cat $A/*.ndjson* 2>/dev/null | grep -c '\"source\":\"emr\"') -ge 6 ]" \
  || { cat "$WORK/fhir_server.log"; fail "polled resources did not arrive (got $(emr_count))"; }
stats() { curl -s "http://127.0.0.1:$FHIR_PORT/control/stats"; }
stat_of() { stats | /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
[ "$(stat_of unauthorized)" = 0 ] || fail "the poller sent requests without the bearer token"
[ "$(stat_of next_pages)" -ge 2 ] || fail "the poller did not follow link[next]"
pass "5 Patients (2 pages+) and 1 Encounter polled with bearer auth and paging"

curl -s -X POST "http://127.0.0.1:$FHIR_PORT/control/add" > /dev/null
wait_until 30 bash -c "[ \$(cat $A/*.ndjson* 2>/dev/null | grep -c '\"source\":\"emr\"') -ge 7 ]" \
  || fail "a resource added later did not arrive on the next pass"
pass "a resource added later arrives on the next pass"

# The server writes the next one's lastUpdated in UTC: later in time, earlier
# as text than the cursor (2026-11-21T08:00:00+08:00). It must still arrive.
curl -s -X POST "http://127.0.0.1:$FHIR_PORT/control/add_utc" > /dev/null
wait_until 30 bash -c "[ \$(cat $A/*.ndjson* 2>/dev/null | grep -c '\"source\":\"emr\"') -ge 8 ]" \
  || fail "a resource whose lastUpdated is written in UTC (Z) did not arrive: compared as text with the cursor?"
pass "a later resource whose lastUpdated is written as Z arrives (instants compared, not text)"

dups() { cat "$A"/*.ndjson* | grep '"source":"emr"' | /usr/bin/python3 -c '
import json, sys, collections
c = collections.Counter(json.loads(l)["source_record_id"] for l in sys.stdin)
print(sum(n - 1 for n in c.values()))'; }
stop_daemon
before=$(stat_of searches)
start_daemon "$WORK/medgate.yaml"
wait_until 30 bash -c "[ \$(curl -s http://127.0.0.1:$FHIR_PORT/control/stats | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)[\"searches\"])') -ge $((before + 4)) ]" \
  || fail "the poller did not poll again after a restart"
stop_daemon
[ "$(emr_count)" = 8 ] || fail "expected 8 polled records after the restart, got $(emr_count)"
[ "$(dups)" = 0 ] || fail "$(dups) polled resources arrived more than once"
pass "after a restart the persisted cursor keeps old resources from coming again (8 records, none twice)"

cat "$A"/*.ndjson* | grep '"source":"emr"' > "$WORK/emr.ndjson"
bash "$SOURCE_DIR/tests/schema/validate.sh" "$SOURCE_DIR/schemas/patient_profile.schema.json" "$WORK/emr.ndjson" \
  || fail "polled records do not validate against the profile schema"
pass "polled records validate against the profile schema (ajv)"
