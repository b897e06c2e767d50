#!/usr/bin/env bash
# Self-test of the schemas and the validator kit, with ajv as the independent
# validator:
#   1. every schema in schemas/ compiles in strict mode (ajv-cli compile);
#   2. the profile schema accepts examples/valid/*.json and *.ndjson (the
#      latter real medgated output: gen_records.py 2000 5 through the demo
#      config, first 20 records, throwaway key) and rejects each of
#      examples/invalid/*.json for the reason named in invalid-expected.json;
#   3. the same for the input contract (input-valid/, input-invalid/);
#   4. the config schema accepts config/medgate.yaml and config-valid/*.yaml
#      and rejects each of config-invalid/*.yaml for its expected reason;
#   5. ajv-cli agrees with validate.mjs on a valid and an invalid example, and
#      validate.sh reads NDJSON (valid and invalid);
#   6. the audit record schema accepts audit-valid/*.ndjson (one entry of each
#      type) and rejects each of audit-invalid/*.json for its expected reason
#      (tests/integration/audit_log.sh validates a real log).
# Exit 0 when everything behaves as expected, 1 otherwise, 2 on setup errors.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
schemas="$root/schemas"
ex="$here/examples"
failures=0

step() { printf '\n== %s\n' "$*"; }
check() {  # check DESCRIPTION COMMAND...: runs it, counts a failure on non-zero exit
  local what=$1; shift
  if "$@"; then :; else echo "FAILED: $what"; failures=$((failures + 1)); fi
}
expect_fail() {  # expect_fail DESCRIPTION COMMAND...: the command must exit 1
  local what=$1 rc; shift
  "$@"; rc=$?
  if [ "$rc" -ne 1 ]; then echo "FAILED: $what (exit $rc, expected 1)"; failures=$((failures + 1)); fi
}

# Install the pinned validator once (validate.sh does the same on first use).
bash "$here/validate.sh" "$schemas/input_record.schema.json" "$ex/input-valid/minimal.json" >/dev/null || {
  echo "selftest: validator setup failed" >&2
  exit 2
}
ajv=("$here/node_modules/.bin/ajv" --spec=draft2020 --strict=true -c ajv-formats)
validate=(node "$here/validate.mjs")

step "1. schemas compile in strict mode (ajv-cli)"
(
  cd "$here"  # so that ajv-cli resolves ajv-formats from this kit
  for s in "$schemas"/*.schema.json; do
    refs=()
    for o in "$schemas"/*.schema.json; do [ "$o" != "$s" ] && refs+=(-r "$o"); done
    "${ajv[@]}" compile -s "$s" "${refs[@]}" || exit 1
  done
)
check "schemas compile" test $? -eq 0

step "2. patient profile: valid examples pass, invalid ones fail for the expected reason"
check "valid profiles" "${validate[@]}" "$schemas/patient_profile.schema.json" "$ex"/valid/*.json "$ex"/valid/*.ndjson
check "invalid profiles" "${validate[@]}" --expect-errors "$ex/invalid-expected.json" \
  "$schemas/patient_profile.schema.json" "$ex"/invalid/*.json
for f in "$ex"/invalid/*.json; do
  grep -q "\"$(basename "$f")\"" "$ex/invalid-expected.json" || check "$(basename "$f") listed in invalid-expected.json" false
done

step "3. input contract: valid examples pass, invalid ones fail for the expected reason"
check "valid inputs" "${validate[@]}" "$schemas/input_record.schema.json" "$ex"/input-valid/*.json
check "invalid inputs" "${validate[@]}" --expect-errors "$ex/input-invalid-expected.json" \
  "$schemas/input_record.schema.json" "$ex"/input-invalid/*.json

step "4. config: the demo config and full example pass, invalid configs fail for the expected reason"
check "valid configs" "${validate[@]}" "$schemas/config.schema.json" "$root/config/medgate.yaml" "$ex"/config-valid/*.yaml
check "invalid configs" "${validate[@]}" --expect-errors "$ex/config-invalid-expected.json" \
  "$schemas/config.schema.json" "$ex"/config-invalid/*.yaml
for f in "$ex"/config-invalid/*.yaml; do
  grep -q "\"$(basename "$f")\"" "$ex/config-invalid-expected.json" || check "$(basename "$f") listed in config-invalid-expected.json" false
done

step "5. ajv-cli agrees; validate.sh reads NDJSON"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
refs=(-r "$schemas/input_record.schema.json")
(cd "$here" && "${ajv[@]}" validate -s "$schemas/patient_profile.schema.json" "${refs[@]}" -d "$ex/valid/discharge-full.json")
check "ajv-cli accepts a valid profile" test $? -eq 0
out=$(cd "$here" && "${ajv[@]}" validate -s "$schemas/patient_profile.schema.json" "${refs[@]}" \
  -d "$ex/invalid/raw-phone-in-channels.json" 2>&1)
rc=$?
printf '%s\n' "$out" | grep -m1 "invalid"
check "ajv-cli rejects a raw phone in channels (exit $rc)" test "$rc" -ne 0
for f in "$ex"/valid/*.json; do node -e 'process.stdout.write(JSON.stringify(JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")))+"\n")' "$f"; done > "$tmp/valid.ndjson"
check "validate.sh accepts valid NDJSON" bash "$here/validate.sh" "$schemas/patient_profile.schema.json" "$tmp/valid.ndjson"
{ cat "$tmp/valid.ndjson"; node -e 'process.stdout.write(JSON.stringify(JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")))+"\n")' "$ex/invalid/subject-member.json"; } > "$tmp/mixed.ndjson"
expect_fail "validate.sh rejects NDJSON with a subject member" bash "$here/validate.sh" "$schemas/patient_profile.schema.json" "$tmp/mixed.ndjson"

step "6. audit log entries: valid entries pass, invalid ones fail for the expected reason"
check "valid audit entries" "${validate[@]}" "$schemas/audit_record.schema.json" "$ex"/audit-valid/*.ndjson
check "invalid audit entries" "${validate[@]}" --expect-errors "$ex/audit-invalid-expected.json" \
  "$schemas/audit_record.schema.json" "$ex"/audit-invalid/*.json
for f in "$ex"/audit-invalid/*.json; do
  grep -q "\"$(basename "$f")\"" "$ex/audit-invalid-expected.json" || check "$(basename "$f") listed in audit-invalid-expected.json" false
done

echo
if [ "$failures" -ne 0 ]; then
  echo "selftest: $failures check(s) failed"
  exit 1
fi
echo "selftest: all checks passed"
