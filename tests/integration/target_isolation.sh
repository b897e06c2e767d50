#!/usr/bin/env bash
# A slow or unavailable target delays only itself: with one target that never
# answers (deliver() hangs) and one that is down (every record "retry later"),
# the file source still ingests everything and the healthy target receives
# every record. On SIGTERM the daemon stops within the drain timeout, and the
# records the stuck targets never took stay spooled: after a restart in which
# the same target instances are healthy, each of them receives all of them.
# A plugin that ignores the stop request entirely (a target, or a source)
# makes medgated exit with status 3 after the deadline plus grace, naming
# it, and loses nothing either.
source "$(dirname "$0")/lib.sh"
test_plugin_keys
N=5000

write_config() {  # write_config HANG_PLUGIN_SECTION DOWN_PLUGIN_SECTION
  { test_plugin_config_head; cat <<YAML; inbox_route_yaml healthy hung down; } > "$WORK/medgate.yaml"
# An ephemeral admin port: tests run in parallel, and a demo may hold 8580.
admin: {listen: 127.0.0.1:0}
identity: {key: k}
spool: {max_bytes: 256MiB}
sources:
  inbox: {plugin: file, config: {path: inbox, poll_interval: 50ms}}
targets:
  healthy: {plugin: file, batch_max: 500, config: {path: out/healthy}}
  hung: $1
  down: $2
YAML
}

write_config "{plugin: stalling, batch_max: 100, config: {mode: hang}}" \
             "{plugin: stalling, batch_max: 100, retry_initial: 20ms, retry_max: 100ms, config: {mode: down}}"
"$MEDGATED" --check --config "$WORK/medgate.yaml" > /dev/null || fail "config does not check"

for i in $(seq 1 $N); do
  echo "{\"source_record_id\":\"r$i\",\"event_type\":\"visit\",\"occurred_at\":\"2026-01-01T00:00:00Z\",\"patient\":{\"gender\":\"female\"}}"
done > "$WORK/in.ndjson"

start_daemon "$WORK/medgate.yaml" --drain-timeout 2
write_inbox_file "$WORK/in.ndjson" "$WORK/inbox" a.ndjson
wait_until 60 has_lines "$WORK/out/healthy" $N || fail "healthy target got $(output_lines "$WORK/out/healthy") of $N records"
wait_until 30 grep -q "stalling: holding a batch" "$WORK/medgated.log" || fail "the hung target was never called"
wait_until 30 grep -q "a.ndjson: $N records emitted" "$WORK/medgated.log" || fail "the source did not ingest all $N records"
pass "healthy target received all $N records while one target hangs and one is down"

t0=$SECONDS
stop_daemon
[ $((SECONDS - t0)) -le 15 ] || fail "stop took $((SECONDS - t0)) s with a hung target (drain timeout 2 s)"
[ "$(output_lines "$WORK/out/healthy")" -eq $N ] || fail "healthy target has $(output_lines "$WORK/out/healthy") records, want exactly $N"
pass "SIGTERM with a hung target: stopped in $((SECONDS - t0)) s, exit 0"

# The same instances, now healthy: every record the stuck targets never took is still spooled.
write_config "{plugin: file, config: {path: out/hung}}" "{plugin: file, config: {path: out/down}}"
start_daemon "$WORK/medgate.yaml"
wait_until 60 has_lines "$WORK/out/hung" $N || fail "hung target got $(output_lines "$WORK/out/hung") of $N after recovery"
wait_until 60 has_lines "$WORK/out/down" $N || fail "down target got $(output_lines "$WORK/out/down") of $N after recovery"
stop_daemon
for t in healthy hung down; do
  got=$(cat "$WORK/out/$t"/*.ndjson* | python3 -c 'import json,sys; ids=[json.loads(l)["source_record_id"] for l in sys.stdin]; print(len(ids), len(set(ids)))')
  [ "$got" = "$N $N" ] || fail "$t: records/distinct = $got, want $N $N"
done
pass "after recovery each stuck target received all $N records, none duplicated; the healthy one got none twice"

# A deaf plugin: never returns from deliver(), ignores the stop request.
write_config "{plugin: file, config: {path: out/hung}}" "{plugin: stalling, config: {mode: deaf}}"
for i in $(seq 1 10); do
  echo "{\"source_record_id\":\"d$i\",\"event_type\":\"visit\",\"occurred_at\":\"2026-01-02T00:00:00Z\"}"
done > "$WORK/deaf.ndjson"
start_daemon "$WORK/medgate.yaml" --drain-timeout 1
write_inbox_file "$WORK/deaf.ndjson" "$WORK/inbox" b.ndjson
wait_until 60 has_lines "$WORK/out/healthy" $((N + 10)) || fail "healthy target did not get the 10 new records"
wait_until 30 grep -q "stalling: deaf" "$WORK/medgated.log" || fail "the deaf target was never called"
kill -TERM "$DAEMON_PID"; rc=0; wait "$DAEMON_PID" || rc=$?; DAEMON_PID=""
[ "$rc" -eq 3 ] || fail "medgated exited with $rc, want 3 for a plugin that never returns"
grep -q "still inside plugin code after the deadline: target down;" "$WORK/medgated.log" || fail "stuck target not named"
pass "a plugin deaf to stop: medgated exits 3 after the deadline and names the target"

write_config "{plugin: file, config: {path: out/hung}}" "{plugin: file, config: {path: out/down}}"
start_daemon "$WORK/medgate.yaml"
wait_until 60 has_lines "$WORK/out/down" $((N + 10)) || fail "down target got $(output_lines "$WORK/out/down") of $((N + 10)) after the deaf run"
stop_daemon
got=$(cat "$WORK/out/down"/*.ndjson* | python3 -c 'import json,sys; ids=[json.loads(l)["source_record_id"] for l in sys.stdin]; print(len(ids), len(set(ids)))')
[ "$got" = "$((N + 10)) $((N + 10))" ] || fail "down: records/distinct = $got after the deaf run"
pass "records held by the deaf plugin were delivered after the restart, none duplicated"

# A source deaf to stop: run() never returns. medgated exits 3 after the grace and names it.
write_config "{plugin: file, config: {path: out/hung}}" "{plugin: file, config: {path: out/down}}"
sed -i -e 's|^sources:$|sources:\n  deaf: {plugin: stalling}|' -e 's|from: \[inbox\]|from: [inbox, deaf]|' "$WORK/medgate.yaml"
"$MEDGATED" --check --config "$WORK/medgate.yaml" > /dev/null || fail "config with the deaf source does not check"
start_daemon "$WORK/medgate.yaml" --drain-timeout 1
wait_until 30 grep -q "stalling source: deaf" "$WORK/medgated.log" || fail "the deaf source never ran"
t0=$SECONDS
kill -TERM "$DAEMON_PID"; rc=0; wait "$DAEMON_PID" || rc=$?; DAEMON_PID=""
[ "$rc" -eq 3 ] || fail "medgated exited with $rc, want 3 for a source that never returns"
[ $((SECONDS - t0)) -le 20 ] || fail "stop took $((SECONDS - t0)) s with a deaf source"
grep -q "still inside plugin code after the deadline: source deaf;" "$WORK/medgated.log" || fail "stuck source not named"
pass "a source deaf to stop: medgated exits 3 after the grace and names the source"

