#!/usr/bin/env bash
# Every bundled plugin's manifest schema (medgatectl plugins --schema NAME)
# compiles under ajv's strict mode and agrees with medgated --check: the demo
# config's sections validate, and a bad unit is refused by both.
source "$(dirname "$0")/lib.sh"
VALIDATE="$SOURCE_DIR/tests/schema/validate.sh"
"$MEDGATECTL" plugins --schema file > "$WORK/file.json" || fail "medgatectl plugins --schema file failed"
python3 - "$WORK" "$SOURCE_DIR/config/medgate.yaml" <<'PY' || fail "cannot split the schemas"
import json, sys, yaml
work, demo = sys.argv[1], sys.argv[2]
schemas = json.load(open(f"{work}/file.json"))
for kind in ("source", "target"):
    json.dump(schemas[kind], open(f"{work}/{kind}.schema.json", "w"))
cfg = yaml.safe_load(open(demo))
json.dump(cfg["sources"]["inbox"]["config"], open(f"{work}/source.good.json", "w"))
json.dump(cfg["targets"]["analytics"]["config"], open(f"{work}/target.good.json", "w"))
bad = dict(cfg["sources"]["inbox"]["config"], poll_interval="5 fortnights")
json.dump(bad, open(f"{work}/source.bad.json", "w"))
bad = dict(cfg["targets"]["analytics"]["config"], rotate_bytes="64 MiBs")
json.dump(bad, open(f"{work}/target.bad.json", "w"))
PY
for kind in source target; do
  bash "$VALIDATE" "$WORK/$kind.schema.json" "$WORK/$kind.good.json" > "$WORK/$kind.good.out" 2>&1 \
    || { cat "$WORK/$kind.good.out"; fail "file $kind schema refuses the demo config's section"; }
  rc=0; bash "$VALIDATE" "$WORK/$kind.schema.json" "$WORK/$kind.bad.json" > "$WORK/$kind.bad.out" 2>&1 || rc=$?
  [ "$rc" -eq 1 ] || { cat "$WORK/$kind.bad.out"; fail "file $kind schema accepts a bad unit (exit $rc)"; }
done
pass "file plugin schemas compile in ajv strict mode, accept the demo sections, refuse bad units"

# medgated --check agrees about the bad units.
demo_config "$WORK/good.yaml"
sed -e "s|poll_interval: 200ms|poll_interval: 5 fortnights|" "$WORK/good.yaml" > "$WORK/bad.yaml"
rc=0; "$MEDGATED" --check --config "$WORK/bad.yaml" > "$WORK/check.out" 2>&1 || rc=$?
[ "$rc" -eq 1 ] && grep -q "poll_interval" "$WORK/check.out" || { cat "$WORK/check.out"; fail "--check accepted a bad duration"; }
pass "--check refuses the same bad duration: $(grep poll_interval "$WORK/check.out" | head -1 | sed "s|$WORK/||")"
