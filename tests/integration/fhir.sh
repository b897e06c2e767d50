#!/usr/bin/env bash
# FHIR R4 pushed with curl to the running medgated's HTTP ingress (/fhir):
# a Patient (201 + Location), a transaction Bundle referencing its Patient by
# urn:uuid (200 transaction-response), a batch with one bad entry
# (batch-response 201 + 4xx with OperationOutcome), invalid JSON (400),
# content the mapping refuses (422), an unsupported type (404), a body over
# ingress.max_body_bytes (413); refused bodies quarantined; records at both
# targets validate against the profile schema (ajv) and hold no raw
# identifier.
source "$(dirname "$0")/lib.sh"

demo_config "$WORK/medgate.yaml"
use_admin_port "$WORK/medgate.yaml"
HTTP_PORT=$(free_port)
# The EMR authenticates with a bearer token (ingress.tokens).
TOKEN=$(openssl rand -hex 32)
mkdir -p "$WORK/keys"; (umask 077; printf "%s" "$TOKEN" > "$WORK/keys/emr-ingress.token")
sed -i -e "/^ingress:/,/listen:/ s|listen: 127.0.0.1:0|listen: 127.0.0.1:$HTTP_PORT|" \
  -e "s|^  max_body_bytes: 16MiB\$|  max_body_bytes: 64KiB\n  tokens: [{file: $WORK/keys/emr-ingress.token}]|" "$WORK/medgate.yaml"
grep -q "listen: 127.0.0.1:$HTTP_PORT" "$WORK/medgate.yaml" && grep -q "max_body_bytes: 64KiB" "$WORK/medgate.yaml" \
  && grep -q "emr-ingress.token" "$WORK/medgate.yaml" || fail "test setup: ingress options not set"
chmod 644 "$WORK/keys/emr-ingress.token"
! "$MEDGATED" --check --config "$WORK/medgate.yaml" > "$WORK/check.out" 2>&1 || fail "--check accepted a token file readable by others"
grep -q "ingress token file" "$WORK/check.out" || fail "--check did not name the ingress token file: $(cat "$WORK/check.out")"
chmod 600 "$WORK/keys/emr-ingress.token"
start_daemon "$WORK/medgate.yaml"
BASE="http://127.0.0.1:$HTTP_PORT/fhir"
AUTH="Authorization: Bearer $TOKEN"
up() { [ "$(curl -s -o /dev/null -w '%{http_code}' -H "$AUTH" "$BASE/metadata")" = 200 ]; }
wait_until 20 up || fail "FHIR endpoint did not come up"
pass "GET /fhir/metadata answers a CapabilityStatement"

# post METHOD PATH FILE: prints "STATUS" and leaves the body in $WORK/resp, headers in $WORK/hdr.
post() { curl -s -X "$1" -o "$WORK/resp" -D "$WORK/hdr" -w '%{http_code}' -H 'Content-Type: application/fhir+json' \
  -H "$AUTH" --data-binary "@$3" "$BASE$2"; }
[ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/metadata")" = 401 ] || fail "no token: not 401"
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $(openssl rand -hex 32)" "$BASE/metadata")" = 401 ] \
  || fail "wrong token: not 401"
pass "ingress.tokens: 401 without the token or with another one; --check refuses a loose token file"
F=$WORK/fhir
mkdir -p "$F"
cat > "$F/patient.json" <<'JSON'
{"resourceType":"Patient","id":"pat-001","meta":{"versionId":"3","lastUpdated":"2026-11-20T09:00:00+08:00"},
 "identifier":[{"system":"urn:oid:2.16.156.10011.1.3","value":"11010519491231002X"},
   {"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"MR"}]},"system":"urn:oid:1.2.156.0.1","value":"EMR-0001"}],
 "name":[{"family":"测试","given":["患者丁"]}],"gender":"female","birthDate":"1949-12-31",
 "telecom":[{"system":"phone","value":"13800000021"}],
 "address":[{"state":"北京市","city":"北京市","district":"某区","line":["某路1号"]}]}
JSON
[ "$(post POST /Patient "$F/patient.json")" = 201 ] || { cat "$WORK/resp"; fail "Patient create not 201"; }
grep -qi '^Location: Patient/pat-001/_history/3' "$WORK/hdr" || { cat "$WORK/hdr"; fail "no Location header"; }
pass "POST Patient: 201 with Location"

# No meta.lastUpdated: dated by its receipt, as a FHIR server stamps what it stores.
printf '%s' '{"resourceType":"Patient","id":"pat-nometa","identifier":[{"system":"urn:oid:2.16.156.10011.1.3","value":"110105194912310046"}],"name":[{"family":"测试","given":["患者己"]}]}' > "$F/nometa.json"
[ "$(post PUT /Patient/pat-nometa "$F/nometa.json")" = 201 ] || { cat "$WORK/resp"; fail "a Patient without meta.lastUpdated not 201"; }
pass "PUT Patient without meta.lastUpdated: 201"

cat > "$F/transaction.json" <<'JSON'
{"resourceType":"Bundle","type":"transaction","entry":[
 {"fullUrl":"urn:uuid:6f0b7d2e-0000-4000-8000-000000000001","resource":{"resourceType":"Patient","id":"pat-002",
   "meta":{"lastUpdated":"2026-11-21T08:00:00+08:00"},
   "identifier":[{"system":"urn:oid:2.16.156.10011.1.3","value":"510107200608155200"}],"name":[{"text":"测试患者戊"}],"gender":"male","birthDate":"2006-08-15"},
  "request":{"method":"POST","url":"Patient"}},
 {"fullUrl":"urn:uuid:6f0b7d2e-0000-4000-8000-000000000002","resource":{"resourceType":"Encounter","id":"enc-002","status":"finished",
   "class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"},
   "subject":{"reference":"urn:uuid:6f0b7d2e-0000-4000-8000-000000000001"},
   "period":{"start":"2026-11-21T09:00:00+08:00","end":"2026-11-21T09:30:00+08:00"},
   "serviceProvider":{"display":"内分泌科"}},
  "request":{"method":"POST","url":"Encounter"}},
 {"fullUrl":"urn:uuid:6f0b7d2e-0000-4000-8000-000000000003","resource":{"resourceType":"Observation","id":"obs-002","status":"final",
   "code":{"coding":[{"system":"http://loinc.org","code":"2345-7","display":"Glucose"}]},
   "subject":{"reference":"urn:uuid:6f0b7d2e-0000-4000-8000-000000000001"},
   "effectiveDateTime":"2026-11-21T09:10:00+08:00","valueQuantity":{"value":6.8,"unit":"mmol/L"}},
  "request":{"method":"POST","url":"Observation"}}]}
JSON
[ "$(post POST "" "$F/transaction.json")" = 200 ] || { cat "$WORK/resp"; fail "transaction Bundle not 200"; }
/usr/bin/python3 - "$WORK/resp" <<'PY' || fail "transaction-response is not as expected"
import json, sys
b = json.load(open(sys.argv[1]))
assert b["resourceType"] == "Bundle" and b["type"] == "transaction-response", b
assert len(b["entry"]) == 3, b
assert all(e["response"]["status"].startswith("201") for e in b["entry"]), b
PY
pass "transaction Bundle: 200 transaction-response, every entry 201"

cat > "$F/batch.json" <<'JSON'
{"resourceType":"Bundle","type":"batch","entry":[
 {"resource":{"resourceType":"Condition","id":"cond-003","recordedDate":"2026-11-21T10:00:00+08:00",
   "code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10","code":"E11.9","display":"2型糖尿病"}]},
   "subject":{"identifier":{"system":"urn:oid:2.16.156.10011.1.3","value":"510107200608155200"}}},
  "request":{"method":"POST","url":"Condition"}},
 {"resource":{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"2345-7"}]}},
  "request":{"method":"POST","url":"Observation"}}]}
JSON
[ "$(post POST "" "$F/batch.json")" = 200 ] || { cat "$WORK/resp"; fail "batch Bundle not 200"; }
/usr/bin/python3 - "$WORK/resp" <<'PY' || fail "batch-response is not as expected"
import json, sys
b = json.load(open(sys.argv[1]))
assert b["type"] == "batch-response", b
s = [e["response"]["status"] for e in b["entry"]]
assert s[0].startswith("201") and s[1].startswith("4"), s
assert b["entry"][1]["response"]["outcome"]["resourceType"] == "OperationOutcome", b
PY
pass "batch Bundle: good entry 201, bad entry 4xx with an OperationOutcome"

printf '{"resourceType":"Patient",' > "$F/broken.json"
[ "$(post POST /Patient "$F/broken.json")" = 400 ] || fail "invalid JSON not 400"
grep -q '"resourceType":"OperationOutcome"' "$WORK/resp" || fail "400 without an OperationOutcome"
printf '{"resourceType":"Patient","name":[{"text":"无标识"}]}' > "$F/noid.json"
[ "$(post POST /Patient "$F/noid.json")" = 422 ] || { cat "$WORK/resp"; fail "a Patient without id not 422"; }
printf '{"resourceType":"Claim","id":"c1"}' > "$F/claim.json"
[ "$(post POST /Claim "$F/claim.json")" = 404 ] || { cat "$WORK/resp"; fail "unsupported type not 404"; }
head -c 70000 /dev/zero | tr '\0' ' ' > "$F/big.json"
[ "$(post POST /Patient "$F/big.json")" = 413 ] || fail "oversized body not 413"
grep -q "max_body_bytes (65536)" "$WORK/resp" || fail "413 does not name the limit"
pass "invalid JSON 400, refused content 422, unsupported type 404, oversized 413 naming the limit"

A=$WORK/var/out/analytics O=$WORK/var/out/outreach
want=6  # Patient, Patient without meta, Patient + Encounter + Observation, Condition
wait_until 20 bash -c "[ \$(cat $A/*.ndjson* 2>/dev/null | grep -c '\"source\":\"emr\"') -ge $want ] && [ \$(cat $O/*.ndjson* 2>/dev/null | grep -c '\"source\":\"emr\"') -ge $want ]" \
  || fail "FHIR records did not reach both targets"
cat "$A"/*.ndjson* "$O"/*.ndjson* | grep '"source":"emr"' > "$WORK/emr.ndjson"
[ "$(wc -l < "$WORK/emr.ndjson")" = $((2 * want)) ] || fail "expected $((2 * want)) FHIR records at the targets, got $(wc -l < "$WORK/emr.ndjson")"
bash "$SOURCE_DIR/tests/schema/validate.sh" "$SOURCE_DIR/schemas/patient_profile.schema.json" "$WORK/emr.ndjson" \
  || fail "FHIR outputs do not validate against the profile schema"
pass "FHIR records at both targets validate against the profile schema (ajv)"
for raw in 11010519491231002X 510107200608155200 110105194912310046 EMR-0001 13800000021 患者丁 测试患者戊 患者己; do
  ! grep -q "$raw" "$A"/*.ndjson* || fail "raw identifier reached analytics"
done
pass "analytics output holds no raw identifier of the resources"
Q=$WORK/var/quarantine/emr.ndjson
[ "$(wc -l < "$Q")" -ge 4 ] || { cat "$Q"; fail "refused bodies not quarantined"; }
! grep -q '无标识\|resourceType' "$Q" || fail "quarantined body stored in clear"
pass "refused bodies quarantined, encrypted at rest"
stop_daemon
