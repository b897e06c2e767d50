#!/usr/bin/env bash
# The dead-letter queue end to end: a target that refuses some records for
# good puts them in the DLQ with the reason; medgatectl dlq list/show/drop/
# replay work on it through the admin API with the operator role (an auditor
# sees counts only); after the receiver is fixed, a replay delivers every
# remaining dead letter exactly once. The drop and the replay are in the
# audit log, with the role that asked. Dead letters older than dlq.retention
# are removed when medgated starts, audited too.
source "$(dirname "$0")/lib.sh"
picky_setup operator auditor
AUDITOR=(-H "Authorization: Bearer $(cat "$WORK/keys/auditor.token")")

N=1000 BAD=100
for i in $(seq 1 $N); do
  id="r$i"; [ $((i % 10)) -eq 0 ] && id="r-bad-$i"
  echo "{\"source_record_id\":\"$id\",\"event_type\":\"visit\",\"occurred_at\":\"2026-01-01T00:00:00Z\",\"patient\":{\"gender\":\"female\"}}"
done > "$WORK/in.ndjson"
start_daemon "$WORK/medgate.yaml"
write_inbox_file "$WORK/in.ndjson" "$WORK/inbox" a.ndjson
delivered() { [ -f "$WORK/delivered.txt" ] && [ "$(sort -u "$WORK/delivered.txt" | wc -l)" -eq "$1" ]; }
wait_until 60 delivered $((N - BAD)) || fail "expected $((N - BAD)) delivered"
wait_until 30 dlq_has $BAD || fail "expected $BAD dead letters, have $(dlq_entries)"
pass "$((N - BAD)) delivered, $BAD refused records dead-lettered"

"${CTL[@]}" dlq list | grep -E "^picky +$BAD " > /dev/null || fail "dlq list table: $("${CTL[@]}" dlq list)"
"${CTL[@]}" dlq show picky --limit 3 > "$WORK/show.txt" || fail "dlq show failed"
[ "$(grep -c "picky target: HTTP 422" "$WORK/show.txt")" -eq 3 ] || fail "dlq show lacks the reasons: $(cat "$WORK/show.txt")"
grep -q "entries 1-3 of $BAD" "$WORK/show.txt" || fail "dlq show header: $(head -1 "$WORK/show.txt")"
"${CTL[@]}" dlq show picky --offset 99 --json > "$WORK/last.json"
[ "$(wc -l < "$WORK/last.json")" -eq 1 ] || fail "offset 99 of 100 should give one entry"
grep -q 'r-bad-1000' "$WORK/last.json" || fail "the last entry is not the last refused record"
pass "dlq list and show (reasons, paging, payloads in --json)"

[ "$(http_code GET "http://127.0.0.1:$PORT/api/v1/dlq" "${AUDITOR[@]}")" = 200 ] || fail "auditor cannot see DLQ counts"
[ "$(http_code GET "http://127.0.0.1:$PORT/api/v1/dlq/picky" "${AUDITOR[@]}")" = 403 ] || fail "auditor can read DLQ payloads"
[ "$(http_code POST "http://127.0.0.1:$PORT/api/v1/dlq/picky/replay" "${AUDITOR[@]}" -d '{}')" = 403 ] || fail "auditor can replay"
[ "$(http_code POST "http://127.0.0.1:$PORT/api/v1/dlq/picky/drop" -d '{"all":true}')" = 401 ] || fail "drop without a token"
rc=0; "${CTL[@]}" dlq show nosuch 2> "$WORK/err.txt" || rc=$?
[ $rc -eq 1 ] && grep -q "no target named 'nosuch'" "$WORK/err.txt" || fail "unknown target: rc=$rc $(cat "$WORK/err.txt")"
rc=0; "${CTL[@]}" dlq drop picky 2> /dev/null || rc=$?
[ $rc -eq 2 ] || fail "dlq drop without --all or --key must be a usage error (got $rc)"
pass "roles: auditor sees counts only; operator changes; unknown target and unsafe drop refused"

# Drop one by key; it is gone for good and never delivered.
KEY=$(/usr/bin/python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["idempotency_key"])' "$WORK/last.json")
"${CTL[@]}" dlq drop picky --key "$KEY" | grep "dropped 1 dead letter of picky" > /dev/null || fail "drop by key"
[ "$(dlq_entries)" = $((BAD - 1)) ] || fail "after dropping one: $(dlq_entries) left"
pass "dropped one dead letter by key"

# The receiver is fixed: replay the rest; each arrives once.
touch "$WORK/fixed"
"${CTL[@]}" dlq replay picky --all > "$WORK/replay.out" 2> "$WORK/replay.err" || fail "replay failed: $(cat "$WORK/replay.err")"
grep -q "replayed $((BAD - 1)) dead letters of picky" "$WORK/replay.out" || fail "replay said: $(cat "$WORK/replay.out")"
grep -q "replaying: $((BAD - 1)) of $((BAD - 1))" "$WORK/replay.err" || fail "replay showed no progress: $(cat "$WORK/replay.err")"
wait_until 60 delivered $((N - 1)) || fail "replayed records not delivered: $(sort -u "$WORK/delivered.txt" | wc -l)"
[ "$(wc -l < "$WORK/delivered.txt")" -eq $((N - 1)) ] || fail "duplicates: $(wc -l < "$WORK/delivered.txt") lines"
grep -qx "$KEY" "$WORK/delivered.txt" && fail "the dropped record was delivered"
[ "$(dlq_entries)" = 0 ] || fail "DLQ not empty after replay"
pass "replay delivered the $((BAD - 1)) remaining dead letters exactly once"

curl -sf "http://127.0.0.1:$PORT/metrics" -o "$WORK/metrics.txt" || fail "/metrics failed"
grep -q "^medgate_target_records_total{target=\"picky\",outcome=\"dead_lettered\"} $BAD$" "$WORK/metrics.txt" \
  || fail "metrics do not count $BAD dead-lettered: $(grep medgate_target_records_total "$WORK/metrics.txt")"
grep -q "^medgate_target_plugin_events_total{target=\"picky\",event=\"refused_422\"} $BAD$" "$WORK/metrics.txt" \
  || fail "the plugin's own count of refusals is not in /metrics: $(grep plugin_events "$WORK/metrics.txt")"

# Retention (dlq.retention, 90d by default: the config leaves it out): the
# receiver breaks again, 10 records are dead-lettered; 4 of them made 100 days
# old while medgated is down are removed when it starts, logged and audited.
rm -f "$WORK/fixed"
for i in $(seq 1 10); do
  echo "{\"source_record_id\":\"late-bad-$i\",\"event_type\":\"visit\",\"occurred_at\":\"2026-01-01T00:00:00Z\",\"patient\":{\"gender\":\"female\"}}"
done > "$WORK/late.ndjson"
write_inbox_file "$WORK/late.ndjson" "$WORK/inbox" b.ndjson
wait_until 30 dlq_has 10 || fail "expected 10 new dead letters, have $(dlq_entries)"
stop_daemon
D="$WORK/state/dlq/picky.ndjson"
OLD=$(date -u -d '100 days ago' +%Y-%m-%dT%H:%M:%S.000Z)
sed -i "1,4 s/\"time\":\"[^\"]*\"/\"time\":\"$OLD\"/" "$D"
[ "$(grep -c "\"time\":\"$OLD\"" "$D")" -eq 4 ] || fail "could not backdate the dead letters"
start_daemon "$WORK/medgate.yaml"
wait_until 30 grep -q "retention removed 4 dead letters of target 'picky' older than dlq.retention (7776000 s)" \
  "$WORK/medgated.log" || fail "retention of the DLQ not logged: $(grep dlq "$WORK/medgated.log")"
[ "$(dlq_entries)" = 6 ] || fail "expected 6 dead letters kept, have $(dlq_entries)"
grep -q "\"time\":\"$OLD\"" "$D" && fail "a dead letter older than dlq.retention was kept"
grep -q "late-bad-" "$WORK/medgated.log" && fail "the log names a dead letter"
pass "dead letters older than dlq.retention are removed at start, logged without content"
stop_daemon

"$MEDGATECTL" audit query --dir "$WORK/state/audit" --all-types --target picky --json > "$WORK/dlq-audit.ndjson" 2>/dev/null
/usr/bin/python3 - "$WORK/dlq-audit.ndjson" $((BAD - 1)) <<'PY' || fail "dead-letter actions not audited: $(cat "$WORK/dlq-audit.ndjson" | grep dlq_)"
import json, sys
actions = [e for e in map(json.loads, open(sys.argv[1])) if e["type"].startswith("dlq_")]
want = [("dlq_drop", "keys", 1, 1, "operator"), ("dlq_replay", "all", 0, int(sys.argv[2]), "operator"),
        ("dlq_drop", "retention", 0, 4, "medgated")]
got = [(e["type"], e["selection"], e["keys"], e["count"], e["role"]) for e in actions]
sys.exit(0 if got == want else f"audit has {got}, want {want}")
PY
"$MEDGATECTL" audit query --dir "$WORK/state/audit" --all-types --target picky > "$WORK/dlq-audit.txt" 2>/dev/null
grep -q "dead letters dropped: target picky, 4 (retention) by dlq.retention" "$WORK/dlq-audit.txt" ||
  fail "audit query does not show the retention drop: $(grep dead "$WORK/dlq-audit.txt")"
"$MEDGATECTL" audit verify "$WORK/state/audit" > "$WORK/verify.out" 2>&1 || fail "audit verify: $(cat "$WORK/verify.out")"
pass "the drops, the replay and the retention are in the audit log (selection, count, role); it verifies"
pass "dead-letter queue"
