#!/bin/bash
# bench/mllp.py on a small load: the benchmark docs/benchmarks.md quotes keeps
# working (it edits the demo config and reads medgated's /metrics), and the
# emit-path histograms add up: every emit timed, each commit's steps timed.
source "$(dirname "$0")/lib.sh"

out=$(MEDGATE_BUILD_DIR="$BUILD_DIR" python3 "$SOURCE_DIR/bench/mllp.py" --messages 400 --runs 1 --connections 1,8 \
      2>"$WORK/bench.err") || { cat "$WORK/bench.err" >&2; fail "bench/mllp.py exited non-zero"; }
echo "$out"

# Every run line: all ACKs AA, and the step means present.
runs=$(grep -c "^run 1: .*not_aa=0 failed_connections=0 .* emit_ms=" "$WORK/bench.err" || true)
[ "$runs" = 2 ] || { cat "$WORK/bench.err" >&2; fail "expected 2 clean runs with emit_ms, got $runs"; }

# The second table: one row per connection count, emit > 0, audit > 0 and
# spool > 0 ms per commit (both fdatasync), at least one batch per commit.
for c in 1 8; do
  row=$(echo "$out" | grep "^| $c | " | tail -1)
  echo "$row" | awk -F'|' -v c="$c" '{
      emit=$3+0; audit=$6+0; spool=$7+0; per=$8+0
      if (emit <= 0 || audit <= 0 || spool <= 0 || per < 1) {
        print "bad step means for " c " connections: " $0 > "/dev/stderr"; exit 1 } }' ||
    fail "the emit-path table is wrong for $c connections"
done
pass "bench/mllp.py ran, every emit and commit step timed"
