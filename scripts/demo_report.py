#!/usr/bin/env python3
"""Prints what the demo run delivered where, and what was desensitized.
Usage: demo_report.py VAR_DIR EXPECTED_RECORDS. Exits 1 if records are missing."""
import collections, glob, json, os, sys

var, expected = sys.argv[1], int(sys.argv[2])

def lines(pattern):
    for path in sorted(glob.glob(os.path.join(var, pattern))):
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    yield path, line

out = [json.loads(l) for _, l in lines("out/analytics/*.ndjson*")]
outreach = [json.loads(l) for _, l in lines("out/outreach/*.ndjson*")]
entries = [json.loads(l) for _, l in lines("audit/*.ndjson")]
audit = [e for e in entries if e["type"] == "record"]
checkpoints = sum(1 for e in entries if e["type"] == "checkpoint")
quarantined = [json.loads(l) for _, l in lines("quarantine/*.ndjson")]

print("\n== What arrived where ==")
by_type = collections.Counter(r["event_type"] for r in out)
print(f"var/out/analytics/: {len(out)} records (expected {expected}): " +
      ", ".join(f"{n} {t}" for t, n in sorted(by_type.items())))
print(f"var/out/outreach/: {len(outreach)} records (policy outreach-minimal: surname, encrypted contact handles, visit timing)")
print(f"var/quarantine/: {len(quarantined)} inputs kept encrypted, reasons: " +
      "; ".join(q["reason"] for q in quarantined))

print("\n== What was desensitized (from the audit log, var/audit/) ==")
methods = collections.Counter()
found = collections.Counter()
for e in audit:
    for f in e["fields"]:
        methods[(f["path"], f["method"])] += 1
        for kind, n in f.get("found", {}).items():
            found[kind] += n
print(f"{len(audit)} record entries (one per record and target), hash-chained, "
      f"with {checkpoints} signed checkpoint{'' if checkpoints == 1 else 's'}")
for (path, method), n in sorted(methods.items()):
    print(f"  {path:22s} {method:10s} x{n}")
print("  scrubbed from free text: " + ", ".join(f"{n} [{k}]" for k, n in sorted(found.items())))

print("\n== One analytics record ==")
sample = next((r for r in out if r["event_type"] == "visit" and r.get("notes") and "[" in r["notes"][0]["text"]), out[0] if out else {})
print(json.dumps(sample, ensure_ascii=False, indent=2))

print("\n== One outreach record (what a WeChat/SMS target would get) ==")
sample = next((r for r in outreach if r.get("channels", {}).get("phone_handle")), outreach[0] if outreach else {})
print(json.dumps(sample, ensure_ascii=False, indent=2))
sys.exit(0 if len(out) >= expected and len(outreach) >= expected else 1)
