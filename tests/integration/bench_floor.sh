#!/bin/bash
# bench/run.py on a small input: the transform benchmark docs/benchmarks.md
# quotes keeps working, with the floor row (medgate_floor_bench: parsing and
# the required SHA-256 work alone). The floor's counts must match what the
# pipeline does per record under analytics-strict: three HMACs (the patient
# token, the MRN and the phone) and one audit line of the size medgated
# writes; and the floor, a part of the transform's work, must take less time
# than the whole transform.
source "$(dirname "$0")/lib.sh"

n=3000
out=$(MEDGATE_BUILD_DIR="$BUILD_DIR" python3 "$SOURCE_DIR/bench/run.py" --records $n --runs 1 --skip-e2e \
      2>"$WORK/bench.err") || { cat "$WORK/bench.err" >&2; fail "bench/run.py exited non-zero"; }
echo "$out"
cat "$WORK/bench.err"

floor=$(grep "^run 1: floor: " "$WORK/bench.err") || fail "no floor run line"
field() { echo "$floor" | tr ' ()' '\n\n\n' | sed -n "s/^$1=//p"; }
[ "$(field records)" = $n ] || fail "floor records: $(field records), expected $n"
[ "$(field tokens)" = $((3 * n)) ] || fail "floor tokens: $(field tokens), expected $((3 * n))"
bytes=$(field audit_bytes)
[ "$bytes" -ge $((800 * n)) ] && [ "$bytes" -le $((1300 * n)) ] ||
  fail "floor audit bytes $bytes: not about 1 KB per record"

echo "$out" | grep -q "^| floor: parsing and SHA-256 work only (medgate_floor_bench) | " || fail "no floor row"
echo "$out" | grep -q "^15x the Python reference: .* us per record; the floor: .* us per record, so at most " ||
  fail "no floor summary line"

transform=$(sed -n 's/^run 1: medgate transform (1 thread): \([0-9.]*\) s$/\1/p' "$WORK/bench.err")
floor_s=$(field floor_s)
awk -v f="$floor_s" -v t="$transform" 'BEGIN { exit !(f > 0 && f < t) }' ||
  fail "the floor ($floor_s s) is not between 0 and the whole transform ($transform s)"
pass "bench/run.py ran with the floor; its counts match the pipeline's work"
