#!/usr/bin/env python3
"""A receiver for medgate's `http` target, for tests and as a worked example.

It verifies every request exactly as docs/targets/http.md says (timestamp
within the tolerance, HMAC-SHA256 signature compared in constant time, body
parsed only after both checks), appends each accepted record as one NDJSON
line to OUT, and can be scripted to misbehave:

  --fail-first K       answer 500 to the first K verified requests
  --reject-marker M    answer 400 to a request whose body contains M
  --hang-first K       never answer the first K requests (timeout tests)
  --requests-log FILE  one NDJSON line per request: status, batch id, keys

It binds 127.0.0.1 on a free port and prints the port on stdout when ready.
Standard library only.
"""
import argparse
import hashlib
import hmac
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_BODY = 16 << 20


def read_secret(path):
    with open(path, "rb") as f:
        return f.read().rstrip()  # like medgate: trailing whitespace is not part of the key


def verify(secret, timestamp, signature, body, tolerance=300, now=None):
    """The verification recipe of docs/targets/http.md. Returns None when the
    request is authentic, else the reason to refuse it (answer 401)."""
    if not timestamp or not signature:
        return "missing X-Medgate-Timestamp or X-Medgate-Signature"
    try:
        ts = int(timestamp)
    except ValueError:
        return "X-Medgate-Timestamp is not an integer"
    now = time.time() if now is None else now
    if abs(now - ts) > tolerance:
        return "timestamp outside the tolerance"
    expected = "v1=" + hmac.new(secret, timestamp.encode("ascii") + b"." + body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode("ascii"), signature.encode("ascii", "replace")):
        return "signature mismatch"
    return None


class State:
    def __init__(self, args):
        self.args = args
        self.secret = read_secret(args.secret_file)
        self.lock = threading.Lock()
        self.verified = 0  # verified requests so far
        self.seen = 0  # all requests so far
        self.release = threading.Event()  # set at shutdown: hung requests end

    def log_request(self, status, batch_id, keys):
        if not self.args.requests_log:
            return
        line = json.dumps({"status": status, "batch_id": batch_id, "keys": keys}) + "\n"
        with self.lock, open(self.args.requests_log, "a", encoding="utf-8") as f:
            f.write(line)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the target expects
    state = None  # set in main()

    def log_message(self, fmt, *args):  # never log request contents
        pass

    def answer(self, status, text, batch_id="", keys=()):
        # Logged before answering: once the client has the answer, the log has the line.
        self.state.log_request(status, batch_id, list(keys))
        body = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json" if text.startswith("{") else "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        st = self.state
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self.close_connection = True
            return self.answer(413, f"body larger than {MAX_BODY} bytes")
        body = self.rfile.read(length)
        with st.lock:
            st.seen += 1
            hang = st.seen <= st.args.hang_first
        if hang:
            st.release.wait()
            self.close_connection = True
            return
        batch_id = self.headers.get("X-Medgate-Batch-Id", "")
        problem = verify(st.secret, self.headers.get("X-Medgate-Timestamp"), self.headers.get("X-Medgate-Signature"),
                         body, st.args.tolerance)
        if problem:
            return self.answer(401, problem, batch_id)
        try:  # parsed only once it is known to come from the gateway
            records = json.loads(body)["records"]
            keys = [r["idempotency_key"] for r in records]
        except (ValueError, KeyError, TypeError):
            return self.answer(400, "body is not {\"records\":[...]}", batch_id)
        with st.lock:
            st.verified += 1
            fail = st.verified <= st.args.fail_first
        if fail:
            return self.answer(500, "scripted failure", batch_id, keys)
        if st.args.reject_marker and st.args.reject_marker.encode("utf-8") in body:
            return self.answer(400, "record refused: contains the reject marker", batch_id, keys)
        with st.lock, open(st.args.out, "a", encoding="utf-8") as f:
            for r in records:
                f.write(json.dumps({"idempotency_key": r["idempotency_key"], "batch_id": batch_id,
                                    "record": r.get("record")}, ensure_ascii=False) + "\n")
        return self.answer(200, json.dumps({"accepted": len(records)}), batch_id, keys)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--secret-file", required=True)
    p.add_argument("--out", required=True, help="NDJSON file the accepted records are appended to")
    p.add_argument("--requests-log")
    p.add_argument("--fail-first", type=int, default=0)
    p.add_argument("--reject-marker")
    p.add_argument("--hang-first", type=int, default=0)
    p.add_argument("--tolerance", type=int, default=300, help="seconds a timestamp may differ from now")
    args = p.parse_args()
    Handler.state = State(args)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        Handler.state.release.set()
        server.server_close()


if __name__ == "__main__":
    sys.exit(main())
