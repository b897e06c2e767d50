#!/usr/bin/env bash
# A target whose peer is down: after circuit_failures attempts in a row the
# circuit opens (logged once, medgate_target_circuit_open 1) and every further
# attempt carries a single record; when the peer is back, the probe closes it,
# batches resume and every record is delivered; a healthy target beside it
# was never held up.
source "$(dirname "$0")/lib.sh"
test_plugin_keys
make_key "$WORK/keys/a.token"
PORT=$(free_port)
{ test_plugin_config_head; cat <<YAML; inbox_route_yaml healthy flaky; } > "$WORK/medgate.yaml"
identity: {key: k}
admin: {enabled: true, listen: 127.0.0.1:$PORT, tokens: [{file: keys/a.token, role: auditor}]}
sources:
  inbox: {plugin: file, config: {path: inbox, poll_interval: 50ms}}
targets:
  healthy: {plugin: file, config: {path: out/healthy}}
  flaky:
    plugin: stalling
    batch_max: 200
    retry_initial: 10ms
    retry_max: 50ms
    circuit_failures: 4
    config: {mode: down_until, until_exists: peer-is-up}
YAML
N=1000
for i in $(seq 1 $N); do
  echo "{\"source_record_id\":\"r$i\",\"event_type\":\"visit\",\"occurred_at\":\"2026-01-01T00:00:00Z\",\"patient\":{\"gender\":\"male\"}}"
done > "$WORK/in.ndjson"
ADMIN_URL="http://127.0.0.1:$PORT"
down_calls() { grep -c "stalling: given .* while down" "$WORK/medgated.log" || true; }
at_least_down_calls() { [ "$(down_calls)" -ge "$1" ]; }

start_daemon "$WORK/medgate.yaml"
write_inbox_file "$WORK/in.ndjson" "$WORK/inbox" a.ndjson
wait_until 60 has_lines "$WORK/out/healthy" $N || fail "the healthy target was held up"
wait_until 30 grep -q "target flaky: circuit open after 4 failed attempts in a row" "$WORK/medgated.log" \
  || fail "the circuit never opened"
wait_until 30 metric_is 'medgate_target_circuit_open{target="flaky"}' 1 || fail "metric does not show the open circuit"
wait_until 30 at_least_down_calls 10 || fail "no probes after opening"
grep "while down" "$WORK/medgated.log" | head -4 | grep -vq "given 200 records" && fail "the first attempts were not whole batches"
grep "while down" "$WORK/medgated.log" | sed -n '5,$p' | grep -vq "given 1 records" && fail "an attempt with an open circuit carried more than one record"
[ "$(grep -c 'circuit open' "$WORK/medgated.log")" -eq 1 ] || fail "the opening was logged more than once"
pass "circuit opened after 4 failures (logged once); $(down_calls) attempts, all probes of one record after that"

touch "$WORK/peer-is-up"
wait_until 30 grep -q "target flaky: circuit closed" "$WORK/medgated.log" || fail "the circuit never closed"
wait_until 30 grep -q "stalling: given 200 records while up" "$WORK/medgated.log" || fail "batches did not resume"
wait_until 30 metric_is 'medgate_target_records_total{target="flaky",outcome="delivered"}' $N || fail "not all delivered"
metric_is 'medgate_target_circuit_open{target="flaky"}' 0 || fail "metric still shows the circuit open"
stop_daemon
pass "peer back: the probe closed the circuit, batches resumed, all $N delivered"
