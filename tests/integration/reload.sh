#!/usr/bin/env bash
# Config reload while records flow: medgatectl reload (and SIGHUP) apply a new
# config (here: a second target on the route) in the middle of a 30k-record
# file without losing or duplicating a record; a config with problems is
# refused with FILE:LINE:COL and the running one keeps working; moving
# state_dir is refused; the reload counters show all of it.
source "$(dirname "$0")/lib.sh"
: "${SHARED_DIR:?}"
demo_config "$WORK/medgate.yaml"
use_admin_port "$WORK/medgate.yaml"
CTL=("$MEDGATECTL" --config "$WORK/medgate.yaml" --token-file "$WORK/var/keys/admin-operator.token")
OUT="$WORK/var/out/analytics" ARCHIVE="$WORK/var/out/archive"
cp "$WORK/medgate.yaml" "$WORK/good.yaml"

gen() { /usr/bin/python3 "$SHARED_DIR/bench/gen_records.py" "$1" "$2" | sed "s/\"HIS-0/\"HIS-$3/"; }
gen 2000 1 A > "$WORK/a.ndjson"
gen 30000 2 B > "$WORK/b.ndjson"
gen 500 3 C > "$WORK/c.ndjson"
log_count() { [ "$(grep -c "$1" "$WORK/medgated.log")" -ge "$2" ]; }
unique_ids() { cat "$1"/*.ndjson* | /usr/bin/python3 -c 'import json,sys; print(len({json.loads(l)["source_record_id"] for l in sys.stdin}))'; }

start_daemon "$WORK/medgate.yaml"
write_inbox_file "$WORK/a.ndjson" "$WORK/var/inbox" 01-a.ndjson
wait_until 60 has_lines "$OUT" 2000 || fail "first file not delivered"

# The new config: an archive target on the same route.
/usr/bin/python3 - "$WORK/medgate.yaml" "$ARCHIVE" <<'PY'
import sys
p, archive = sys.argv[1], sys.argv[2]
s = open(p).read()
s = s.replace("targets:\n", f"targets:\n  archive:\n    plugin: file\n    config: {{path: {archive}}}\n", 1)
s = s.replace("    to: [analytics]\n", "    to: [analytics, archive]\n", 1)
open(p, "w").write(s)
PY
"$MEDGATED" --check --config "$WORK/medgate.yaml" > /dev/null || fail "the new config does not check"

write_inbox_file "$WORK/b.ndjson" "$WORK/var/inbox" 02-b.ndjson
wait_until 60 has_lines "$OUT" 4000 || fail "second file not flowing"
"${CTL[@]}" reload > "$WORK/reload.out" || fail "medgatectl reload failed"
grep -q "^reloaded: applied .*3 targets" "$WORK/reload.out" || fail "reload said: $(cat "$WORK/reload.out")"
mid=$(output_lines "$OUT")
[ "$mid" -lt 32000 ] || fail "the reload did not happen mid-file (all $mid records were already out)"
wait_until 120 has_lines "$OUT" 32000 || fail "after the reload: $(output_lines "$OUT") of 32000"
wait_until 60 has_lines "$ARCHIVE" 1 || fail "the new target received nothing"
[ "$(output_lines "$OUT")" -eq 32000 ] || fail "duplicates: $(output_lines "$OUT") lines for 32000 records"
[ "$(unique_ids "$OUT")" -eq 32000 ] || fail "lost records: $(unique_ids "$OUT") distinct of 32000"
pass "reload mid-file (after $mid records): 32000 delivered once each; the new target gets records ($(output_lines "$ARCHIVE"))"

# A config with a problem is refused, naming it; the running config keeps working.
cp "$WORK/medgate.yaml" "$WORK/applied.yaml"
printf 'targets_typo: {}\n' >> "$WORK/medgate.yaml"
rc=0; "${CTL[@]}" reload > /dev/null 2> "$WORK/bad.err" || rc=$?
[ $rc -eq 1 ] || fail "a bad config reload exited $rc, expected 1"
grep -q "reload refused: the new config has 1 problem" "$WORK/bad.err" || fail "refusal: $(cat "$WORK/bad.err")"
grep -Eq "$WORK/medgate.yaml:[0-9]+:[0-9]+: .*targets_typo" "$WORK/bad.err" || fail "problem lacks FILE:LINE:COL: $(cat "$WORK/bad.err")"
kill -HUP "$DAEMON_PID"
wait_until 30 log_count 'the running config stays' 2 || fail "SIGHUP with a bad config not refused"
write_inbox_file "$WORK/c.ndjson" "$WORK/var/inbox" 03-c.ndjson
wait_until 60 has_lines "$OUT" 32500 || fail "the running config stopped working after a refused reload"
pass "bad config refused (medgatectl reload and SIGHUP) with FILE:LINE:COL; the old config keeps running"

sed "s|^state_dir: .*|state_dir: $WORK/elsewhere|" "$WORK/applied.yaml" > "$WORK/medgate.yaml"
rc=0; "${CTL[@]}" reload > /dev/null 2> "$WORK/state.err" || rc=$?
[ $rc -eq 1 ] && grep -q "state_dir changed" "$WORK/state.err" || fail "state_dir move not refused: $(cat "$WORK/state.err")"
cp "$WORK/applied.yaml" "$WORK/medgate.yaml"
kill -HUP "$DAEMON_PID"
wait_until 30 log_count 'reload: applied' 2 || fail "SIGHUP with a good config not applied"
pass "moving state_dir refused; SIGHUP applies a good config"

curl -sf "http://127.0.0.1:${ADMIN_URL##*:}/metrics" -o "$WORK/metrics.txt" || fail "/metrics"
grep -q '^medgate_config_reloads_total{result="applied"} 2$' "$WORK/metrics.txt" || fail "applied count: $(grep reloads "$WORK/metrics.txt")"
grep -q '^medgate_config_reloads_total{result="refused"} 3$' "$WORK/metrics.txt" || fail "refused count: $(grep reloads "$WORK/metrics.txt")"
grep -q '^medgate_config_last_reload_successful 1$' "$WORK/metrics.txt" || fail "last reload not successful"
stop_daemon
[ "$(output_lines "$OUT")" -eq 32500 ] && [ "$(unique_ids "$OUT")" -eq 32500 ] || fail "final count $(output_lines "$OUT")"
pass "reload"

# Each gateway a reload replaced closed the audit log with a signed checkpoint
# (when it had written anything since the last one) and the next continued
# the same chain; none had to recover from an unclean stop.
"$MEDGATECTL" audit verify "$WORK/var/audit" --key "$WORK/var/keys/audit-verify.pub" --closed > "$WORK/verify.out" \
  || fail "audit log after reloads: $(cat "$WORK/verify.out")"
count() { cat "$WORK"/var/audit/audit-*.ndjson | grep -c "$1" || true; }
[ "$(count '"reason":"close"')" -ge 2 ] || fail "expected a close checkpoint from the gateways that audited records, found $(count '"reason":"close"')"
[ "$(count '"reason":"recover"')" -eq 0 ] || fail "a reload left the audit log to be recovered"
pass "audit log intact across reloads: $(head -1 "$WORK/verify.out")"
