#!/usr/bin/env bash
# The http target end to end: file source -> medgated -> http target ->
# tests/tools/http_receiver/receiver.py, which verifies every signature and
# answers 500 to the first requests, then 200, and 400 to any request holding
# a record marked REFUSE. Every unmarked record arrives (at-least-once: a
# record stored more than once must have been in a request answered 5xx),
# and exactly the marked records land in the dead-letter queue
# (STATE/dlq/web.ndjson) with the receiver's reason; /metrics agrees.
source "$(dirname "$0")/lib.sh"
RECEIVER="$SOURCE_DIR/tests/tools/http_receiver/receiver.py"
RECEIVER_PID=""
stop_receiver() { if [ -n "$RECEIVER_PID" ]; then kill "$RECEIVER_PID" 2>/dev/null || true; wait "$RECEIVER_PID" 2>/dev/null || true; RECEIVER_PID=""; fi; }
trap 'stop_receiver; cleanup' EXIT

N=400          # records in the inbox file
EVERY=37       # every 37th record is marked REFUSE
FAIL_FIRST=3   # the receiver answers 500 to its first 3 verified requests

make_key "$WORK/keys/k.key"
make_signing_key "$WORK/keys/audit.key"
make_key "$WORK/keys/http.secret"

python3 "$RECEIVER" --secret-file "$WORK/keys/http.secret" --out "$WORK/received.ndjson" \
  --requests-log "$WORK/requests.ndjson" --fail-first $FAIL_FIRST --reject-marker REFUSE \
  > "$WORK/receiver.port" 2> "$WORK/receiver.log" &
RECEIVER_PID=$!
wait_until 20 test -s "$WORK/receiver.port" || fail "receiver did not start: $(cat "$WORK/receiver.log")"
PORT=$(head -1 "$WORK/receiver.port")

# The receiver refuses what the docs say to refuse: no signature, a wrong
# one, and a correctly signed request whose timestamp is 10 minutes old.
SECRET=$(cat "$WORK/keys/http.secret")
sig() { printf '%s.%s' "$1" "$2" | openssl dgst -sha256 -hmac "$3" | sed 's/^.*= //'; }
post() { curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' "$@" "http://127.0.0.1:$PORT/ingest"; }
BODY='{"records":[]}'
NOW=$(date +%s); OLD=$((NOW - 600))
[ "$(post -d "$BODY")" = 401 ] || fail "receiver accepted an unsigned request"
[ "$(post -d "$BODY" -H "X-Medgate-Timestamp: $NOW" -H "X-Medgate-Signature: v1=$(sig "$NOW" "$BODY" wrong-key)")" = 401 ] \
  || fail "receiver accepted a wrong signature"
stale=$(curl -s -w ' %{http_code}' -d "$BODY" -H "X-Medgate-Timestamp: $OLD" \
  -H "X-Medgate-Signature: v1=$(sig "$OLD" "$BODY" "$SECRET")" "http://127.0.0.1:$PORT/ingest")
[ "$stale" = "timestamp outside the tolerance 401" ] || fail "stale timestamp: receiver answered '$stale'"
: > "$WORK/requests.ndjson"
pass "receiver refuses unsigned, wrongly signed and stale requests (401)"

{ cat <<YAML; inbox_route_yaml web; } > "$WORK/medgate.yaml"
state_dir: state
admin: {listen: 127.0.0.1:0}
keys: [{id: k, file: keys/k.key}]
audit: {signing_key: keys/audit.key}
identity: {key: k}
sources:
  inbox: {plugin: file, config: {path: inbox, poll_interval: 50ms}}
targets:
  web:
    plugin: http
    batch_max: 50
    retry_initial: 20ms
    retry_max: 200ms
    config:
      url: http://127.0.0.1:$PORT/ingest
      secret_file: keys/http.secret
      timeout: 5s
      headers: ["X-Tenant: it"]
YAML
use_admin_port "$WORK/medgate.yaml"
"$MEDGATED" --check --config "$WORK/medgate.yaml" > "$WORK/check.out" 2>&1 || fail "config does not check: $(cat "$WORK/check.out")"

# An inline credential in headers is refused by --check, naming the option.
sed 's|headers: \["X-Tenant: it"\]|headers: ["Authorization: Bearer inline"]|' "$WORK/medgate.yaml" > "$WORK/bad.yaml"
if "$MEDGATED" --check --config "$WORK/bad.yaml" > "$WORK/bad.out" 2>&1; then fail "--check accepted an inline Authorization header"; fi
grep -q "bearer_token_file" "$WORK/bad.out" || fail "--check did not explain the inline credential: $(cat "$WORK/bad.out")"
pass "--check accepts the http target config and refuses an inline Authorization header"

REFUSED=0
for i in $(seq 1 $N); do
  if [ $((i % EVERY)) -eq 0 ]; then id="REFUSE-$i"; REFUSED=$((REFUSED + 1)); else id="r$i"; fi
  echo "{\"source_record_id\":\"$id\",\"event_type\":\"visit\",\"occurred_at\":\"2026-01-01T00:00:00Z\",\"patient\":{\"gender\":\"female\"}}"
done > "$WORK/in.ndjson"
GOOD=$((N - REFUSED))

dlq_lines() { [ -f "$WORK/state/dlq/web.ndjson" ] && wc -l < "$WORK/state/dlq/web.ndjson" || echo 0; }
distinct_received() {
  [ -f "$WORK/received.ndjson" ] || { echo 0; return; }
  python3 -c 'import json,sys; print(len({json.loads(l)["idempotency_key"] for l in open(sys.argv[1])}))' "$WORK/received.ndjson"
}
all_arrived() { [ "$(distinct_received)" -ge $GOOD ] && [ "$(dlq_lines)" -ge $REFUSED ]; }

start_daemon "$WORK/medgate.yaml"
write_inbox_file "$WORK/in.ndjson" "$WORK/inbox" a.ndjson
wait_until 120 all_arrived || fail "received $(distinct_received) of $GOOD records, $(dlq_lines) of $REFUSED dead letters"
web_records() { metric "medgate_target_records_total{target=\"web\",outcome=\"$1\"}"; }
[ "$(web_records dead_lettered)" = "$REFUSED" ] || fail "metrics: dead_lettered = '$(web_records dead_lettered)', want $REFUSED"
[ "$(web_records delivered)" = "$GOOD" ] || fail "metrics: delivered = '$(web_records delivered)', want $GOOD"
pass "/metrics counts $GOOD delivered and $REFUSED dead-lettered for the http target"
stop_daemon
stop_receiver

python3 - "$WORK/received.ndjson" "$WORK/requests.ndjson" "$WORK/state/dlq/web.ndjson" $N $EVERY $FAIL_FIRST <<'PY' || fail "delivery check failed"
import collections, json, sys
received, requests, dlq = ([json.loads(l) for l in open(p, encoding="utf-8")] for p in sys.argv[1:4])
n, every, fail_first = map(int, sys.argv[4:7])
want = {f"r{i}" for i in range(1, n + 1) if i % every}
want_refused = {f"REFUSE-{i}" for i in range(1, n + 1) if i % every == 0}

got = collections.Counter(r["record"]["source_record_id"] for r in received)
assert set(got) == want, f"stored ids differ: missing {sorted(want - set(got))[:5]}, extra {sorted(set(got) - want)[:5]}"
keys = collections.Counter(r["idempotency_key"] for r in received)
assert len(keys) == len(want), f"{len(keys)} distinct keys for {len(want)} records"
after_5xx = {k for q in requests if q["status"] >= 500 for k in q["keys"]}
dupes = [k for k, c in keys.items() if c > 1 and k not in after_5xx]
assert not dupes, f"{len(dupes)} records stored twice without a 5xx in between"

statuses = collections.Counter(q["status"] for q in requests)
assert statuses[500] == fail_first, f"receiver answered 500 {statuses[500]} times, want {fail_first}"
assert statuses[401] == 0, "some requests failed signature or timestamp verification"
assert [q["status"] for q in requests[:fail_first]] == [500] * fail_first

refused = {json.loads(d["payload"])["source_record_id"]: d["reason"] for d in dlq}
assert set(refused) == want_refused, f"dead letters {sorted(refused)} != {sorted(want_refused)}"
for rid, reason in refused.items():
    assert reason == "HTTP 400: record refused: contains the reject marker", f"{rid}: reason {reason!r}"
print(f"{len(received)} stored ({len(keys)} distinct), {len(dlq)} dead letters, statuses {dict(statuses)}")
PY
pass "all $GOOD unmarked records arrived once by idempotency key after $FAIL_FIRST HTTP 500s; the $REFUSED marked ones are dead letters with the receiver's reason"

grep -q "records rejected after" "$WORK/medgated.log" || fail "refusals not logged"
grep -q "HTTP 500: scripted failure" "$WORK/medgated.log" || fail "the 500s were not logged as retries"
pass "retries and refusals are logged"
