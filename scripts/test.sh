#!/usr/bin/env bash
# Runs the whole test suite: installs what is missing, builds, then runs every
# test through CTest (unit tests, integration tests against the real daemon,
# schema validation with an independent validator, bounded fuzzing).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
cd build
ctest --output-on-failure -j"$(nproc)" --timeout 900
