#!/usr/bin/env bash
# MLLP over TLS: with tls_cert/tls_key the listener speaks TLS only (a client
# trusting the test CA gets AA; plain TCP gets no ACK); with tls_ca it also
# requires a client certificate from that CA; a tls_key others can read is
# refused by --check, and so is a key of another certificate.
source "$(dirname "$0")/lib.sh"

PKI=$WORK/pki
make_test_pki "$PKI"

demo_config "$WORK/medgate.yaml"
use_admin_port "$WORK/medgate.yaml"
MLLP_PORT=$(free_port)
sed -i -e "/plugin: his_hl7/,/listen:/ s|listen: 127.0.0.1:0|listen: 127.0.0.1:$MLLP_PORT|" \
  -e "s|^      listen: 127.0.0.1:$MLLP_PORT\$|      listen: 127.0.0.1:$MLLP_PORT\n      tls_cert: $PKI/server.crt\n      tls_key: $PKI/server.key|" \
  "$WORK/medgate.yaml"
grep -q "tls_key: $PKI/server.key" "$WORK/medgate.yaml" || fail "test setup: TLS options not set"

# A key others can read is refused before anything starts.
chmod 644 "$PKI/server.key"
if "$MEDGATED" --check --config "$WORK/medgate.yaml" > "$WORK/check.out" 2>&1; then fail "--check accepted a world-readable tls_key"; fi
grep -q "tls_key .* is accessible by group or others (mode 0644); run .chmod 600" "$WORK/check.out" || { cat "$WORK/check.out"; fail "unclear message for a readable tls_key"; }
chmod 600 "$PKI/server.key"
pass "--check refuses a tls_key readable by others"

# A key of another certificate is refused by --check too, not first at start.
sed -i "s|tls_key: $PKI/server.key|tls_key: $PKI/client.key|" "$WORK/medgate.yaml"
chmod 600 "$PKI/client.key"
if "$MEDGATED" --check --config "$WORK/medgate.yaml" > "$WORK/check.out" 2>&1; then fail "--check accepted a tls_key of another certificate"; fi
grep -q "private key $PKI/client.key does not belong to the certificate $PKI/server.crt" "$WORK/check.out" ||
  { cat "$WORK/check.out"; fail "unclear message for a tls_key of another certificate"; }
sed -i "s|tls_key: $PKI/client.key|tls_key: $PKI/server.key|" "$WORK/medgate.yaml"
"$MEDGATED" --check --config "$WORK/medgate.yaml" > "$WORK/check.out" 2>&1 || { cat "$WORK/check.out"; fail "--check refused the matching key"; }
pass "--check refuses a tls_key that does not belong to tls_cert"

MSG=$'\x0bMSH|^~\\&|HIS|H1|MEDGATE|HOSP|20261123083000+0800||ADT^A04^ADT_A01|TLS0001|P|2.5\rEVN|A04|20261123083000+0800\rPID|1||MRN800001^^^H1^MR||测试^患者\r\x1c\r'
# tls_send [CERT KEY]: sends $MSG over TLS trusting the test CA; prints MSA-1|MSA-2 (or the error).
tls_send() {
  /usr/bin/python3 - "$MLLP_PORT" "$PKI/ca.crt" "$@" <<'PY'
import socket, ssl, sys, os
port, ca = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(cafile=ca)
if len(sys.argv) > 3:
    ctx.load_cert_chain(sys.argv[3], sys.argv[4])
msg = os.environ["MSG"].encode()
try:
    with socket.create_connection(("127.0.0.1", port), 5) as raw, ctx.wrap_socket(raw, server_hostname="127.0.0.1") as s:
        s.sendall(msg)
        data = b""
        while b"\x1c\r" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    for seg in data.strip(b"\x0b\x1c\r").split(b"\r"):
        if seg.startswith(b"MSA|"):
            print("|".join(seg.decode().split("|")[1:3]))
            sys.exit(0)
    print("no-ack")
except (ssl.SSLError, OSError) as e:
    print("error:", type(e).__name__)
PY
}
export MSG

start_daemon "$WORK/medgate.yaml"
mllp_up() { /usr/bin/python3 -c "import socket; socket.create_connection(('127.0.0.1', $MLLP_PORT), 1).close()" 2>/dev/null; }
wait_until 20 mllp_up || fail "MLLP listener did not come up"
[ "$(tls_send)" = "AA|TLS0001" ] || fail "TLS client trusting the CA did not get AA: $(tls_send)"
pass "MLLP over TLS: AA with MSA-2 = MSH-10"
plain=$(/usr/bin/python3 -c "
import socket, os
s = socket.create_connection(('127.0.0.1', $MLLP_PORT), 5); s.settimeout(3)
s.sendall(os.environ['MSG'].encode())
try:
    d = s.recv(4096)
    print('ACK' if b'MSA|' in d else 'no-ack')
except (socket.timeout, OSError):
    print('no-ack')
")
[ "$plain" = no-ack ] || fail "a plain TCP client got an ACK from the TLS listener"
pass "plain TCP gets no ACK from the TLS listener"
stop_daemon

# With tls_ca: a client certificate from that CA is required.
sed -i "s|^      tls_key: $PKI/server.key\$|      tls_key: $PKI/server.key\n      tls_ca: $PKI/ca.crt|" "$WORK/medgate.yaml"
start_daemon "$WORK/medgate.yaml"
wait_until 20 mllp_up || fail "MLLP listener did not come up with tls_ca"
MSG=${MSG/TLS0001/TLS0002}
[ "$(tls_send "$PKI/client.crt" "$PKI/client.key")" = "AA|TLS0002" ] || fail "client with a CA-signed certificate did not get AA"
MSG=${MSG/TLS0002/TLS0003}
[ "$(tls_send)" != "AA|TLS0003" ] || fail "client without a certificate got AA although tls_ca is set"
pass "tls_ca: a CA-signed client certificate gets AA, none gets nothing"
stop_daemon
A=$WORK/var/out/analytics
wait_until 10 bash -c "cat $A/*.ndjson* 2>/dev/null | grep -q 'HIS^H1^TLS0002'" || fail "TLS messages did not reach analytics"
! cat "$A"/*.ndjson* | grep -q 'TLS0003' || fail "the message of the client without a certificate reached analytics"
pass "TLS messages delivered"

# A key of another certificate: medgated does not start (as --check said
# above), and says why.
sed -i "s|^      tls_key: $PKI/server.key\$|      tls_key: $PKI/client.key|" "$WORK/medgate.yaml"
rc=0
timeout 30 "$MEDGATED" --config "$WORK/medgate.yaml" > "$WORK/start.out" 2>&1 || rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || fail "medgated started (or hung: $rc) with a key of another certificate"
grep -q "private key $PKI/client.key does not belong to the certificate $PKI/server.crt" "$WORK/start.out" \
  || { cat "$WORK/start.out"; fail "a mismatched tls_key was not reported"; }
! mllp_up || fail "the MLLP source listened with a key of another certificate"
pass "medgated refuses to start with a tls_key of another certificate, naming both files"
