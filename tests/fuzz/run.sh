#!/usr/bin/env bash
# Builds the libFuzzer targets with clang into BUILD_DIR and runs each for
# SECONDS (default 30) against its seed corpus (corpus/NAME for fuzz_NAME).
# Exits non-zero when a target fails to build or the fuzzer finds a crash,
# leak, timeout or abort; the reproducer lands in BUILD_DIR/artifacts/.
#
#   tests/fuzz/run.sh BUILD_DIR [SECONDS] [TARGET...]
#   tests/fuzz/run.sh /tmp/fuzz 60 fuzz_line_mapper
#
# Environment: CXX (default clang++), FUZZ_JOBS (parallel build jobs).
set -euo pipefail

usage() { echo "usage: $0 BUILD_DIR [SECONDS] [TARGET...]" >&2; exit 2; }
[ $# -ge 1 ] || usage
case "${1:-}" in -h|--help) sed -n '2,11p' "$0"; exit 0 ;; esac
here=$(cd "$(dirname "$0")" && pwd)
build=$1; shift
seconds=30
if [ $# -ge 1 ]; then seconds=$1; shift; fi
[[ $seconds =~ ^[0-9]+$ ]] || usage
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_json fuzz_hl7 fuzz_mllp fuzz_line_mapper fuzz_fhir fuzz_config fuzz_audit_line fuzz_text_scrubber)

cxx=${CXX:-clang++}
command -v "$cxx" >/dev/null || { echo "$0: $cxx not found (apt-get install clang)" >&2; exit 2; }
config=ON
[[ " ${targets[*]} " == *" fuzz_config "* ]] || config=OFF
scrub=ON
[[ " ${targets[*]} " == *" fuzz_text_scrubber "* ]] || scrub=OFF
cmake -S "$here" -B "$build" -DCMAKE_CXX_COMPILER="$cxx" -DMEDGATE_FUZZ_CONFIG=$config \
  -DMEDGATE_FUZZ_SCRUB=$scrub >/dev/null
cmake --build "$build" -j "${FUZZ_JOBS:-$(nproc)}" --target "${targets[@]}"

mkdir -p "$build/artifacts"
failed=()
for t in "${targets[@]}"; do
  name=${t#fuzz_}
  seeds=$here/corpus/$name
  work=$build/corpus/$name  # new inputs go here, not into the repository
  mkdir -p "$work"
  echo "== $t: ${seconds}s (seeds: $seeds)"
  if "$build/bin/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
       -artifact_prefix="$build/artifacts/$t-" "$work" "$seeds"; then
    echo "== $t: no crash"
  else
    echo "== $t: FAILED (see $build/artifacts/)" >&2
    failed+=("$t")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzzing found problems in: ${failed[*]}" >&2
  exit 1
fi
