#!/usr/bin/env bash
# The admin API against a running medgated: open health and metrics endpoints
# (metrics parsed by the Prometheus project's own parser, counts checked
# against what was delivered), bearer tokens and roles under /api/, and the
# medgatectl commands that use it.
source "$(dirname "$0")/lib.sh"
: "${SHARED_DIR:?}"
demo_config "$WORK/medgate.yaml"
use_admin_port "$WORK/medgate.yaml"
CTL=("$MEDGATECTL" --config "$WORK/medgate.yaml")
KEYS="$WORK/var/keys"

start_daemon "$WORK/medgate.yaml"
wait_until 30 curl -sf "$ADMIN_URL/healthz" -o /dev/null || fail "/healthz never answered"
wait_until 30 curl -sf "$ADMIN_URL/readyz" -o /dev/null || fail "/readyz never became ready"
pass "/healthz and /readyz answer 200"

N=500
/usr/bin/python3 "$SHARED_DIR/bench/gen_records.py" $N 21 > "$WORK/his.ndjson"
write_inbox_file "$WORK/his.ndjson" "$WORK/var/inbox" 01-his.ndjson
OUT="$WORK/var/out/analytics"
wait_until 60 has_lines "$OUT" $N || fail "expected $N records, got $(output_lines "$OUT")"

# /metrics: parsed by prometheus_client; the counters match what happened.
curl -sf "$ADMIN_URL/metrics" -o "$WORK/metrics.txt" || fail "/metrics failed"
/usr/bin/python3 - "$WORK/metrics.txt" $N <<'PY' || fail "/metrics does not parse or disagrees with the delivery"
import sys
from prometheus_client.parser import text_string_to_metric_families
text = open(sys.argv[1], encoding="utf-8").read()
n = int(sys.argv[2])
fams = {f.name: f for f in text_string_to_metric_families(text)}  # raises on malformed text
def value(family, sample_name, **labels):
    for s in fams[family].samples:
        if s.name == sample_name and all(s.labels.get(k) == v for k, v in labels.items()):
            return s.value
    raise SystemExit(f"no sample {sample_name}{labels}")
assert fams["medgate_up"].type == "gauge"
assert value("medgate_up", "medgate_up") == 1
assert value("medgate_source_records", "medgate_source_records_total", source="inbox", outcome="accepted") == n
assert value("medgate_target_records", "medgate_target_records_total", target="analytics", outcome="delivered") == n
h = fams["medgate_target_delivery_latency_seconds"]
assert h.type == "histogram", h.type
count = value("medgate_target_delivery_latency_seconds", "medgate_target_delivery_latency_seconds_count", target="analytics")
inf = value("medgate_target_delivery_latency_seconds", "medgate_target_delivery_latency_seconds_bucket", target="analytics", le="+Inf")
assert count == inf == n, (count, inf)
buckets = [s.value for s in h.samples if s.name.endswith("_bucket") and s.labels["target"] == "analytics"]
assert buckets == sorted(buckets), "histogram buckets are not cumulative"
commits = value("medgate_pipeline_commits", "medgate_pipeline_commits_total")
assert fams["medgate_pipeline_parallel_groups"].type == "counter"
parallel = value("medgate_pipeline_parallel_groups", "medgate_pipeline_parallel_groups_total")
assert commits >= 1 and 0 <= parallel <= commits, (commits, parallel)
for fam in ("medgate_spool_disk_bytes", "medgate_spool_oldest_record_age_seconds", "medgate_dlq_bytes", "medgate_target_retries"):
    assert fam in fams, f"missing {fam}"
print(f"{len(fams)} metric families parsed; delivered={n}, latency count={count}")
PY
pass "/metrics parses (prometheus_client) and counts $N accepted and delivered"

# A keep-alive connection ends after 100 requests, so that a frequent scraper
# meets a renewed certificate: 150 requests in one curl (which reuses its
# connection) need exactly two connections.
URLS=()
for _ in $(seq 150); do URLS+=("$ADMIN_URL/healthz"); done
connects=$(curl -s -o /dev/null -w '%{num_connects}\n' "${URLS[@]}" | awk '{n += $1} END {print n}')
[ "$connects" = 2 ] || fail "150 keep-alive requests used $connects connections, expected 2 (100 per connection)"
pass "a keep-alive connection ends after 100 requests"

# /api/ needs a bearer token; roles gate what it may do.
[ "$(http_code GET "$ADMIN_URL/api/v1/status")" = 401 ] || fail "/api/v1/status without a token was not refused with 401"
curl -s -D - -o /dev/null "$ADMIN_URL/api/v1/routes" | grep -i '^WWW-Authenticate: Bearer' > /dev/null || fail "401 lacks WWW-Authenticate"
[ "$(http_code GET "$ADMIN_URL/api/v1/status" -H "Authorization: Bearer wrong-token-0123456789")" = 401 ] || fail "a wrong token was accepted"
[ "$(http_code GET "$ADMIN_URL/api/v1/nonexistent")" = 401 ] || fail "unknown /api/ path answered before authentication"
[ "$(http_code GET "$ADMIN_URL/api/v1/status" -u "admin:$(cat "$KEYS/admin-admin.token")")" = 401 ] || fail "Basic auth accepted"
AUD="Authorization: Bearer $(cat "$KEYS/admin-auditor.token")"
[ "$(http_code GET "$ADMIN_URL/api/v1/status" -H "$AUD")" = 200 ] || fail "auditor cannot read status"
[ "$(http_code POST "$ADMIN_URL/api/v1/status" -H "$AUD")" = 405 ] || fail "POST status not 405"
[ "$(http_code GET "$ADMIN_URL/api/v1/nonexistent" -H "$AUD")" = 404 ] || fail "unknown endpoint not 404"
curl -sf "$ADMIN_URL/api/v1/status" -H "$AUD" | /usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)
t = {x["name"]: x for x in d["targets"]}
assert t["analytics"]["delivered"] == int(sys.argv[1]), t
' $N || fail "status JSON does not report the delivered count"
pass "/api/ refuses without a valid bearer token (401), 404/405 after auth, auditor reads status"

# medgatectl uses the API with a token file.
"${CTL[@]}" --token-file "$KEYS/admin-auditor.token" status > "$WORK/status.txt" || fail "medgatectl status failed"
grep -q analytics "$WORK/status.txt" || fail "medgatectl status does not list the target"
"${CTL[@]}" --token-file "$KEYS/admin-auditor.token" routes | grep his-to-analytics > /dev/null || fail "medgatectl routes"
"${CTL[@]}" --token-file "$KEYS/admin-auditor.token" plugins | grep '^file' > /dev/null || fail "medgatectl plugins"
echo "not-a-valid-token-but-long-enough" > "$WORK/bad.token"; chmod 600 "$WORK/bad.token"
rc=0; "${CTL[@]}" --token-file "$WORK/bad.token" status 2> "$WORK/ctl.err" || rc=$?
[ "$rc" -eq 1 ] || fail "medgatectl with a bad token exited $rc, expected 1"
grep -q 401 "$WORK/ctl.err" || fail "medgatectl did not say why: $(cat "$WORK/ctl.err")"
pass "medgatectl status/routes/plugins via the API; a bad token is a clear error"

stop_daemon
pass "admin API"
