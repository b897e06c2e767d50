#!/usr/bin/env bash
# A plugin that throws from Source::run and Target::deliver does not take the
# daemon down: the failures are reported with the plugin's name, the source is
# restarted, and the other source/target keep flowing. Plugins built for
# another SDK major version or toolchain are refused with both versions named.
source "$(dirname "$0")/lib.sh"

test_plugin_keys
{ test_plugin_config_head; cat <<YAML; } > "$WORK/medgate.yaml"
# An ephemeral admin port: tests run in parallel, and a demo may hold 8580.
admin: {listen: 127.0.0.1:0}
identity: {key: k}
sources:
  inbox: {plugin: file, config: {path: inbox, poll_interval: 50ms}}
  bad_source: {plugin: throwing, config: {throw_in: run}}
targets:
  out: {plugin: file, config: {path: out}}
  bad_target: {plugin: throwing, retry_initial: 50ms, retry_max: 200ms, config: {throw_in: deliver}}
routes:
  - {name: r1, from: [inbox, bad_source], to: [out, bad_target], policy: p}
policies:
  p:
    purpose: analytics
    rules: [{field: patient.gender, method: keep}]
YAML

# The refused plugins are reported, naming both sides' versions.
"$MEDGATED" --check --config "$WORK/medgate.yaml" > "$WORK/check.out" 2> "$WORK/check.err" || fail "check failed: $(cat "$WORK/check.err")"
HOST_SDK=$("$MEDGATED" --version | sed -n 's/.*(plugin SDK \([0-9]*\.[0-9]*\).*/\1/p')
[ -n "$HOST_SDK" ] || fail "medgated --version does not name its plugin SDK: $("$MEDGATED" --version)"
grep -q "sdk_major_2_plugin.so was built for medgate SDK 2.0 but this medgated provides SDK $HOST_SDK" "$WORK/check.err" \
  || fail "major version refusal not reported: $(cat "$WORK/check.err")"
grep -q "foreign_build_plugin.so was built with cxxabi-1002;libstdc++-9-cxx11abi0;boost-106700 but this medgated was built with cxxabi-" "$WORK/check.err" \
  || fail "build identity refusal not reported"
pass "incompatible plugins refused with both versions named"

for i in $(seq 1 20); do
  echo "{\"source_record_id\":\"r$i\",\"event_type\":\"visit\",\"occurred_at\":\"2026-01-01T00:00:00Z\",\"patient\":{\"gender\":\"female\"}}"
done > "$WORK/in.ndjson"
start_daemon "$WORK/medgate.yaml" --drain-timeout 1
write_inbox_file "$WORK/in.ndjson" "$WORK/inbox" a.ndjson
wait_until 30 has_lines "$WORK/out" 20 || fail "records did not reach the healthy target"
wait_until 30 grep -q "plugin 'throwing' threw from Source::run: deliberate failure in run" "$WORK/medgated.log" \
  || fail "source exception not reported"
wait_until 30 grep -q "restarting in" "$WORK/medgated.log" || fail "source not restarted"
wait_until 30 grep -q "plugin 'throwing' threw a non-standard exception from Target::deliver" "$WORK/medgated.log" \
  || fail "target exception not reported"
kill -0 "$DAEMON_PID" || fail "medgated died"
pass "throwing source and target reported; daemon alive; healthy target got all 20 records"
stop_daemon
pass "clean stop after plugin failures"
