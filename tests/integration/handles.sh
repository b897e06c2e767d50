#!/usr/bin/env bash
# Encrypted handles end to end: an outreach policy encrypts the phone number
# (AES-SIV handle), the spool and the plugin boundary see only the handle, and
# a sender target with open_handles: true gets the number back through the
# SDK's handle_opener(); the same target without open_handles is refused.
# Openings are counted in /metrics, and each is a handle_open audit entry
# naming the record and field (never the number) before the number is handed
# over; handles of no record being delivered (a previous batch's, or one
# opened in flush()) are refused. --check refuses open_handles on a target
# fed by an analytics policy.
source "$(dirname "$0")/lib.sh"
test_plugin_keys "$WORK/keys/audit.pub"
PORT=$(free_port)
{ test_plugin_config_head; cat <<YAML; } > "$WORK/medgate.yaml"
admin: {enabled: true, listen: 127.0.0.1:$PORT, tokens: []}
sources:
  inbox: {plugin: file, config: {path: inbox, poll_interval: 50ms}}
targets:
  sms: {plugin: handle_sender, open_handles: true, config: {out: sms.txt, probe_out: probes.txt}}
  nosms: {plugin: handle_sender, config: {out: nosms.txt}}
routes:
  - {name: reminders, from: [inbox], to: [sms, nosms], policy: outreach}
policies:
  outreach:
    purpose: outreach
    rules:
      - {field: patient.token, method: keep}
      - {field: subject.phone, method: encrypt, to: channels.phone_handle}
YAML
ADMIN_URL="http://127.0.0.1:$PORT"
"$MEDGATED" --check --config "$WORK/medgate.yaml" > /dev/null || fail "config refused"

N=200 FIRST=120
/usr/bin/python3 - "$N" > "$WORK/in.ndjson" <<'PY'
import json, random, sys
r = random.Random(5)
for i in range(int(sys.argv[1])):
    print(json.dumps({"source_record_id": f"R{i}", "event_type": "discharge", "occurred_at": "2026-11-20T10:00:00+08:00",
                      "subject": {"mrn": f"MRN{i:08d}", "phone": "1%s%09d" % (r.choice("3589"), r.randint(0, 999999999))}}))
PY
# Two files, one after the other, so that the sender sees at least two batches.
head -n "$FIRST" "$WORK/in.ndjson" > "$WORK/in1.ndjson"
tail -n +"$((FIRST + 1))" "$WORK/in.ndjson" > "$WORK/in2.ndjson"
start_daemon "$WORK/medgate.yaml"
lines_in() { [ -f "$1" ] && [ "$(wc -l < "$1")" -ge "$2" ]; }
write_inbox_file "$WORK/in1.ndjson" "$WORK/inbox" in1.ndjson
wait_until 60 lines_in "$WORK/sms.txt" "$FIRST" || fail "sms target got $(wc -l < "$WORK/sms.txt" 2>/dev/null) of $FIRST"
write_inbox_file "$WORK/in2.ndjson" "$WORK/inbox" in2.ndjson
wait_until 60 lines_in "$WORK/sms.txt" "$N" || fail "sms target got $(wc -l < "$WORK/sms.txt" 2>/dev/null) of $N"
wait_until 60 lines_in "$WORK/nosms.txt" "$N" || fail "nosms target got $(wc -l < "$WORK/nosms.txt" 2>/dev/null) of $N"
wait_until 10 metric_is 'medgate_target_handles_total{target="sms",outcome="opened"}' "$N" \
  || fail "opened handles metric: $(metric 'medgate_target_handles_total{target="sms",outcome="opened"}')"
metric_is 'medgate_target_handles_total{target="nosms",outcome="refused"}' "$N" || fail "refused handles metric"
stop_daemon

/usr/bin/python3 - "$WORK" <<'PY' || fail "opened handles do not match the input"
import glob, json, os, sys
w = sys.argv[1]
want = {json.loads(l)["source_record_id"]: json.loads(l)["subject"]["phone"] for l in open(f"{w}/in.ndjson")}
got = dict(l.rstrip("\n").split("\t") for l in open(f"{w}/sms.txt"))
assert got == want, f"{sum(got.get(k) == v for k, v in want.items())} of {len(want)} phones opened correctly"
refused = [l.split("\t")[1] for l in open(f"{w}/nosms.txt")]
assert all(r.startswith("REFUSED: target 'nosms' may not open encrypted handles") for r in refused), refused[:2]
spooled = "".join(open(p, errors="replace").read() for p in glob.glob(f"{w}/state/spool/**/*", recursive=True) if os.path.isfile(p))
leaked = [p for p in want.values() if p in spooled]
assert not leaked, f"{len(leaked)} raw phones in the spool"
print(f"{len(got)} handles opened to the right number; {len(refused)} refused; no raw phone in the spool")
PY
pass "the sender with open_handles gets the phone numbers back, the other is refused, the spool holds only handles"

# Handles of no record being delivered stay closed.
grep -q "^stale	REFUSED: the handle is in none of the records being delivered to target 'sms'$" "$WORK/probes.txt" \
  || { cat "$WORK/probes.txt"; fail "a handle of an earlier batch was not refused"; }
grep -q "^flush	REFUSED: target 'sms' opened a handle outside deliver(): " "$WORK/probes.txt" \
  || { cat "$WORK/probes.txt"; fail "a handle opened in flush() was not refused"; }
! grep -q "OPENED" "$WORK/probes.txt" || { cat "$WORK/probes.txt"; fail "a forbidden opening succeeded"; }
pass "handles of no record being delivered (an earlier batch's, or in flush()) are refused"

# Every opening is in the audit log, naming the record, never the number.
"$MEDGATECTL" audit verify "$WORK/state/audit" --key "$WORK/keys/audit.pub" --closed > "$WORK/verify.out" \
  || fail "audit verify: $(cat "$WORK/verify.out")"
grep -q "^intact: .*, $N handles opened, " "$WORK/verify.out" || fail "verify does not count $N openings: $(cat "$WORK/verify.out")"
"$MEDGATECTL" audit query --dir "$WORK/state/audit" --json > "$WORK/query.ndjson" 2> /dev/null || fail "audit query"
"$MEDGATECTL" audit query --dir "$WORK/state/audit" --target sms --rule channels.phone_handle > "$WORK/query.txt" 2>&1 \
  || fail "audit query --rule"
grep -q "^$N matching entries$" "$WORK/query.txt" || fail "query --target sms --rule channels.phone_handle: $(tail -1 "$WORK/query.txt")"
"$MEDGATECTL" audit report --dir "$WORK/state/audit" --key "$WORK/keys/audit.pub" > "$WORK/report.csv" || fail "audit report"
grep -q "^[0-9-]*,sms,,,channels.phone_handle,handle_open,$N\(,0\)*$" "$WORK/report.csv" \
  || { cat "$WORK/report.csv"; fail "the report does not count $N openings by sms"; }
/usr/bin/python3 - "$WORK" "$N" <<'PY' || fail "handle_open entries do not match the records"
import glob, json, sys
w, n = sys.argv[1], int(sys.argv[2])
entries = [json.loads(l) for l in open(f"{w}/query.ndjson")]
records = {e["record_id"]: e for e in entries if e["type"] == "record" and e["target"] == "sms"}
opens = [e for e in entries if e["type"] == "handle_open"]
assert len(records) == n, f"{len(records)} record entries for sms"
assert len(opens) == n, f"{len(opens)} handle_open entries, want {n}"
assert {e["target"] for e in opens} == {"sms"}, "an opening by a target without open_handles was audited"
assert sorted(e["record_id"] for e in opens) == sorted(records), "openings do not name the delivered records"
for e in opens:
    r = records[e["record_id"]]
    assert (e["source"], e["patient_token"], e["field"], e["key_id"]) == (r["source"], r["patient_token"], "channels.phone_handle", "k"), e
    assert e["seq"] > r["seq"], "an opening is audited before its record"
phones = [json.loads(l)["subject"]["phone"] for l in open(f"{w}/in.ndjson")]
audit = "".join(open(p).read() for p in glob.glob(f"{w}/state/audit/*"))
assert not [p for p in phones if p in audit], "a raw phone number is in the audit log"
print(f"{len(opens)} openings audited, each naming its record; no raw phone in the audit log")
PY
bash "$SOURCE_DIR/tests/schema/validate.sh" "$SOURCE_DIR/schemas/audit_record.schema.json" "$WORK"/state/audit/audit-*.ndjson \
  > "$WORK/schema.out" || fail "the log does not validate: $(cat "$WORK/schema.out")"
awk '/<!-- verifier:begin -->/{f=1; next} /<!-- verifier:end -->/{f=0} f' "$SOURCE_DIR/docs/audit.md" | sed '1d;$d' > "$WORK/verify_audit.py"
/usr/bin/python3 "$WORK/verify_audit.py" "$WORK/state/audit" "$WORK/keys/audit.pub" > "$WORK/py.out" \
  || fail "the Python verifier from docs/audit.md: $(cat "$WORK/py.out")"
pass "each opening is a handle_open audit entry naming the record and field; verify, query and report count them; the log validates (ajv) and the documented verifier agrees"

sed -e 's|policy: outreach}|policy: outreach}\n  - {name: stats, from: [inbox], to: [sms], policy: stats}|' \
    -e 's|^policies:|policies:\n  stats:\n    purpose: analytics\n    rules: [{field: patient.token, method: keep}]|' "$WORK/medgate.yaml" > "$WORK/bad.yaml"
rc=0; "$MEDGATED" --check --config "$WORK/bad.yaml" > "$WORK/bad.out" 2>&1 || rc=$?
[ "$rc" -eq 1 ] && grep -q "bad.yaml:9:3: target 'sms' has open_handles: true but route 'stats' feeds it through analytics policy 'stats'" "$WORK/bad.out" \
  || { cat "$WORK/bad.out"; fail "--check accepted open_handles on an analytics target"; }
pass "--check refuses open_handles on a target an analytics policy feeds"
