#!/usr/bin/env bash
# The kafka target end to end: medgated reads N records (100 patients, their
# records interleaved) from the file inbox and produces them to a 3-broker
# mock cluster (tests/tools/kafka_mock) with 3 partitions. kcat then reads
# the topic back: exactly N messages, every idempotency key once, each
# patient's records in one partition and in the order they were written,
# message key = patient token, no raw identifiers in the values.
source "$(dirname "$0")/lib.sh"
MOCK="$BUILD_DIR/tests/tools/kafka_mock/kafka_mock_cluster"
TOPIC=medgate.events
N=5000
[ -x "$MOCK" ] || fail "$MOCK not built (ninja kafka_mock_cluster)"
[ -f "$BUILD_DIR/lib/medgate/plugins/kafka.so" ] || fail "kafka.so not built (ninja kafka)"
command -v kcat > /dev/null || fail "kcat missing (scripts/setup.sh installs it)"

MOCK_PID=""
stop_mock() {
  exec 7>&- 2>/dev/null || true  # end of its stdin: the mock exits by itself
  if [ -n "$MOCK_PID" ] && kill -0 "$MOCK_PID" 2>/dev/null; then kill -TERM "$MOCK_PID" 2>/dev/null || true; fi
  [ -z "$MOCK_PID" ] || wait "$MOCK_PID" 2>/dev/null || true
  MOCK_PID=""
}
trap 'stop_mock; cleanup' EXIT

mkfifo "$WORK/mock.in"
"$MOCK" --brokers 3 --topic "$TOPIC" --partitions 3 < "$WORK/mock.in" > "$WORK/mock.out" 2> "$WORK/mock.err" &
MOCK_PID=$!
exec 7> "$WORK/mock.in"  # keeps the mock's stdin open until the test ends
wait_until 30 test -s "$WORK/mock.out" || fail "mock cluster printed no bootstrap servers: $(cat "$WORK/mock.err")"
BOOTSTRAP=$(head -1 "$WORK/mock.out")
pass "mock cluster up at $BOOTSTRAP"

make_key "$WORK/keys/k.key"
make_signing_key "$WORK/keys/audit.key"
cat > "$WORK/medgate.yaml" <<YAML
state_dir: state
keys: [{id: k, file: keys/k.key}]
audit: {signing_key: keys/audit.key}
identity: {key: k}
admin: {listen: 127.0.0.1:0}
sources:
  inbox: {plugin: file, config: {path: inbox, poll_interval: 50ms}}
targets:
  events:
    plugin: kafka
    batch_max: 500
    config:
      brokers: "$BOOTSTRAP"
      topic: $TOPIC
      client_id: medgate-it
      delivery_timeout: 10s
      linger: 5ms
      compression: lz4
routes:
  - {name: r, from: [inbox], to: [events], policy: p}
policies:
  p:
    purpose: analytics
    rules:
      - {field: patient.token, method: keep}
      - {field: patient.gender, method: keep}
      - {field: subject.name, method: drop}
      - {field: subject.resident_id, method: drop}
      - {field: subject.phone, method: drop}
      - {field: subject.mrn, method: token, to: patient.mrn_token}
      - {field: encounter, method: keep}
      - {field: diagnoses, method: keep}
YAML
use_admin_port "$WORK/medgate.yaml"
"$MEDGATED" --check --config "$WORK/medgate.yaml" > /dev/null || fail "config does not check"

# gen_records.py gives every record a new patient; here 100 patients share
# the N records, interleaved, so the per-patient order check means something.
python3 "$SHARED_DIR/bench/gen_records.py" "$N" 11 | python3 -c '
import json, random, sys
records = [json.loads(line) for line in sys.stdin]
patients = [dict(r) for r in records[:100]]
rng = random.Random(5)
for r in records:
    p = rng.choice(patients)
    for f in ("mrn", "name", "gender", "birth_date", "id_number", "phone", "address"):
        r[f] = p[f]
    print(json.dumps(r, ensure_ascii=False))
' > "$WORK/in.ndjson"
[ "$(wc -l < "$WORK/in.ndjson")" -eq "$N" ] || fail "generated $(wc -l < "$WORK/in.ndjson") records, want $N"

start_daemon "$WORK/medgate.yaml"
write_inbox_file "$WORK/in.ndjson" "$WORK/inbox" a.ndjson

# kcat -e reads every partition to its end and exits; -q drops its notices.
read_topic() { kcat -C -q -e -b "$BOOTSTRAP" -t "$TOPIC" -f '%p\t%o\t%k\t%h\t%s\n' 2> "$WORK/kcat.err"; }
topic_has() { [ "$(read_topic | wc -l)" -ge "$1" ]; }
wait_until 120 topic_has $N || fail "topic has $(read_topic | wc -l) of $N messages"
grep -q "producing to topic $TOPIC" "$WORK/medgated.log" || fail "kafka target did not log its start"
DELIVERED='medgate_target_records_total{target="events",outcome="delivered"}'
wait_until 30 metric_is "$DELIVERED" $N || fail "/metrics counts '$(metric "$DELIVERED")' delivered records, want $N"
stop_daemon
pass "medgated produced $N records to $TOPIC and stopped cleanly"

read_topic > "$WORK/topic.tsv"
python3 - "$WORK/in.ndjson" "$WORK/topic.tsv" "$N" <<'PY' || fail "topic content check failed (see above)"
import collections, json, sys
inputs, topic, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
written = {}   # source record id -> position in the input file
raw = set()    # identifiers that must not leave
for i, line in enumerate(open(inputs, encoding="utf-8")):
    r = json.loads(line)
    written[r["record_id"]] = i
    raw.update([r["id_number"], r["phone"], r["mrn"]])
problems = []
messages = [line.rstrip("\n").split("\t", 4) for line in open(topic, encoding="utf-8")]
if len(messages) != n:
    problems.append("%d messages, want %d" % (len(messages), n))
keys_seen = collections.Counter()
partition_of = {}
order = collections.defaultdict(list)  # (partition, key) -> [(offset, input position)]
for part, offset, key, headers, value in messages:
    h = dict(x.split("=", 1) for x in headers.split(",") if "=" in x)
    ikey = h.get("medgate-idempotency-key")
    if not ikey:
        problems.append("offset %s/%s has no medgate-idempotency-key header: %r" % (part, offset, headers))
        continue
    keys_seen[ikey] += 1
    rec = json.loads(value)
    if key != rec.get("patient", {}).get("token"):
        problems.append("message key is not the patient token at %s/%s" % (part, offset))
    if any(x in value for x in raw):
        problems.append("raw identifier in the value at %s/%s" % (part, offset))
    if partition_of.setdefault(key, part) != part:
        problems.append("patient %s in partitions %s and %s" % (key[:8], partition_of[key], part))
    order[(part, key)].append((int(offset), written[rec["source_record_id"]]))
dups = [k for k, c in keys_seen.items() if c > 1]
if dups:
    problems.append("%d idempotency keys more than once, e.g. %s" % (len(dups), dups[0]))
if len(keys_seen) != n:
    problems.append("%d distinct idempotency keys, want %d" % (len(keys_seen), n))
out_of_order = 0
for msgs in order.values():
    positions = [p for _, p in sorted(msgs)]
    out_of_order += sum(1 for a, b in zip(positions, positions[1:]) if a >= b)
if out_of_order:
    problems.append("%d records overtake an earlier record of the same patient" % out_of_order)
patients = len(partition_of)
partitions = len(set(partition_of.values()))
if patients != 100:
    problems.append("%d message keys, want the 100 patient tokens" % patients)
if partitions != 3:
    problems.append("patients spread over %d partitions, want 3" % partitions)
for p in problems[:20]:
    print("  " + p, file=sys.stderr)
sys.exit(1 if problems else 0)
PY
pass "$N messages, each idempotency key once, 100 patients over 3 partitions, per-patient order as written"

stop_mock
pass "mock cluster stopped"
