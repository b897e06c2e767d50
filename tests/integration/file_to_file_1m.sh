#!/usr/bin/env bash
# ctest: RUN_SERIAL
# One million generated records through file source -> file targets: none lost,
# none duplicated; the independent leak scanner finds no raw identifier in the
# analytics-strict or outreach-minimal output; a sample validates against the
# profile schema with ajv.
source "$(dirname "$0")/lib.sh"
: "${SHARED_DIR:?}"
N=${MEDGATE_1M_RECORDS:-1000000}
demo_config "$WORK/medgate.yaml"
python3 "$SHARED_DIR/bench/gen_records.py" "$N" 7 > "$WORK/in.ndjson"
start_daemon "$WORK/medgate.yaml"
t0=$(date +%s.%N)
write_inbox_file "$WORK/in.ndjson" "$WORK/var/inbox" big.ndjson
OUT="$WORK/var/out/analytics"
wait_until 900 has_lines "$OUT" "$N" || fail "only $(output_lines "$OUT") of $N records arrived"
wait_until 900 has_lines "$WORK/var/out/outreach" "$N" || fail "only $(output_lines "$WORK/var/out/outreach") of $N records reached outreach"
t1=$(date +%s.%N)
stop_daemon
python3 - "$OUT" "$N" <<'PY' || fail "lost or duplicated records"
import glob, json, sys
ids, n = set(), 0
for p in glob.glob(sys.argv[1] + "/*.ndjson*"):
    for line in open(p, encoding="utf-8"):
        ids.add(json.loads(line)["source_record_id"]); n += 1
want = int(sys.argv[2])
expected = {"HIS-%09d" % i for i in range(want)}
print(f"{n} lines, {len(ids)} distinct source_record_ids, missing {len(expected - ids)}, duplicates {n - len(ids)}")
sys.exit(0 if n == want and ids == expected else 1)
PY
echo "throughput: $N records in $(python3 -c "print(round($t1-$t0,1))") s end to end (file -> daemon -> file, durable)"
pass "$N records, none lost, none duplicated"
# Both outputs scanned at once (one core each).
scan_pids=()
for out in analytics outreach; do
  /usr/bin/python3 "$SOURCE_DIR/tests/leak/leak_scan.py" --gen-records "$WORK/in.ndjson" "$WORK/var/out/$out" \
    > "$WORK/scan-$out.out" 2>&1 &
  scan_pids+=($!)
done
for i in 0 1; do
  out=$([ $i -eq 0 ] && echo analytics || echo outreach)
  wait "${scan_pids[$i]}" || { cat "$WORK/scan-$out.out"; fail "raw identifiers in $out output"; }
  pass "$out: $(head -1 "$WORK/scan-$out.out")"
done
cat "$OUT"/*.ndjson* | shuf -n 2000 --random-source=<(yes) > "$WORK/sample.ndjson"
bash "$SOURCE_DIR/tests/schema/validate.sh" "$SOURCE_DIR/schemas/patient_profile.schema.json" "$WORK/sample.ndjson" \
  || fail "sample does not validate"
pass "2000-record sample validates against the profile schema (ajv)"
