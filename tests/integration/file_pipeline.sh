#!/usr/bin/env bash
# End to end through the daemon: flat HIS records and profile-shaped records
# dropped into the inbox arrive desensitized at the file target; a malformed
# line is quarantined (encrypted) and the rest still flows; every record is
# audited; a restart resumes without re-ingesting; outputs validate against
# schemas/patient_profile.schema.json with an independent validator (ajv).
source "$(dirname "$0")/lib.sh"
: "${SHARED_DIR:?}"
demo_config "$WORK/medgate.yaml"
"$MEDGATED" --check --config "$WORK/medgate.yaml" >/dev/null || fail "demo config (relocated) does not check"

python3 "$SHARED_DIR/bench/gen_records.py" 300 5 > "$WORK/his.ndjson"
start_daemon "$WORK/medgate.yaml"
write_inbox_file "$WORK/his.ndjson" "$WORK/var/inbox" 01-his.ndjson
write_inbox_file "$SOURCE_DIR/config/demo/channels.ndjson" "$WORK/var/inbox" 02-channels.ndjson
OUT="$WORK/var/out/analytics"
wait_until 60 has_lines "$OUT" 303 || fail "expected 303 records, got $(output_lines "$OUT")"
wait_until 30 test -s "$WORK/var/quarantine/inbox.ndjson" || fail "malformed line not quarantined"
stop_daemon
[ "$(output_lines "$OUT")" -eq 303 ] || fail "expected exactly 303 records, got $(output_lines "$OUT")"
pass "303 records delivered, none duplicated"

grep -q '02-channels.ndjson:4: ' "$WORK/var/quarantine/inbox.ndjson" || fail "quarantine reason lacks file:line"
grep -q 'quarantines it and keeps going' "$WORK/var/quarantine/inbox.ndjson" && fail "quarantined raw text stored in clear"
pass "malformed line quarantined with file:line, encrypted"

# No raw identifier from the input appears in the output (names, IDs, phones, MRNs, addresses, birth dates).
python3 - "$WORK/his.ndjson" "$OUT" <<'PY' || fail "raw identifiers leaked"
import glob, json, sys
raw = set()
for line in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(line)
    raw.update([r["name"], r["id_number"], r["phone"], r["mrn"], r["address"], r["birth_date"]])
out = "".join(open(p, encoding="utf-8").read() for p in glob.glob(sys.argv[2] + "/*.ndjson*"))
leaks = [v for v in raw if v in out]
print(f"checked {len(raw)} raw values against {len(out)} output bytes: {len(leaks)} leaks")
sys.exit(1 if leaks else 0)
PY
pass "no raw identifier in the analytics output"

audits=$(cat "$WORK"/var/audit/*.ndjson | grep -c '"type":"record"')
# One entry per record and target: the demo routes every record to analytics and outreach.
[ "$audits" -eq 606 ] || fail "expected 606 audit record entries (303 records x 2 targets), got $audits"
grep -q '"value"' "$WORK"/var/audit/*.ndjson && fail "audit holds values"
pass "one audit entry per record and target"

# Restart: nothing is ingested twice; a new file is picked up. The quarantined
# line, made 40 days old while the daemon is down, is removed by retention
# (quarantine.retention: 30d in the demo config) when it starts.
Q="$WORK/var/quarantine/inbox.ndjson"
QN=$(wc -l < "$Q")
OLD=$(date -u -d '40 days ago' +%Y-%m-%dT%H:%M:%S.000Z)
sed -i "s/\"time\":\"[^\"]*\"/\"time\":\"$OLD\"/" "$Q"
grep -q "\"time\":\"$OLD\"" "$Q" || fail "could not backdate the quarantine"
python3 "$SHARED_DIR/bench/gen_records.py" 50 9 | sed 's/HIS-0/HIS-R/' > "$WORK/more.ndjson"
start_daemon "$WORK/medgate.yaml"
write_inbox_file "$WORK/more.ndjson" "$WORK/var/inbox" 03-more.ndjson
wait_until 60 has_lines "$OUT" 353 || fail "new file after restart not ingested"
stop_daemon
[ "$(output_lines "$OUT")" -eq 353 ] || fail "restart re-ingested: $(output_lines "$OUT") records"
pass "restart resumed: 50 new records, no re-ingestion"
[ -f "$Q" ] && [ ! -s "$Q" ] || fail "quarantined input older than the retention was kept ($(wc -l < "$Q") lines)"
grep -q "retention removed $QN quarantined inputs\? of source 'inbox' older than quarantine.retention" "$WORK/medgated.log" \
  || fail "retention of the quarantine not logged"
"$MEDGATECTL" audit query --dir "$WORK/var/audit" --all-types > "$WORK/qaudit" 2>/dev/null
grep -q "quarantined inputs removed: source inbox, $QN (retention) by quarantine.retention" "$WORK/qaudit" \
  || { grep quarantine "$WORK/qaudit"; fail "the retention of the quarantine is not in the audit log"; }
"$MEDGATECTL" audit verify "$WORK/var/audit" --key "$WORK/var/keys/audit-verify.pub" > "$WORK/verify" \
  || { cat "$WORK/verify"; fail "audit log not intact after the retention"; }
grep -q '1 quarantine removal' "$WORK/verify" || { cat "$WORK/verify"; fail "audit verify does not count the removal"; }
pass "quarantined inputs older than quarantine.retention are removed at start, logged and audited"

cat "$OUT"/*.ndjson* > "$WORK/all.ndjson"
bash "$SOURCE_DIR/tests/schema/validate.sh" "$SOURCE_DIR/schemas/patient_profile.schema.json" "$WORK/all.ndjson" \
  || fail "outputs do not validate against the profile schema"
pass "all outputs validate against the profile schema (ajv)"
