#!/usr/bin/env bash
# validate.sh SCHEMA DATA [DATA...]
# Validates every record of DATA (NDJSON: one record per line, .gz allowed;
# JSON: one document; YAML: one document) against SCHEMA with ajv, the
# independent validator (JSON Schema 2020-12, strict mode, ajv-formats).
# Prints "N records valid against SCHEMA", or each failing record as
# FILE:LINE: error, then a count.
# Exit: 0 all valid, 1 some record invalid (or no records), 2 usage/setup error.
# Installs the pinned validator (npm ci, from package-lock.json) on first use.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if [ $# -lt 2 ] || [ "$1" = "-h" ] || [ "$1" = "--help" ]; then
  sed -n '2,9s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
  exit 2
fi

ensure_validator() {
  [ -f "$here/node_modules/.package-lock.json" ] && [ -d "$here/node_modules/ajv" ] && return 0
  command -v npm >/dev/null || { echo "validate.sh: npm not found (install nodejs and npm)" >&2; exit 2; }
  # Parallel tests may get here together: one installs, the others wait.
  local lock="${TMPDIR:-/tmp}/medgate-schema-npm-$(printf '%s' "$here" | cksum | cut -d' ' -f1).lock"
  exec 9>"$lock"
  flock 9
  if [ ! -f "$here/node_modules/.package-lock.json" ] || [ ! -d "$here/node_modules/ajv" ]; then
    local log
    log=$(cd "$here" && npm ci --no-audit --no-fund --loglevel=error 2>&1) || {
      printf '%s\n' "$log" >&2
      echo "validate.sh: npm ci failed in $here" >&2
      exit 2
    }
  fi
  flock -u 9
}

ensure_validator
exec node "$here/validate.mjs" "$@"
