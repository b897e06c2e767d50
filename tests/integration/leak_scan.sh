#!/usr/bin/env bash
# The independent leak scanner (tests/leak/leak_scan.py, no code shared with
# the scrubber) over what medgated delivers: a corpus of free-text notes,
# messages and reviews carrying personal data in the forms people type
# (spaced and full-width IDs, +86 and landline numbers, e-mails, bank cards,
# spaced names, address parts) plus gen_records.py's workload, through the
# demo config's analytics-strict and outreach-minimal policies. Nothing raw may
# come out. The scanner is shown to catch a planted leak first, so a silent
# scanner cannot pass the test. (The 1M-record run is in file_to_file_1m.sh.)
source "$(dirname "$0")/lib.sh"
: "${SHARED_DIR:?}"
PY=/usr/bin/python3
SCAN="$SOURCE_DIR/tests/leak/leak_scan.py"
NOTES=${MEDGATE_LEAK_NOTES:-3000}
HIS=${MEDGATE_LEAK_HIS:-20000}
demo_config "$WORK/medgate.yaml"
$PY "$SOURCE_DIR/tests/leak/notes_corpus.py" "$NOTES" 11 "$WORK/notes.ndjson" "$WORK/notes.truth.ndjson"
$PY "$SHARED_DIR/bench/gen_records.py" "$HIS" 13 > "$WORK/his.ndjson"

# The scanner must find what it is meant to find: the raw input itself...
rc=0; $PY "$SCAN" --truth "$WORK/notes.truth.ndjson" "$WORK/notes.ndjson" > "$WORK/self.out" || rc=$?
[ "$rc" -eq 1 ] || { cat "$WORK/self.out"; fail "scanner did not flag the raw corpus (exit $rc)"; }
pass "scanner flags the raw corpus: $(head -1 "$WORK/self.out")"
# A hex token that holds the record's 8-digit birth date by chance is not a
# leak (about 1 in 10^8 per token); one that holds its 11-digit phone is.
cat > "$WORK/hex.truth.ndjson" <<'EOF2'
{"source_record_id": "T1", "values": ["19560322", "13812345678"]}
EOF2
echo '{"source_record_id":"T1","patient":{"token":"0a19560322bc4f00e1d2c3b4a5968778"}}' > "$WORK/hex-chance.ndjson"
$PY "$SCAN" --truth "$WORK/hex.truth.ndjson" "$WORK/hex-chance.ndjson" > "$WORK/hex-chance.out" ||
  { cat "$WORK/hex-chance.out"; fail "scanner reports a birth date found by chance inside a hex token"; }
echo '{"source_record_id":"T1","patient":{"token":"0a13812345678bc4f00e1d2c3b4a5968"}}' > "$WORK/hex-leak.ndjson"
rc=0; $PY "$SCAN" --truth "$WORK/hex.truth.ndjson" "$WORK/hex-leak.ndjson" > "$WORK/hex-leak.out" || rc=$?
[ "$rc" -eq 1 ] || { cat "$WORK/hex-leak.out"; fail "scanner missed a phone number inside a hex token (exit $rc)"; }
pass "scanner: a birth date inside a hex token by chance is no finding, a phone number is"

start_daemon "$WORK/medgate.yaml"
write_inbox_file "$WORK/notes.ndjson" "$WORK/var/inbox" notes.ndjson
write_inbox_file "$WORK/his.ndjson" "$WORK/var/inbox" his.ndjson
ANALYTICS="$WORK/var/out/analytics" OUTREACH="$WORK/var/out/outreach"
N=$((NOTES + HIS))
wait_until 300 has_lines "$ANALYTICS" "$N" || fail "only $(output_lines "$ANALYTICS") of $N records reached analytics"
wait_until 300 has_lines "$OUTREACH" "$N" || fail "only $(output_lines "$OUTREACH") of $N records reached outreach"
stop_daemon

# ...and a single raw phone number planted into one delivered note (a '+86' form).
cat "$ANALYTICS"/*.ndjson* > "$WORK/analytics.ndjson"
grep -m1 '"NOTE-' "$WORK/analytics.ndjson" > "$WORK/planted.ndjson"
phone=$($PY -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["subject"]["phone"])' <(grep -m1 "\"$(grep -o '"source_record_id":"NOTE-[0-9]*"' "$WORK/planted.ndjson" | cut -d'"' -f4)\"" "$WORK/notes.ndjson"))
sed -i "s|\[PHONE\]|+86 ${phone:0:3} ${phone:3:4} ${phone:7}|" "$WORK/planted.ndjson"
rc=0; $PY "$SCAN" --truth "$WORK/notes.truth.ndjson" "$WORK/planted.ndjson" > "$WORK/planted.out" || rc=$?
[ "$rc" -eq 1 ] || { cat "$WORK/planted.out"; fail "scanner missed a planted phone number (exit $rc)"; }
pass "scanner catches one planted phone number in delivered output"

# The real check: nothing raw in either target's output.
for out in "$ANALYTICS" "$OUTREACH"; do
  $PY "$SCAN" --truth "$WORK/notes.truth.ndjson" --gen-records "$WORK/his.ndjson" "$out" > "$WORK/scan.out" 2>&1 || { cat "$WORK/scan.out"; fail "raw identifiers in $(basename "$out") output"; }
  pass "$(basename "$out"): $(head -1 "$WORK/scan.out")"
done

# Scrub findings are audited as counts per type, never values.
$PY - "$WORK/var/audit" "$WORK/notes.truth.ndjson" <<'PY' || fail "audit log holds a raw value or lacks scrub counts"
import glob, json, re, sys
raw = set()
for line in open(sys.argv[2], encoding="utf-8"):
    raw.update(v for v in json.loads(line)["values"] if len(v) >= 6)
found, text = {}, ""
for p in sorted(glob.glob(sys.argv[1] + "/*")):
    t = open(p, encoding="utf-8").read()
    text += t
    for line in t.splitlines():
        e = json.loads(line)
        for f in e.get("fields", []):
            for k, n in f.get("found", {}).items():
                found[k] = found.get(k, 0) + n
# Every run of identifier characters in the log, and every non-ASCII run (a
# name or address would be one); a raw value must be none of them.
ascii_runs = set(re.findall(r"[0-9A-Za-z@._+-]+", text))
other_runs = set(re.findall(r"[^\x00-\x7f]+", text))
leaked = [v for v in raw if v in ascii_runs or any(v in r for r in other_runs)]
print("scrub findings in the audit log:", found, "raw values in it:", len(leaked))
sys.exit(1 if leaked or not found.get("PHONE") or not found.get("ID") else 0)
PY
pass "audit entries count scrub findings per type and hold no raw value"
