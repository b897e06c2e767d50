#!/usr/bin/env bash
# The audit log end to end, as a compliance officer uses it: medgated on the
# demo config (64 KiB segments and batches of 20, so the log has several
# segments) audits the records of
# two inbox files; after it stops, `medgatectl audit verify` with the
# verifying key says intact (exit 0). Each tamper on a copy of the log is
# detected (exit 1, one line naming file, line, seq and what): a flipped
# byte, a deleted entry, two swapped entries, a segment cut inside a line and
# at a line boundary, a removed segment (middle, first, last), a rewritten
# history with re-computed hashes. Usage errors exit 2. `audit query` finds
# entries by record id and by patient token (from `medgatectl token`);
# `audit report` writes CSV and HTML whose counts match the log. The log
# validates against schemas/audit_record.schema.json (ajv), and the Python
# verifier printed in docs/audit.md agrees with medgatectl.
source "$(dirname "$0")/lib.sh"
: "${SHARED_DIR:?}"
demo_config "$WORK/medgate.yaml"
# Small segments and small batches (a segment rolls between appends), so that the log has several segments.
sed -i -e 's|^  checkpoint_interval: 60s$|  checkpoint_interval: 60s\n  segment_bytes: 64KiB|' \
  -e 's|^      poll_interval: 200ms$|      poll_interval: 200ms\n      batch_max: 20|' "$WORK/medgate.yaml"
grep -q '^  segment_bytes: 64KiB$' "$WORK/medgate.yaml" && grep -q '^      batch_max: 20$' "$WORK/medgate.yaml" \
  || fail "could not set audit.segment_bytes and the inbox batch_max in the demo config"
# One target is enough here: keep the analytics route only (the demo also routes to outreach).
/usr/bin/python3 - "$WORK/medgate.yaml" <<'PY'
import sys
p = sys.argv[1]; s = open(p).read()
route = "  - name: his-to-outreach\n    from: [inbox, his, emr]\n    to: [outreach]\n    policy: outreach-minimal\n"
assert route in s, "demo config has no outreach route to remove"
open(p, "w").write(s.replace(route, ""))
PY
AUDIT="$WORK/var/audit" KEY="$WORK/var/keys/audit-verify.pub" OUT="$WORK/var/out/analytics"
CTL=("$MEDGATECTL" --config "$WORK/medgate.yaml")

/usr/bin/python3 "$SHARED_DIR/bench/gen_records.py" 300 5 > "$WORK/his.ndjson"
start_daemon "$WORK/medgate.yaml"
write_inbox_file "$WORK/his.ndjson" "$WORK/var/inbox" 01-his.ndjson
write_inbox_file "$SOURCE_DIR/config/demo/channels.ndjson" "$WORK/var/inbox" 02-channels.ndjson
wait_until 60 has_lines "$OUT" 303 || fail "expected 303 records, got $(output_lines "$OUT")"
stop_daemon
SEGMENTS=$(ls "$AUDIT"/audit-*.ndjson | wc -l)
[ "$SEGMENTS" -ge 4 ] || fail "expected several audit segments, got $SEGMENTS"
LAST=$(ls "$AUDIT"/audit-*.ndjson | tail -1)

# --- intact ------------------------------------------------------------------
"$MEDGATECTL" audit verify "$AUDIT" --key "$KEY" > "$WORK/verify.out" || fail "verify: $(cat "$WORK/verify.out")"
grep -q "^intact: $AUDIT: $SEGMENTS segments .*: 303 records, " "$WORK/verify.out" || fail "verify said: $(cat "$WORK/verify.out")"
grep -q "^signatures: $SEGMENTS verified with key [0-9a-f]\{16\}$" "$WORK/verify.out" || fail "signatures: $(cat "$WORK/verify.out")"
grep -q "^closed: the log ends with a close checkpoint" "$WORK/verify.out" || fail "not closed: $(cat "$WORK/verify.out")"
grep -q "^warning" "$WORK/verify.out" && fail "warnings on an intact, closed log: $(cat "$WORK/verify.out")"
"$MEDGATECTL" audit verify "$AUDIT" --key "$KEY" --closed --json > "$WORK/verify.json" || fail "verify --closed --json"
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["intact"] and d["records"] == 303 and d["closed"], d' \
  "$WORK/verify.json" || fail "verify --json: $(cat "$WORK/verify.json")"
pass "verify: $(head -1 "$WORK/verify.out")"

# The config's audit.verify_key is the default key; with no key at all only the chain is checked, and it says so.
"${CTL[@]}" audit verify "$AUDIT" > "$WORK/default-key.out" || fail "verify with the config's key"
grep -q "^signatures: $SEGMENTS verified" "$WORK/default-key.out" || fail "config key not used: $(cat "$WORK/default-key.out")"
"$MEDGATECTL" --config "$WORK/no-such.yaml" audit verify "$AUDIT" > /dev/null 2>&1 && fail "an unreadable --config was ignored"
(cd "$WORK" && "$MEDGATECTL" audit verify "$AUDIT") > "$WORK/no-key.out" || fail "verify without a key"
grep -q "^warning: signatures NOT checked (no verifying key)" "$WORK/no-key.out" || fail "no-key: $(cat "$WORK/no-key.out")"
pass "verifying key from audit.verify_key; without one, the chain only, said plainly"

# A segment on its own is identified by its header and verifies alone.
"$MEDGATECTL" audit verify "$AUDIT/audit-00000002.ndjson" --key "$KEY" | grep -q "^intact: .*: segment audit-00000002.ndjson, " \
  || fail "one segment alone does not verify"
pass "one segment verifies alone"

# --- tampering, each on a fresh copy -----------------------------------------
# tamper NAME SHELL-EDIT EXPECTED-REGEX [VERIFY ARGS]: edit a copy (in $T), verify, want exit 1 and one matching line.
T="$WORK/tampered"
tamper() {
  local name=$1 edit=$2 want=$3 rc=0; shift 3
  rm -rf "$T"; cp -r "$AUDIT" "$T"
  (cd "$T" && eval "$edit") || fail "$name: the edit failed"
  "$MEDGATECTL" audit verify "$T" --key "$KEY" "$@" > "$WORK/tamper.out" 2>&1 || rc=$?
  [ "$rc" -eq 1 ] || fail "$name: exit $rc, want 1: $(cat "$WORK/tamper.out")"
  [ "$(wc -l < "$WORK/tamper.out")" -eq 1 ] || fail "$name: more than one line: $(cat "$WORK/tamper.out")"
  grep -Eq "^FAILED: $want" "$WORK/tamper.out" || fail "$name: $(cat "$WORK/tamper.out") does not match $want"
  pass "$name: $(cut -c1-160 "$WORK/tamper.out")"
}
# flip_hash FILE LINE: changes one hex digit of that line's hash to another hex digit.
flip_hash() {
  /usr/bin/python3 - "$1" "$2" <<'PY'
import sys
path, n = sys.argv[1], int(sys.argv[2]) - 1
lines = open(path, "rb").read().split(b"\n")
at = lines[n].rindex(b'"hash":"') + 8
lines[n] = lines[n][:at] + (b"1" if lines[n][at:at + 1] == b"0" else b"0") + lines[n][at + 1:]
open(path, "wb").write(b"\n".join(lines))
PY
}
S2="audit-00000002.ndjson"
N2=$(wc -l < "$AUDIT/$S2")
tamper "flipped byte in a value" "sed -i '5s/\"source\":\"inbox\"/\"source\":\"inbpx\"/' $S2" \
  "$T/$S2:5: seq [0-9]+: modified: the entry does not match its hash"
tamper "flipped byte in a hash" "flip_hash $S2 5" "$T/$S2:5: seq [0-9]+: modified: the entry does not match its hash"
tamper "deleted entry" "sed -i '5d' $S2" "$T/$S2:5: seq ([0-9]+): removed: seq \\1 is gone"
tamper "swapped entries" "sed -i '5{h;d};6G' $S2" "$T/$S2:5: seq [0-9]+: reordered: seq [0-9]+ comes before seq [0-9]+"
tamper "segment cut inside a line" "truncate -s -20 $S2" "$T/$S2:$N2: seq [0-9]+: truncated: line $N2 is incomplete"
tamper "segment cut at a line boundary" "head -n -3 $S2 > x && mv x $S2" \
  "$T/$S2:$((N2 - 2)): seq [0-9]+: truncated: the segment ends at seq [0-9]+ but audit-00000003.ndjson continues"
tamper "middle segment removed" "rm audit-00000003.ndjson" \
  "$T/audit-00000003.ndjson: seq [0-9]+: segment missing: audit-00000003.ndjson is gone"
tamper "first segment removed" "rm audit-00000001.ndjson" \
  "$T/audit-00000001.ndjson: segment missing: audit-00000001.ndjson is gone and no signed retention statement covers its removal"
tamper "last segment removed" "rm $(basename "$LAST")" \
  "$T/$(basename "$LAST"): seq [0-9]+: segment missing: the log ends with the checkpoint that rolled"
tamper "end cut at a line boundary (--closed)" "head -n -2 $(basename "$LAST") > x && mv x $(basename "$LAST")" \
  "$T/$(basename "$LAST"):[0-9]+: seq [0-9]+: truncated: the log does not end with a close checkpoint" --closed
# Without --closed, the same cut looks like a crash: intact, with the warning.
"$MEDGATECTL" audit verify "$T" --key "$KEY" > "$WORK/cut.out" || fail "the cut end without --closed: $(cat "$WORK/cut.out")"
grep -q "^warning: [0-9]* entries after the last signed checkpoint (seq [0-9]*) are not yet signed" "$WORK/cut.out" \
  || fail "no unsigned warning: $(cat "$WORK/cut.out")"
pass "the same cut without --closed: intact with the 'not yet signed' warning"

# An attacker without the signing key changes an entry and re-computes every hash after it.
rewrite='/usr/bin/python3 - <<PY
import glob, hashlib, json, re
files = sorted(glob.glob("audit-*.ndjson"))
prev, changed = None, False
for f in files:
    out = []
    for raw in open(f, "rb").read().split(b"\n")[:-1]:
        m = re.fullmatch(rb"(.*,\"prev\":\")([0-9a-f]{64})(\"),\"hash\":\"([0-9a-f]{64})\"\\}", raw, re.S)
        head, p, q, h = m.groups()
        if not changed and b"\"target\":\"analytics\"" in raw and f == files[1]:
            head, changed = head.replace(b"\"target\":\"analytics\"", b"\"target\":\"elsewhere\""), True
        if changed:
            p = prev
            h = hashlib.sha256(p + b"\n" + head + p + q + b"}").hexdigest().encode()
        out.append(head + p + q + b",\"hash\":\"" + h + b"\"}")
        prev = h
    open(f, "wb").write(b"".join(l + b"\n" for l in out))
PY'
tamper "rewritten history, hashes re-computed" "$rewrite" "$T/$S2:[0-9]+: seq [0-9]+: bad signature: the signature does not verify with key"
"$MEDGATECTL" audit verify "$T" > "$WORK/rewritten.out" || fail "the rewritten chain is consistent; without a key it verifies"
pass "without the key the rewritten chain looks intact (which is why the key matters)"

# --- usage errors --------------------------------------------------------------
usage() {
  local rc=0
  "$MEDGATECTL" "$@" > /dev/null 2> "$WORK/usage.err" || rc=$?
  [ "$rc" -eq 2 ] || fail "medgatectl $*: exit $rc, want 2"
}
usage audit verify
usage audit verify "$AUDIT" --frobnicate
usage audit verify "$WORK/nowhere"
usage audit verify "$AUDIT" --key "$WORK/nowhere.pub"
usage audit verify "$AUDIT" --anchor 12
usage audit
usage audit shred "$AUDIT"
usage audit query --dir "$AUDIT" --since yesterday
usage audit report --dir "$AUDIT" --format pdf
pass "usage errors exit 2"

# --- query -----------------------------------------------------------------------
RID=$(head -1 "$(ls "$OUT"/*.ndjson* | head -1)" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["record_id"])')
"${CTL[@]}" audit query --record-id "$RID" --json > "$WORK/q.ndjson" 2> "$WORK/q.err" || fail "query by record id"
[ "$(wc -l < "$WORK/q.ndjson")" -eq 1 ] && grep -q "\"record_id\":\"$RID\"" "$WORK/q.ndjson" || fail "query by record id: $(cat "$WORK/q.ndjson")"
grep -qx "1 matching entry" "$WORK/q.err" || fail "query count: $(cat "$WORK/q.err")"
"${CTL[@]}" audit query --record-id "$RID" > "$WORK/q.txt" 2>/dev/null
grep -q "  record $RID  inbox -> analytics  patient [0-9a-f]\{32\}  policy analytics-strict v3" "$WORK/q.txt" || fail "query text: $(cat "$WORK/q.txt")"
grep -q "^    subject.phone  token  key demo-token-2026$" "$WORK/q.txt" || fail "query text fields: $(cat "$WORK/q.txt")"

# "Was this patient's data sent to analytics?" from the raw resident ID.
ID_NUMBER=$(head -1 "$WORK/his.ndjson" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["id_number"])')
WANT=$(/usr/bin/python3 -c 'import json,sys; print(sum(json.loads(l)["id_number"] == sys.argv[2] for l in open(sys.argv[1])))' \
  "$WORK/his.ndjson" "$ID_NUMBER")
TOKEN=$("${CTL[@]}" token --field subject.resident_id "$ID_NUMBER")
"${CTL[@]}" audit query --target analytics --patient-token "$TOKEN" --json > "$WORK/p.ndjson" 2>/dev/null || fail "query by patient token"
[ "$(wc -l < "$WORK/p.ndjson")" -eq "$WANT" ] || fail "query by patient token: $(wc -l < "$WORK/p.ndjson") entries, want $WANT"
[ "$(grep -c "\"patient_token\":\"$TOKEN\"" "$WORK/p.ndjson")" -eq "$WANT" ] || fail "query by patient token returned others"
"${CTL[@]}" audit query --target sms --patient-token "$TOKEN" 2> "$WORK/none.err" | grep -q . && fail "found entries for a target never used"
grep -qx "0 matching entries" "$WORK/none.err" || fail "empty query: $(cat "$WORK/none.err")"
pass "query by record id and by patient token (medgatectl token) finds exactly the entries"

# --- report ----------------------------------------------------------------------
"${CTL[@]}" audit report --format csv --out "$WORK/report.csv" 2> "$WORK/report.err" || fail "report csv: $(cat "$WORK/report.err")"
"${CTL[@]}" audit report --format html --out "$WORK/report.html" 2>/dev/null || fail "report html"
/usr/bin/python3 - "$AUDIT" "$WORK/report.csv" <<'PY' || fail "report counts do not match the log"
import collections, csv, glob, json, sys
entries = [json.loads(l) for f in sorted(glob.glob(sys.argv[1] + "/audit-*.ndjson")) for l in open(f)]
records = [e for e in entries if e["type"] == "record"]
want_rules, want_found = collections.Counter(), collections.Counter()
for e in records:
    for rule in {(f["path"], f["method"]) for f in e["fields"]}:
        want_rules[rule] += 1
    for f in e["fields"]:
        for kind, n in f.get("found", {}).items():
            want_found[kind] += n
got_records, got_rules, got_found = 0, collections.Counter(), collections.Counter()
for row in csv.DictReader(open(sys.argv[2])):
    if row["field"] == "*":
        got_records += int(row["records"])
        for k, v in row.items():
            if k.startswith("found_"):
                got_found[k[6:]] += int(v)
    else:
        got_rules[(row["field"], row["method"])] += int(row["records"])
print(f"report: {got_records} records, {len(got_rules)} rules, findings {dict(got_found)}")
assert got_records == len(records) == 303, got_records
assert got_rules == want_rules, (got_rules, want_rules)
assert +got_found == +want_found and sum(want_found.values()) > 0, (got_found, want_found)
PY
grep -q "^<!DOCTYPE html>" "$WORK/report.html" && grep -q "Records counted: 303" "$WORK/report.html" \
  && grep -q '<p class="ok">intact: ' "$WORK/report.html" || fail "report html: $(head -c 600 "$WORK/report.html")"
rm -rf "$T"; cp -r "$AUDIT" "$T"; sed -i '5d' "$T/$S2"
rc=0; "${CTL[@]}" audit report --dir "$T" --format html --out "$WORK/bad.html" 2>/dev/null || rc=$?
[ "$rc" -eq 1 ] && grep -q '<p class="bad">FAILED: ' "$WORK/bad.html" || fail "a report on a tampered log: exit $rc"
pass "report: CSV counts match the log; HTML shows the verdict (intact, or FAILED with exit 1)"

# --- independent checks ------------------------------------------------------------
bash "$SOURCE_DIR/tests/schema/validate.sh" "$SOURCE_DIR/schemas/audit_record.schema.json" "$AUDIT"/audit-*.ndjson \
  > "$WORK/schema.out" || fail "the log does not validate: $(cat "$WORK/schema.out")"
pass "$(cat "$WORK/schema.out") (ajv)"

awk '/<!-- verifier:begin -->/{f=1; next} /<!-- verifier:end -->/{f=0} f' "$SOURCE_DIR/docs/audit.md" | sed '1d;$d' > "$WORK/verify_audit.py"
/usr/bin/python3 "$WORK/verify_audit.py" "$AUDIT" "$KEY" > "$WORK/py.out" || fail "the Python verifier: $(cat "$WORK/py.out")"
grep -q "^intact: seq 1\.\." "$WORK/py.out" || fail "the Python verifier said: $(cat "$WORK/py.out")"
for edit in "sed -i '5s/\"source\":\"inbox\"/\"source\":\"inbpx\"/' $S2" "sed -i '5d' $S2" "truncate -s -20 $S2" \
            "rm audit-00000003.ndjson" "rm $(basename "$LAST")" "$rewrite"; do
  rm -rf "$T"; cp -r "$AUDIT" "$T"; (cd "$T" && eval "$edit")
  rc=0; /usr/bin/python3 "$WORK/verify_audit.py" "$T" "$KEY" > "$WORK/py.out" || rc=$?
  [ "$rc" -eq 1 ] && grep -q "^FAILED: " "$WORK/py.out" || fail "the Python verifier missed: $edit ($(cat "$WORK/py.out"))"
done
pass "the Python verifier from docs/audit.md agrees: intact, and each tamper detected"
