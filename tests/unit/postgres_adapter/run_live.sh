#!/usr/bin/env bash
# Runs postgres_adapter_live_test against a private PostgreSQL cluster that
# lives only as long as this script: run_live.sh TEST_BINARY [GTEST ARGS...]
set -euo pipefail
test_binary=${1:?usage: run_live.sh TEST_BINARY [GTEST ARGS...]}
shift
lib=$(cd "$(dirname "$0")/../../integration/lib" && pwd)/postgres.sh
# shellcheck source=../../integration/lib/postgres.sh
source "$lib"
dir=$(mktemp -d /tmp/medgate-pgunit.XXXXXX)
trap 'rm -rf "$dir"' EXIT
start_postgres "$dir/pg"  # chains its own stop in front of the trap above
export MEDGATE_PG_LIB=$lib MEDGATE_PG_DIR=$PG_DIR
"$test_binary" "$@"
