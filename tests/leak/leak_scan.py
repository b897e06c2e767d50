#!/usr/bin/env python3
"""Independent leak scanner: looks for raw identifiers in medgate's output.

Written apart from the gateway's scrubber (no shared code, different method),
so that a blind spot of one is not a blind spot of both. Two checks:

1. Known values. The truth file lists, per input record (source_record_id),
   every identifier that was in it, in the record's fields or in its free text:
   names, resident IDs, phones, MRNs, e-mails, card numbers, address parts,
   exact birth dates. Each output string of that record is normalized (NFKC:
   full-width digits and letters become ASCII; spaces, hyphens, dots,
   parentheses and '+' removed; upper case) and must contain none of them,
   normalized the same way.
2. Shapes. Every output string is searched, without knowing the input, for
   anything shaped like an identifier: an 18-digit resident ID with a valid
   GB 11643 check digit, a 15-digit legacy ID with a valid birth date, a
   mainland mobile number (optionally +86), a landline with area code, an
   e-mail address, a 16-19 digit number passing the Luhn check.

Usage:
  leak_scan.py [--truth TRUTH.ndjson]... [--gen-records IN.ndjson]... OUTPUT...
TRUTH lines: {"source_record_id": .., "values": [..]}; IN: gen_records.py lines
(the truth is derived from their fields). Both may be given, several times.
OUTPUT: NDJSON files or directories of them. Exit 0 when nothing is found,
1 listing each finding (record, field path, kind; the value masked), 2 usage.
"""
import argparse, datetime, glob, json, os, re, sys, unicodedata

SEPARATORS = dict.fromkeys(map(ord, " \t\u3000-\u2010\u2011\u2012\u2013\u2014\u2212.()+"), None)


def normalize(s):
    if not s.isascii():  # NFKC leaves ASCII as it is
        s = unicodedata.normalize("NFKC", s)
    return s.translate(SEPARATORS).upper()


DIGIT_OR_AT = re.compile(r"[0-9\uff10-\uff19@＠]")
# Whole strings that cannot be an identifier in a shape the boundaries below
# would match: hex with at least one letter (tokens, record ids; a digit run
# inside is glued to letters) and RFC 3339 dates and times.
SAFE = re.compile(r"(?=[0-9a-f]*[a-f])[0-9a-f]{16,64}"
                  r"|\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?")
HEX_TOKEN = re.compile(r"(?=[0-9a-f]*[a-f])[0-9a-f]{16,64}")
HEX_CHARS = frozenset("0123456789ABCDEF")
# A known value is looked for inside a hex token (patient.token, *_token,
# record_id: HMAC/SHA-256 output) only when it is long enough not to turn up
# there by chance. An 8-digit birth date appears in a random 32-character hex
# string about once in 10^8 tries, so a 1M-record run with several tokens per
# record would report one every few dozen runs; an 11-digit phone number, once
# in about 10^12.
MIN_IN_HEX_TOKEN = 11


def may_be_chance(value, in_hex_token):
    return in_hex_token and len(value) < MIN_IN_HEX_TOKEN and set(value) <= HEX_CHARS


# --- shapes ---------------------------------------------------------------
B = r"(?<![0-9A-Za-z])"   # no ASCII letter or digit glued on either side
E = r"(?![0-9A-Za-z])"
ID18 = re.compile(B + r"(\d{17}[\dXx])" + E)
ID15 = re.compile(B + r"(\d{15})" + E)
MOBILE = re.compile(B + r"(?:\+?86)?(1[3-9]\d{9})" + E)
LANDLINE = re.compile(B + r"(?:0|\+?86 ?0?)([1-9]\d{1,2})(\d{7,8})" + E)
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
CARD = re.compile(B + r"(\d{16,19})" + E)
GLUE = re.compile(r"(?<=\d)[ \-\u3000](?=\d)")  # "138 1234-5678" -> "13812345678"
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
# Area codes of mainland landlines (2 digits after the 0 for the big cities, else 3).
BIG_CITIES = {"10", "20", "21", "22", "23", "24", "25", "27", "28", "29"}


def valid_date(y, m, d):
    try:
        datetime.date(y, m, d)
        return True
    except ValueError:
        return False


def id18_ok(s):
    total = sum(int(c) * w for c, w in zip(s[:17], WEIGHTS))
    return "10X98765432"[total % 11] == s[17].upper() and valid_date(int(s[6:10]), int(s[10:12]), int(s[12:14]))


def id15_ok(s):
    return 11 <= int(s[:2]) <= 82 and valid_date(1900 + int(s[6:8]), int(s[8:10]), int(s[10:12]))


def luhn_ok(s):
    total = 0
    for i, c in enumerate(reversed(s)):
        d = int(c)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def shapes(text):
    """(kind, match) for every identifier-shaped substring of text."""
    found = []
    # Fast path: anything identifier-shaped has 7 digits or an '@'.
    if SAFE.fullmatch(text) or (len(DIGIT_OR_AT.findall(text)) < 7 and "@" not in text and "＠" not in text):
        return found
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    for t in {text, GLUE.sub("", text), GLUE.sub("", text.replace("(", "").replace(")", ""))}:
        found += [("ID", m.group(1)) for m in ID18.finditer(t) if id18_ok(m.group(1))]
        found += [("ID15", m.group(1)) for m in ID15.finditer(t) if id15_ok(m.group(1))]
        found += [("PHONE", m.group(1)) for m in MOBILE.finditer(t)]
        for m in LANDLINE.finditer(t):
            area = m.group(1)
            if (area in BIG_CITIES and len(m.group(2)) == 8) or (len(area) == 3 and area not in BIG_CITIES):
                found.append(("LANDLINE", m.group(0)))
        found += [("EMAIL", m.group(0)) for m in EMAIL.finditer(t)]
        found += [("CARD", m.group(1)) for m in CARD.finditer(t) if luhn_ok(m.group(1))]
    return found


# --- truth ----------------------------------------------------------------
def truth_from_gen_records(path):
    """gen_records.py lines: every identifier each record carries."""
    truth = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            addr = r["address"]
            below_city = addr[3:]  # CITIES are 3 characters: 北京市, 广东省, ...
            road = re.search(r"某路\d+号", addr)
            # Already in normal form (no separators, no full-width); only case and the date's hyphens differ.
            values = [r["name"], r["id_number"].upper(), r["phone"], r["mrn"].upper(), below_city,
                      r["birth_date"].replace("-", "")]
            if road:
                values.append(road.group(0))
            truth[r["record_id"]] = "\0".join(values)
    return truth


def truth_from_file(path):
    truth = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            t = json.loads(line)
            truth[t["source_record_id"]] = "\0".join(normalize(v) for v in t["values"])
    return truth


# --- scan -----------------------------------------------------------------
def strings(value, path=""):
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from strings(v, f"{path}.{k}" if path else k)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from strings(v, f"{path}[{i}]")


def masked(v):
    return v[:2] + "*" * max(len(v) - 4, 1) + v[-2:] if len(v) > 4 else "*" * len(v)


def output_files(args):
    for a in args:
        if os.path.isdir(a):
            yield from sorted(glob.glob(os.path.join(a, "*.ndjson*")))
        else:
            yield a


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--truth", action="append", default=[])
    ap.add_argument("--gen-records", action="append", default=[])
    ap.add_argument("--max-report", type=int, default=20)
    ap.add_argument("outputs", nargs="+")
    a = ap.parse_args()
    if not a.truth and not a.gen_records:
        ap.error("--truth or --gen-records is required")
    truth = {}
    for path in a.gen_records:
        truth.update(truth_from_gen_records(path))
    for path in a.truth:
        truth.update(truth_from_file(path))
    records = strings_seen = unknown = 0
    findings = []
    for path in output_files(a.outputs):
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                rec = json.loads(line)
                records += 1
                rid = rec.get("source_record_id")
                known = truth.get(rid)
                if known is None:
                    unknown += 1
                known = [v for v in (known or "").split("\0") if len(v) >= 2]
                for field, s in strings(rec):
                    strings_seen += 1
                    norm = normalize(s)
                    hex_token = HEX_TOKEN.fullmatch(s) is not None
                    for v in known:
                        if v in norm and not may_be_chance(v, hex_token):
                            findings.append((path, n, rid, field, "own value", masked(v)))
                    for kind, m in shapes(s):
                        findings.append((path, n, rid, field, kind, masked(m)))
    print(f"leak_scan: {records} records, {strings_seen} strings scanned against "
          f"{len(truth)} input records' identifiers and identifier shapes; {len(findings)} findings")
    if unknown:
        print(f"leak_scan: {unknown} output records have no input in the truth file", file=sys.stderr)
    for path, n, rid, field, kind, m in findings[: a.max_report]:
        print(f"LEAK {os.path.basename(path)}:{n} record {rid} field {field}: {kind} {m}")
    if records == 0:
        print("leak_scan: no output records to scan", file=sys.stderr)
        return 2
    return 1 if findings or unknown else 0


if __name__ == "__main__":
    sys.exit(main())
