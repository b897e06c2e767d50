#!/usr/bin/env bash
# Encrypted handles end to end: an outreach policy encrypts the phone number
# (AES-SIV handle), the spool and the plugin boundary see only the handle, and
# a sender target with open_handles: true gets the number back through the
# SDK's handle_opener(); the same target without open_handles is refused.
# Openings are counted in /metrics. --check refuses open_handles on a target
# fed by an analytics policy.
source "$(dirname "$0")/lib.sh"
make_key "$WORK/keys/k.key"
make_signing_key "$WORK/keys/audit.key"
PORT=$(free_port)
cat > "$WORK/medgate.yaml" <<YAML
state_dir: state
plugin_dirs: [$BUILD_DIR/tests/plugins]
keys: [{id: k, file: keys/k.key}]
audit: {signing_key: keys/audit.key}
admin: {enabled: true, listen: 127.0.0.1:$PORT, tokens: []}
sources:
  inbox: {plugin: file, config: {path: inbox, poll_interval: 50ms}}
targets:
  sms: {plugin: handle_sender, open_handles: true, config: {out: sms.txt}}
  nosms: {plugin: handle_sender, config: {out: nosms.txt}}
routes:
  - {name: reminders, from: [inbox], to: [sms, nosms], policy: outreach}
policies:
  outreach:
    purpose: outreach
    rules:
      - {field: patient.token, method: keep}
      - {field: subject.phone, method: encrypt, to: channels.phone_handle}
YAML
ADMIN_URL="http://127.0.0.1:$PORT"
"$MEDGATED" --check --config "$WORK/medgate.yaml" > /dev/null || fail "config refused"

N=200
/usr/bin/python3 - "$N" > "$WORK/in.ndjson" <<'PY'
import json, random, sys
r = random.Random(5)
for i in range(int(sys.argv[1])):
    print(json.dumps({"source_record_id": f"R{i}", "event_type": "discharge", "occurred_at": "2026-11-20T10:00:00+08:00",
                      "subject": {"mrn": f"MRN{i:08d}", "phone": "1%s%09d" % (r.choice("3589"), r.randint(0, 999999999))}}))
PY
start_daemon "$WORK/medgate.yaml"
write_inbox_file "$WORK/in.ndjson" "$WORK/inbox" in.ndjson
lines_in() { [ -f "$1" ] && [ "$(wc -l < "$1")" -ge "$2" ]; }
wait_until 60 lines_in "$WORK/sms.txt" "$N" || fail "sms target got $(wc -l < "$WORK/sms.txt" 2>/dev/null) of $N"
wait_until 60 lines_in "$WORK/nosms.txt" "$N" || fail "nosms target got $(wc -l < "$WORK/nosms.txt" 2>/dev/null) of $N"
wait_until 10 metric_is 'medgate_target_handles_total{target="sms",outcome="opened"}' "$N" \
  || fail "opened handles metric: $(metric 'medgate_target_handles_total{target="sms",outcome="opened"}')"
metric_is 'medgate_target_handles_total{target="nosms",outcome="refused"}' "$N" || fail "refused handles metric"
stop_daemon

/usr/bin/python3 - "$WORK" <<'PY' || fail "opened handles do not match the input"
import glob, json, os, sys
w = sys.argv[1]
want = {json.loads(l)["source_record_id"]: json.loads(l)["subject"]["phone"] for l in open(f"{w}/in.ndjson")}
got = dict(l.rstrip("\n").split("\t") for l in open(f"{w}/sms.txt"))
assert got == want, f"{sum(got.get(k) == v for k, v in want.items())} of {len(want)} phones opened correctly"
refused = [l.split("\t")[1] for l in open(f"{w}/nosms.txt")]
assert all(r.startswith("REFUSED: target 'nosms' may not open encrypted handles") for r in refused), refused[:2]
spooled = "".join(open(p, errors="replace").read() for p in glob.glob(f"{w}/state/spool/**/*", recursive=True) if os.path.isfile(p))
leaked = [p for p in want.values() if p in spooled]
assert not leaked, f"{len(leaked)} raw phones in the spool"
print(f"{len(got)} handles opened to the right number; {len(refused)} refused; no raw phone in the spool")
PY
pass "the sender with open_handles gets the phone numbers back, the other is refused, the spool holds only handles"

sed -e 's|policy: outreach}|policy: outreach}\n  - {name: stats, from: [inbox], to: [sms], policy: stats}|' \
    -e 's|^policies:|policies:\n  stats:\n    purpose: analytics\n    rules: [{field: patient.token, method: keep}]|' "$WORK/medgate.yaml" > "$WORK/bad.yaml"
rc=0; "$MEDGATED" --check --config "$WORK/bad.yaml" > "$WORK/bad.out" 2>&1 || rc=$?
[ "$rc" -eq 1 ] && grep -q "bad.yaml:9:3: target 'sms' has open_handles: true but route 'stats' feeds it through analytics policy 'stats'" "$WORK/bad.out" \
  || { cat "$WORK/bad.out"; fail "--check accepted open_handles on an analytics target"; }
pass "--check refuses open_handles on a target an analytics policy feeds"
