#!/usr/bin/env bash
# Nothing leaves the quarantine or the dead-letter queue without its audit
# entry: the entry is written first, and when it cannot be (here: writes to
# the audit log fail with ENOSPC, as on a full disk, through the test's
# LD_PRELOAD fault injector tests/tools/fail_writes), `medgatectl quarantine
# drop` and `dlq drop` are refused and remove nothing, and `quarantine show`
# shows nothing (its quarantine_open entry comes first). Once writes succeed
# again the same drops go ahead, each with its quarantine_drop / dlq_drop
# entry, and the log verifies.
source "$(dirname "$0")/lib.sh"
FAIL_WRITES="$BUILD_DIR/tests/tools/fail_writes/libfail_writes.so"
[ -f "$FAIL_WRITES" ] || fail "test setup: $FAIL_WRITES is not built"
picky_setup operator admin

# 6 records, 3 of them refused by the target for good (dead letters), and 2
# lines that are not records (quarantined).
{
  for id in r1 r-bad-2 r3 r-bad-4 r5 r-bad-6; do
    echo "{\"source_record_id\":\"$id\",\"event_type\":\"visit\",\"occurred_at\":\"2026-01-01T00:00:00Z\",\"patient\":{\"gender\":\"female\"}}"
  done
  echo '{"source_record_id": "broken'
  echo 'not json at all'
} > "$WORK/in.ndjson"
export LD_PRELOAD="$FAIL_WRITES" MEDGATE_FAIL_WRITES_UNDER="$WORK/state/audit/" MEDGATE_FAIL_WRITES_WHEN="$WORK/disk-full"
start_daemon "$WORK/medgate.yaml"
unset LD_PRELOAD MEDGATE_FAIL_WRITES_UNDER MEDGATE_FAIL_WRITES_WHEN
write_inbox_file "$WORK/in.ndjson" "$WORK/inbox" a.ndjson
quarantined() {
  "${CTL[@]}" quarantine list --json 2> /dev/null |
    /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["sources"][0]["entries"])' 2> /dev/null
}
quarantine_has() { [ "$(quarantined)" = "$1" ]; }
wait_until 30 dlq_has 3 || fail "expected 3 dead letters, have $(dlq_entries)"
wait_until 30 quarantine_has 2 || fail "expected 2 quarantined lines, have $(quarantined)"
drops_audited() {
  "$MEDGATECTL" audit query --dir "$WORK/state/audit" --all-types --json 2>/dev/null |
    /usr/bin/python3 -c 'import json,sys; print(sum(1 for e in map(json.loads, sys.stdin) if e["type"] in ("dlq_drop","quarantine_drop")))'
}
[ "$(drops_audited)" = 0 ] || fail "drop entries in the audit log before any drop"
pass "3 dead letters and 2 quarantined inputs"

# The audit log's disk is full from now on.
touch "$WORK/disk-full"
rc=0; "${CTL[@]}" quarantine drop inbox 1 > "$WORK/qdrop.out" 2> "$WORK/qdrop.err" || rc=$?
[ "$rc" -ne 0 ] || fail "quarantine drop succeeded while its audit entry could not be written: $(cat "$WORK/qdrop.out")"
grep -q "the audit log cannot record the drop" "$WORK/qdrop.err" || fail "quarantine drop error: $(cat "$WORK/qdrop.err")"
grep -q "HTTP 503" "$WORK/qdrop.err" || fail "quarantine drop refusal is not a 503: $(cat "$WORK/qdrop.err")"
grep -q "nothing was removed" "$WORK/qdrop.err" || fail "quarantine drop error does not say nothing was removed: $(cat "$WORK/qdrop.err")"
[ "$(quarantined)" = 2 ] || fail "a refused quarantine drop removed inputs: $(quarantined) left"
rc=0; "${CTL[@]}" quarantine drop inbox --all > "$WORK/qall.out" 2> "$WORK/qall.err" || rc=$?
[ "$rc" -ne 0 ] && [ "$(quarantined)" = 2 ] || fail "quarantine drop --all went ahead without its audit entry"
rc=0; "${CTL[@]}" dlq drop picky --all > "$WORK/ddrop.out" 2> "$WORK/ddrop.err" || rc=$?
[ "$rc" -ne 0 ] || fail "dlq drop succeeded while its audit entry could not be written: $(cat "$WORK/ddrop.out")"
grep -q "the audit log cannot record the drop" "$WORK/ddrop.out" "$WORK/ddrop.err" ||
  fail "dlq drop error: $(cat "$WORK/ddrop.out" "$WORK/ddrop.err")"
grep -q "HTTP 503" "$WORK/ddrop.err" || fail "dlq drop refusal is not a 503: $(cat "$WORK/ddrop.err")"
[ "$(dlq_entries)" = 3 ] || fail "a refused dlq drop removed dead letters: $(dlq_entries) left"
grep -q "were not removed: the audit log cannot record it" "$WORK/medgated.log" || fail "the refusal is not logged"
rc=0; "$MEDGATECTL" --config "$WORK/medgate.yaml" --token-file "$WORK/keys/admin.token" quarantine show inbox 2 \
  > "$WORK/qshow.out" 2> "$WORK/qshow.err" || rc=$?
[ "$rc" -ne 0 ] || fail "quarantine show answered while its audit entry could not be written"
grep -q "the entry is not shown" "$WORK/qshow.err" || fail "quarantine show error: $(cat "$WORK/qshow.err")"
grep -q "not json at all" "$WORK/qshow.out" "$WORK/qshow.err" && fail "quarantine show gave the content away"
pass "with the audit log unwritable, quarantine drop and dlq drop are refused and remove nothing; show shows nothing"

rm -f "$WORK/disk-full"
"${CTL[@]}" quarantine drop inbox 1 > "$WORK/qdrop2.out" 2>&1 || fail "quarantine drop with the disk writable again: $(cat "$WORK/qdrop2.out")"
[ "$(quarantined)" = 1 ] || fail "expected 1 quarantined input left, have $(quarantined)"
"${CTL[@]}" dlq drop picky --all > "$WORK/ddrop2.out" 2>&1 || fail "dlq drop with the disk writable again: $(cat "$WORK/ddrop2.out")"
[ "$(dlq_entries)" = 0 ] || fail "expected no dead letters left, have $(dlq_entries)"
"$MEDGATECTL" --config "$WORK/medgate.yaml" --token-file "$WORK/keys/admin.token" quarantine show inbox 2 \
  > "$WORK/qshow2.out" 2>&1 || fail "quarantine show with the disk writable again: $(cat "$WORK/qshow2.out")"
grep -q "not json at all" "$WORK/qshow2.out" || fail "quarantine show: $(cat "$WORK/qshow2.out")"
stop_daemon
"$MEDGATECTL" audit query --dir "$WORK/state/audit" --all-types --json > "$WORK/drops.ndjson" 2>/dev/null
/usr/bin/python3 - "$WORK/drops.ndjson" <<'PY' || fail "drops not audited as expected"
import json, sys
got = [(e["type"], e["selection"], e["count"], e["role"]) for e in map(json.loads, open(sys.argv[1]))
       if e["type"] in ("dlq_drop", "quarantine_drop")]
want = [("quarantine_drop", "entries", 1, "operator"), ("dlq_drop", "all", 3, "operator")]
opens = [(e["entry"], e["role"]) for e in map(json.loads, open(sys.argv[1])) if e["type"] == "quarantine_open"]
if opens != [(2, "admin")]:
    sys.exit(f"quarantine_open entries {opens}, want [(2, 'admin')]")
sys.exit(0 if got == want else f"audit has {got}, want {want}")
PY
"$MEDGATECTL" audit verify "$WORK/state/audit" > "$WORK/verify.out" 2>&1 || fail "audit verify: $(cat "$WORK/verify.out")"
pass "with the disk writable again both drops and the show go ahead, each audited once; the log verifies"
