#!/usr/bin/env bash
# The demo: installs what is missing, builds, and runs medgated on the demo
# config (config/medgate.yaml; all state under ./var) with sample HIS visits,
# a WeChat message, a review, a discharge and one malformed line, and HL7
# messages from the HIS over MLLP (one of them without a PID), and a FHIR R4
# Bundle from the EMR; then prints
# what arrived where and what was desensitized.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

scripts/setup.sh
scripts/build.sh

# Fresh demo state; keep the demo key if there is one.
mkdir -p var/keys
find var -mindepth 1 -maxdepth 1 ! -name keys -exec rm -rf {} +
KEY=var/keys/demo-token-2026.key
if [ ! -s "$KEY" ]; then
  (umask 077 && openssl rand -hex 32 > "$KEY")
fi
chmod 600 "$KEY"
for role in admin operator auditor; do
  T=var/keys/admin-$role.token
  [ -s "$T" ] || (umask 077 && openssl rand -hex 32 > "$T")
  chmod 600 "$T"
done
# The audit signing key (Ed25519, apart from the data keys) and its public
# half, the verifying key a compliance officer holds.
SIGNING=var/keys/audit-signing.key
if [ ! -s "$SIGNING" ]; then
  (umask 077 && openssl genpkey -algorithm ed25519 -out "$SIGNING")
fi
chmod 600 "$SIGNING"
openssl pkey -in "$SIGNING" -pubout -out var/keys/audit-verify.pub

build/bin/medgated --check --config config/medgate.yaml

mkdir -p var/inbox
expected=0
for f in config/demo/*.ndjson; do
  # Producers write elsewhere and rename into the inbox, so no half-written file is read.
  cp "$f" "var/inbox/.$(basename "$f").tmp"
  mv "var/inbox/.$(basename "$f").tmp" "var/inbox/$(basename "$f")"
  expected=$((expected + $(grep -c '^{' "$f")))
done

build/bin/medgated --config config/medgate.yaml 2> var/medgated.log &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
echo "demo: medgated running (pid $PID); waiting for $expected records at var/out/analytics/ and var/out/outreach/"

# The HIS sends HL7 v2 over MLLP (127.0.0.1:2575): five messages mapped into
# records (admission, registration, lab result, charge, appointment) and one
# without a PID, answered AE and quarantined.
for _ in $(seq 1 100); do
  (exec 3<>/dev/tcp/127.0.0.1/2575) 2>/dev/null && break
  kill -0 $PID 2>/dev/null || { echo "demo: medgated exited early:"; cat var/medgated.log; exit 1; }
  sleep 0.1
done
echo "== HL7 over MLLP: config/demo/his-messages.hl7 sent with mllp_send (python3-hl7) =="
mllp_send --loose -f config/demo/his-messages.hl7 -p 2575 127.0.0.1 | tr '\r\013\034' '\n\n\n' \
  | awk -F'|' '$1 == "MSA" { printf "  ACK %s for %s", $2, $3; if ($4 != "") printf " (%s)", $4; print "" }' \
  | tee var/hl7-acks.txt
expected=$((expected + $(grep -c ' ACK AA ' var/hl7-acks.txt)))

# The EMR pushes a FHIR R4 transaction Bundle (Patient, Encounter, Condition,
# Observation) to the HTTP ingress (127.0.0.1:8581/fhir).
echo "== FHIR R4: config/demo/emr-bundle.json POSTed to http://127.0.0.1:8581/fhir =="
fhir_status=$(curl -s -o var/fhir-response.json -w '%{http_code}' -H 'Content-Type: application/fhir+json' \
  --data-binary @config/demo/emr-bundle.json http://127.0.0.1:8581/fhir)
python3 - "$fhir_status" var/fhir-response.json <<'PY'
import json, sys
status, path = sys.argv[1], sys.argv[2]
doc = json.load(open(path))
print("  HTTP %s, %s: %s" % (status, doc.get("type", doc.get("resourceType")),
      ", ".join(e["response"]["status"] + " " + e["response"].get("location", "") for e in doc.get("entry", []))))
PY
[ "$fhir_status" = 200 ] && expected=$((expected + 4))

# Wait (at most 60 s) until every well-formed record has arrived.
for _ in $(seq 1 600); do
  got=$({ cat var/out/analytics/*.ndjson* 2>/dev/null || true; } | wc -l)
  got_outreach=$({ cat var/out/outreach/*.ndjson* 2>/dev/null || true; } | wc -l)
  [ "$got" -ge "$expected" ] && [ "$got_outreach" -ge "$expected" ] && break
  kill -0 $PID 2>/dev/null || { echo "demo: medgated exited early:"; cat var/medgated.log; exit 1; }
  sleep 0.1
done
# medgated's own view, through the admin API (auditor token: read only).
status=$(build/bin/medgatectl --config config/medgate.yaml --token-file var/keys/admin-auditor.token status 2>&1 || true)
kill -TERM $PID
wait $PID || true
trap - EXIT

python3 scripts/demo_report.py "$ROOT/var" "$expected"
echo
echo "== medgatectl audit verify (with the verifying key var/keys/audit-verify.pub) =="
build/bin/medgatectl --config config/medgate.yaml audit verify var/audit --key var/keys/audit-verify.pub
echo
echo "== medgatectl status (admin API on 127.0.0.1:8580, before the demo stopped medgated) =="
echo "$status"
