#!/usr/bin/env bash
# TLS on the servers medgated runs itself: admin.tls and ingress.tls.
# --check refuses a key others can read and a key that does not belong to the
# certificate; the admin API then speaks HTTPS only (curl trusting the test CA
# gets 200, plain HTTP gets nothing), and medgatectl reaches it trusting the
# configured certificate or $MEDGATE_CA_FILE, and refuses a server its CA
# file does not vouch for; with ingress.tls.client_ca the FHIR endpoint
# answers only callers presenting a certificate from that CA. A reload
# rebuilds the ingress on its port and renews the admin API's certificate.
source "$(dirname "$0")/lib.sh"

PKI=$WORK/pki
make_test_pki "$PKI"

demo_config "$WORK/medgate.yaml"
use_admin_port "$WORK/medgate.yaml"
ADMIN_PORT=${ADMIN_URL##*:}
HTTP_PORT=$(free_port)
sed -i -e "s|^  listen: 127.0.0.1:$ADMIN_PORT\$|  listen: 127.0.0.1:$ADMIN_PORT\n  tls: {cert: $PKI/server.crt, key: $PKI/server.key}|" \
  -e "/^ingress:/,/listen:/ s|listen: 127.0.0.1:0|listen: 127.0.0.1:$HTTP_PORT|" \
  -e "s|^  max_body_bytes: 16MiB\$|  max_body_bytes: 16MiB\n  tls: {cert: $PKI/server.crt, key: $PKI/server.key, client_ca: $PKI/ca.crt}|" \
  "$WORK/medgate.yaml"
[ "$(grep -c "key: $PKI/server.key" "$WORK/medgate.yaml")" = 2 ] || fail "test setup: tls sections not set"

# A key others can read is refused, naming the section.
chmod 644 "$PKI/server.key"
if "$MEDGATED" --check --config "$WORK/medgate.yaml" > "$WORK/check.out" 2>&1; then fail "--check accepted a world-readable TLS key"; fi
grep -q "admin.tls key file .* is accessible by group or others" "$WORK/check.out" \
  || fail "unclear message for a readable admin TLS key: $(cat "$WORK/check.out")"
grep -q "ingress.tls key file" "$WORK/check.out" || fail "--check did not name the ingress TLS key: $(cat "$WORK/check.out")"
chmod 600 "$PKI/server.key"
# A key that is not the certificate's.
sed "s|key: $PKI/server.key}|key: $PKI/client.key}|" "$WORK/medgate.yaml" > "$WORK/mismatch.yaml"
if "$MEDGATED" --check --config "$WORK/mismatch.yaml" > "$WORK/check.out" 2>&1; then fail "--check accepted a key of another certificate"; fi
grep -q "admin.tls: cannot load the certificate, key or client CA" "$WORK/check.out" \
  || fail "unclear message for a mismatched key: $(cat "$WORK/check.out")"
"$MEDGATED" --check --config "$WORK/medgate.yaml" > "$WORK/check.out" 2>&1 || fail "--check refused the good config: $(cat "$WORK/check.out")"
pass "--check refuses a readable TLS key and a key of another certificate"

start_daemon "$WORK/medgate.yaml"
ADMIN_HTTPS="https://127.0.0.1:$ADMIN_PORT"
admin_up() { [ "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$PKI/ca.crt" "$ADMIN_HTTPS/healthz")" = 200 ]; }
wait_until 30 admin_up || fail "admin API not answering over HTTPS"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$ADMIN_PORT/healthz" || true)
[ "$code" = 000 ] || fail "plain HTTP to the TLS admin API answered $code"
pass "admin API: HTTPS with the configured certificate, no plain HTTP"

CTL=("$MEDGATECTL" --config "$WORK/medgate.yaml" --token-file "$WORK/var/keys/admin-auditor.token")
"${CTL[@]}" status > "$WORK/status.txt" 2>&1 || fail "medgatectl status over TLS (trusting admin.tls.cert) failed: $(cat "$WORK/status.txt")"
grep -q analytics "$WORK/status.txt" || fail "medgatectl status does not list the target"
MEDGATE_CA_FILE="$PKI/ca.crt" "${CTL[@]}" status > "$WORK/status.txt" 2>&1 \
  || fail "medgatectl status with MEDGATE_CA_FILE=ca.crt failed: $(cat "$WORK/status.txt")"
# A CA that did not issue the server's certificate: refused, saying what to do.
(cd "$PKI" && umask 077 && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -subj "/CN=other CA" -keyout other.key -out other.crt 2>/dev/null) || fail "test setup: other CA"
if MEDGATE_CA_FILE="$PKI/other.crt" "${CTL[@]}" status > "$WORK/status.txt" 2>&1 < /dev/null; then
  fail "medgatectl trusted a server its CA file does not vouch for"
fi
grep -q "MEDGATE_CA_FILE" "$WORK/status.txt" || fail "unclear medgatectl error for an untrusted server: $(cat "$WORK/status.txt")"
pass "medgatectl: trusts admin.tls.cert or MEDGATE_CA_FILE, refuses an unvouched server"

BASE="https://127.0.0.1:$HTTP_PORT/fhir"
PATIENT='{"resourceType":"Patient","id":"tls-1","meta":{"lastUpdated":"2026-11-23T08:00:00+08:00"},"identifier":[{"system":"urn:oid:2.16.156.10011.1.3","value":"11010519491231002X"}],"name":[{"text":"测试患者"}]}'
fhir_put() {
  curl -s -o "$WORK/resp" -w '%{http_code}' --max-time 10 -X PUT -H 'Content-Type: application/fhir+json' \
    --data-binary "$PATIENT" --cacert "$PKI/ca.crt" "$@" "$BASE/Patient/tls-1" || true
}
code=$(fhir_put --cert "$PKI/client.crt" --key "$PKI/client.key")
[ "$code" = 201 ] || [ "$code" = 200 ] || fail "FHIR PUT with a client certificate: $code $(cat "$WORK/resp")"
code=$(fhir_put)
[ "$code" = 000 ] || fail "FHIR PUT without a client certificate answered $code"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$HTTP_PORT/fhir/metadata" || true)
[ "$code" = 000 ] || fail "plain HTTP to the TLS ingress answered $code"
wait_until 30 has_lines "$WORK/var/out/analytics" 1 || fail "the record sent over TLS did not reach the analytics target"
pass "ingress: HTTPS with client certificates only; the record arrives"

# A reload rebuilds the ingress on the same fixed port (the old listener is
# closed first; nothing relies on SO_REUSEPORT).
"$MEDGATECTL" --config "$WORK/medgate.yaml" --token-file "$WORK/var/keys/admin-admin.token" reload > "$WORK/reload.out" 2>&1 \
  || fail "reload failed: $(cat "$WORK/reload.out")"
ingress_up() { [ "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$PKI/ca.crt" --cert "$PKI/client.crt" --key "$PKI/client.key" "$BASE/metadata")" = 200 ]; }
wait_until 20 ingress_up || fail "the TLS ingress did not come back on port $HTTP_PORT after a reload"
pass "reload: the TLS ingress is back on the same port"

# A renewed admin certificate (new files at the same paths, as certbot or the
# hospital PKI leaves them) is presented after a reload, without a restart.
served_subject() {
  openssl s_client -connect "127.0.0.1:$ADMIN_PORT" -servername localhost < /dev/null 2>/dev/null \
    | openssl x509 -noout -subject 2>/dev/null
}
[[ "$(served_subject)" == *"CN = server" ]] || fail "admin API does not present the first certificate: $(served_subject)"
(cd "$PKI" && umask 077 \
  && openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=server renewed" \
       -keyout renewed.key -out renewed.csr 2>/dev/null \
  && openssl x509 -req -in renewed.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile server.ext \
       -out renewed.crt 2>/dev/null) || fail "test setup: renewed certificate"
cp "$PKI/renewed.crt" "$PKI/server.crt"
cp "$PKI/renewed.key" "$PKI/server.key"
[[ "$(served_subject)" == *"CN = server" ]] || fail "the certificate changed before any reload: $(served_subject)"
ADMIN_CTL=("$MEDGATECTL" --config "$WORK/medgate.yaml" --token-file "$WORK/var/keys/admin-admin.token")
MEDGATE_CA_FILE="$PKI/ca.crt" "${ADMIN_CTL[@]}" reload > "$WORK/reload.out" 2>&1 \
  || fail "reload with a renewed admin certificate failed: $(cat "$WORK/reload.out")"
[[ "$(served_subject)" == *"CN = server renewed" ]] || fail "the renewed admin certificate is not presented after a reload: $(served_subject)"
grep -q "admin API certificate renewed: .*CN=server renewed" "$WORK/medgated.log" \
  || fail "the log does not say the admin certificate was renewed"
grep -q "admin.enabled or admin.listen changed" "$WORK/medgated.log" && fail "a renewed certificate was taken for a listener change"
admin_up || fail "admin API not answering over HTTPS with the renewed certificate"
"${CTL[@]}" status > "$WORK/status.txt" 2>&1 || fail "medgatectl trusting the renewed admin.tls.cert failed: $(cat "$WORK/status.txt")"

# A renewal whose key is not the certificate's: the reload is refused and the
# admin API keeps presenting the certificate it had.
cp "$PKI/client.key" "$PKI/server.key"
if MEDGATE_CA_FILE="$PKI/ca.crt" "${ADMIN_CTL[@]}" reload > "$WORK/reload.out" 2>&1; then
  fail "a reload with a key of another certificate was applied"
fi
grep -q "admin.tls: cannot load the certificate, key or client CA" "$WORK/reload.out" \
  || fail "unclear reload refusal for a mismatched admin key: $(cat "$WORK/reload.out")"
[[ "$(served_subject)" == *"CN = server renewed" ]] || fail "a refused renewal changed the admin certificate: $(served_subject)"
admin_up || fail "admin API not answering after a refused renewal"
cp "$PKI/renewed.key" "$PKI/server.key"
pass "reload: a renewed admin certificate is presented without a restart; a bad one is refused and the old kept"

stop_daemon
