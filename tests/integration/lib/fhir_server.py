#!/usr/bin/env python3
"""A small FHIR-like server for tests/integration/fhir_poll.sh: searches over an
in-memory store by _lastUpdated=geX, _sort=_lastUpdated, _count, with
link[next] paging (offset in the URL), bearer auth. Synthetic data only.

  fhir_server.py PORT TOKEN_FILE
  GET  /fhir/{Type}?...      a searchset Bundle (401 without the bearer token)
  GET  /control/stats        {"searches": N, "next_pages": N, "unauthorized": N}
  POST /control/add          adds a Patient with a later lastUpdated
  POST /control/add_utc      adds one later still, its lastUpdated written in
                             UTC ("...Z"): earlier than the others as text
Searches compare lastUpdated as instants (the moment, not the text), as a
FHIR server does.
"""
import json, sys, urllib.parse
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT, TOKEN = int(sys.argv[1]), open(sys.argv[2]).read().strip()
STATS = {"searches": 0, "next_pages": 0, "unauthorized": 0}


def patient(n, updated):
    # GB 11643 check digit for a synthetic resident ID.
    body = "11010519800101%03d" % n
    w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    rid = body + "10X98765432"[sum(int(c) * x for c, x in zip(body, w)) % 11]
    return {"resourceType": "Patient", "id": "pp%d" % n, "meta": {"versionId": "1", "lastUpdated": updated},
            "identifier": [{"system": "urn:oid:2.16.156.10011.1.3", "value": rid}],
            "name": [{"family": "测试", "given": ["轮询%d" % n]}], "gender": "female", "birthDate": "1980-01-01"}


STORE = {
    "Patient": [patient(1, "2026-11-20T08:00:00+08:00"), patient(2, "2026-11-20T09:00:00+08:00"),
                patient(3, "2026-11-20T09:00:00+08:00"), patient(4, "2026-11-20T10:00:00+08:00"),
                patient(5, "2026-11-20T11:00:00+08:00")],
    "Encounter": [{"resourceType": "Encounter", "id": "pe1", "status": "finished",
                   "meta": {"lastUpdated": "2026-11-20T12:00:00+08:00"},
                   "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"},
                   "subject": {"identifier": {"system": "urn:oid:2.16.156.10011.1.3",
                                              "value": patient(1, "")["identifier"][0]["value"]}},
                   "period": {"start": "2026-11-20T12:00:00+08:00"}, "serviceProvider": {"display": "心内科"}}],
}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def reply(self, status, doc):
        body = json.dumps(doc, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/fhir+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        if self.path == "/control/add":
            STORE["Patient"].append(patient(6, "2026-11-21T08:00:00+08:00"))
            return self.reply(200, {"ok": True})
        if self.path == "/control/add_utc":  # 09:00 at +08:00, after patient 6
            STORE["Patient"].append(patient(7, "2026-11-21T01:00:00Z"))
            return self.reply(200, {"ok": True})
        self.reply(404, {})

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        if url.path == "/control/stats":
            return self.reply(200, STATS)
        if self.headers.get("Authorization") != "Bearer " + TOKEN:
            STATS["unauthorized"] += 1
            return self.reply(401, {"resourceType": "OperationOutcome"})
        parts = url.path.split("/")
        if len(parts) != 3 or parts[1] != "fhir" or parts[2] not in STORE:
            return self.reply(404, {"resourceType": "OperationOutcome"})
        q = urllib.parse.parse_qs(url.query)
        count = int(q.get("_count", ["100"])[0])
        offset = int(q.get("_offset", ["0"])[0])
        if offset:
            STATS["next_pages"] += 1
        else:
            STATS["searches"] += 1
        moment = datetime.fromisoformat
        items = sorted(STORE[parts[2]], key=lambda r: moment(r["meta"]["lastUpdated"]))
        for f in q.get("_lastUpdated", []):
            if f.startswith("ge"):
                items = [r for r in items if moment(r["meta"]["lastUpdated"]) >= moment(f[2:])]
        page = items[offset:offset + count]
        bundle = {"resourceType": "Bundle", "type": "searchset", "total": len(items),
                  "entry": [{"fullUrl": "http://127.0.0.1:%d/fhir/%s/%s" % (PORT, r["resourceType"], r["id"]),
                             "resource": r, "search": {"mode": "match"}} for r in page],
                  "link": [{"relation": "self", "url": self.path}]}
        if offset + count < len(items):
            nq = dict((k, v[0]) for k, v in q.items())
            nq["_offset"] = str(offset + count)
            bundle["link"].append({"relation": "next", "url": "http://127.0.0.1:%d%s?%s" %
                                   (PORT, url.path, urllib.parse.urlencode(nq))})
        self.reply(200, bundle)


ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
