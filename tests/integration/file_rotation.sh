#!/usr/bin/env bash
# The file target rotates by size and by time, and time rotation happens even
# when no new records arrive (the host flushes idle targets): every output file
# is closed (no .open suffix) within rotate_interval of the last record, with
# every record in exactly one file.
source "$(dirname "$0")/lib.sh"
make_key "$WORK/keys/k.key"
make_signing_key "$WORK/keys/audit.key"
cat > "$WORK/medgate.yaml" <<YAML
state_dir: state
# An ephemeral admin port: tests run in parallel, and a demo may hold 8580.
admin: {listen: 127.0.0.1:0}
keys: [{id: k, file: keys/k.key}]
audit: {signing_key: keys/audit.key}
identity: {key: k}
sources:
  inbox: {plugin: file, config: {path: inbox, poll_interval: 50ms}}
targets:
  out: {plugin: file, batch_max: 100, config: {path: out, rotate_bytes: 16KiB, rotate_interval: 1s}}
routes:
  - {name: r, from: [inbox], to: [out], policy: p}
policies:
  p:
    purpose: analytics
    rules: [{field: patient.gender, method: keep}]
YAML
for i in $(seq 1 1000); do
  echo "{\"source_record_id\":\"r$i\",\"event_type\":\"visit\",\"occurred_at\":\"2026-01-01T00:00:00Z\",\"patient\":{\"gender\":\"male\"}}"
done > "$WORK/in.ndjson"
start_daemon "$WORK/medgate.yaml"
write_inbox_file "$WORK/in.ndjson" "$WORK/inbox" a.ndjson
wait_until 60 has_lines "$WORK/out" 1000 || fail "got $(output_lines "$WORK/out") of 1000 records"
no_open_file() { ! ls "$WORK/out" | grep -q '\.open$'; }
wait_until 30 no_open_file || fail "an output file is still open long after rotate_interval: $(ls "$WORK/out")"
files=$(ls "$WORK/out" | wc -l)
[ "$files" -ge 3 ] || fail "want several files from rotate_bytes 16KiB, got $files"
for f in "$WORK/out"/*; do
  [ "$(stat -c %s "$f")" -le 16384 ] || fail "$(basename "$f") is larger than rotate_bytes"
done
pass "$files files, each <= 16 KiB, all closed while idle"
stop_daemon
got=$(cat "$WORK/out"/* | python3 -c 'import json,sys; ids=[json.loads(l)["source_record_id"] for l in sys.stdin]; print(len(ids), len(set(ids)))')
[ "$got" = "1000 1000" ] || fail "records/distinct = $got"
pass "every record in exactly one file"
