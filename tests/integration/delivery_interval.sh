#!/usr/bin/env bash
# targets.NAME.delivery_interval: records that become readable within the
# interval after a target's previous read go to it together, in one
# Target::deliver() call (medgate_target_deliveries_total); the first record
# after a quiet spell is not held back, and a shutdown does not wait for the
# interval. A target beside it with interval 0 delivers every commit alone.
source "$(dirname "$0")/lib.sh"
test_plugin_keys
make_key "$WORK/keys/a.token"
PORT=$(free_port)
INTERVAL=10
{ test_plugin_config_head; cat <<YAML; inbox_route_yaml paced eager; } > "$WORK/medgate.yaml"
identity: {key: k}
admin: {enabled: true, listen: 127.0.0.1:$PORT, tokens: [{file: keys/a.token, role: auditor}]}
sources:
  inbox: {plugin: file, config: {path: inbox, poll_interval: 50ms}}
targets:
  paced: {plugin: file, delivery_interval: ${INTERVAL}s, config: {path: out/paced}}
  eager: {plugin: file, delivery_interval: 0, config: {path: out/eager}}
YAML
ADMIN_URL="http://127.0.0.1:$PORT"
delivered() { metric "medgate_target_records_total{target=\"$1\",outcome=\"delivered\"}"; }
deliveries() { metric "medgate_target_deliveries_total{target=\"$1\"}"; }
delivered_is() { [ "$(delivered "$1")" = "$2" ]; }
# send NAME: one record in its own inbox file (its own commit), then waits
# until the eager target has it, so the next one is a separate commit.
sent=0
send() {
  echo "{\"source_record_id\":\"$1\",\"event_type\":\"visit\",\"occurred_at\":\"2026-01-01T00:00:00Z\",\"patient\":{\"gender\":\"female\"}}" \
    > "$WORK/$1.ndjson"
  write_inbox_file "$WORK/$1.ndjson" "$WORK/inbox" "$1.ndjson"
  sent=$((sent + 1))
  wait_until 30 delivered_is eager $sent || fail "record $1 did not reach the eager target"
}

start_daemon "$WORK/medgate.yaml"
wait_until 30 metric_is 'medgate_target_deliveries_total{target="paced"}' 0 || fail "no deliveries metric"
started=$SECONDS
send r1
wait_until 30 delivered_is paced 1 || fail "the first record never reached the paced target"
[ $((SECONDS - started)) -lt $INTERVAL ] || fail "the first record after a quiet spell waited for the interval"
pass "the first record went at once (after $((SECONDS - started)) s, interval ${INTERVAL}s)"

for r in r2 r3 r4 r5; do send $r; done
[ "$(deliveries eager)" = 5 ] || fail "the eager target made $(deliveries eager) deliveries for 5 commits, not 5"
wait_until 60 delivered_is paced 5 || fail "the paced target did not get the four later records"
[ "$(deliveries paced)" = 2 ] || fail "the paced target made $(deliveries paced) deliveries, not 2 (r1, then r2-r5 together)"
pass "four commits within the interval went to the paced target in one delivery (eager: one each)"

send r6  # readable now; the paced target's next read is up to ${INTERVAL}s away
t0=$SECONDS
stop_daemon
[ $((SECONDS - t0)) -lt $INTERVAL ] || fail "shutting down waited for the delivery interval ($((SECONDS - t0)) s)"
[ "$(output_lines "$WORK/out/paced")" = 6 ] || fail "the paced target has $(output_lines "$WORK/out/paced") records after the drain, not 6"
pass "shutdown drained the paced target without waiting for the interval ($((SECONDS - t0)) s)"
