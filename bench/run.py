#!/usr/bin/env python3
"""Side-by-side benchmark, one run: the same generated input through
  - ../shared/bench/ref_desensitize.py   (Python reference)
  - ../shared/bench/ref_desensitize.mjs  (Node.js reference)
  - medgate_transform_bench              (medgate's per-record code, one thread)
  - medgate_floor_bench                  (the floor: parsing and the required
                                          SHA-256 work alone, timed inside)
and then end to end through medgated (file source -> pipeline -> durable
spool + audit -> file target, fsync on). Runs are interleaved so machine noise
hits all alike; reports medians and ratios as a Markdown table.

Usage: bench/run.py [--records N] [--runs R] [--skip-e2e] [--skip-floor]   (after scripts/build.sh)
"""
import argparse, glob, os, re, shutil, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.normpath(os.path.join(ROOT, "..", "shared", "bench"))
BUILD = os.environ.get("MEDGATE_BUILD_DIR") or os.path.join(ROOT, "build")  # tests point it at their build


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def timed(cmd, stdin_path, stdout_path):
    with open(stdin_path, "rb") as fin, open(stdout_path, "wb") as fout:
        t0 = time.perf_counter()
        subprocess.run(cmd, stdin=fin, stdout=fout, stderr=subprocess.PIPE, check=True)
        return time.perf_counter() - t0


def floor_seconds(cfg, stdin_path):
    """medgate_floor_bench's own sum of its timed phases (its wall clock also
    holds the untimed set-up: the real transform and audit log)."""
    cmd = [os.path.join(BUILD, "bin", "medgate_floor_bench"), "--config", cfg, "--route", "his-to-analytics"]
    with open(stdin_path, "rb") as fin:
        r = subprocess.run(cmd, stdin=fin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=True)
    fields = dict(kv.split("=", 1) for kv in r.stderr.decode().split() if "=" in kv)
    return float(fields["floor_s"]), fields


def count_lines(pattern):
    n = 0
    for p in glob.glob(pattern):
        with open(p, "rb") as f:
            n += sum(buf.count(b"\n") for buf in iter(lambda: f.read(1 << 20), b""))
    return n


class OutputCounter:
    """Counts lines across the file target's output while it is being written.
    Closed files (no .open suffix) never change, so each is read once; a file
    renamed between listing and reading makes the count start over."""

    def __init__(self, pattern):
        self.pattern = pattern
        self.closed = {}

    def count(self):
        while True:
            try:
                total = 0
                for p in glob.glob(self.pattern):
                    if p.endswith(".open"):
                        total += count_lines(p)
                    else:
                        if p not in self.closed:
                            self.closed[p] = count_lines(p)
                        total += self.closed[p]
                return total
            except FileNotFoundError:
                continue


def demo_config(work, delivery_interval=None):
    """The demo config, relocated into WORK with a fresh key; with
    DELIVERY_INTERVAL (e.g. "0" or "10ms"), its two targets' delivery_interval."""
    os.makedirs(os.path.join(work, "keys"), exist_ok=True)
    key = os.path.join(work, "keys", "bench.key")
    fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.write(fd, os.urandom(32).hex().encode())
    os.close(fd)
    text = open(os.path.join(ROOT, "config", "medgate.yaml"), encoding="utf-8").read()
    text = text.replace("../var/keys/demo-token-2026.key", key)
    # The audit signing key (Ed25519) and its public half, as scripts/demo.sh makes them.
    signing = os.path.join(work, "keys", "audit-signing.key")
    verify = os.path.join(work, "keys", "audit-verify.pub")
    for path in (signing, verify):
        if os.path.exists(path):
            os.remove(path)
    old_umask = os.umask(0o077)
    try:
        subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", signing], check=True,
                       stderr=subprocess.DEVNULL)
    finally:
        os.umask(old_umask)
    subprocess.run(["openssl", "pkey", "-in", signing, "-pubout", "-out", verify], check=True)
    text = text.replace("../var/keys/audit-signing.key", signing)
    text = text.replace("../var/keys/audit-verify.pub", verify)
    text = text.replace("listen: 127.0.0.1:8580", "listen: 127.0.0.1:0")
    text = text.replace("listen: 127.0.0.1:2575", "listen: 127.0.0.1:0")  # the MLLP source
    text = text.replace("listen: 127.0.0.1:8581", "listen: 127.0.0.1:0")  # the HTTP ingress
    for role in ("admin", "operator", "auditor"):
        path = os.path.join(work, "keys", f"admin-{role}.token")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.write(fd, os.urandom(32).hex().encode())
        os.close(fd)
        text = text.replace(f"../var/keys/admin-{role}.token", path)
    text = re.sub(r"^state_dir: \.\./var", "state_dir: " + os.path.join(work, "var"), text, flags=re.M)
    text = text.replace("../var/", os.path.join(work, "var") + "/")
    if delivery_interval is not None:
        text, found = re.subn(r"(\n(    )batch_max: \d+)", r"\1\n\2delivery_interval: %s" % delivery_interval, text)
        if found != 2:
            raise SystemExit("bench: expected the demo config's two targets to set batch_max")
    path = os.path.join(work, "medgate.yaml")
    open(path, "w", encoding="utf-8").write(text)
    return path


def end_to_end(work, records_path, n):
    cfg = demo_config(work)
    var = os.path.join(work, "var")
    shutil.rmtree(var, ignore_errors=True)
    log = open(os.path.join(work, "medgated.log"), "ab")
    daemon = subprocess.Popen([os.path.join(BUILD, "bin", "medgated"), "--config", cfg], stderr=log)
    try:
        inbox = os.path.join(var, "inbox")
        out = os.path.join(var, "out", "analytics", "*.ndjson*")
        os.makedirs(inbox, exist_ok=True)
        tmp = os.path.join(inbox, ".bench.tmp")
        shutil.copyfile(records_path, tmp)
        t0 = time.perf_counter()
        os.rename(tmp, os.path.join(inbox, "bench.ndjson"))
        counter = OutputCounter(out)
        while counter.count() < n:
            if daemon.poll() is not None:
                raise SystemExit("medgated exited early; see " + log.name)
            time.sleep(0.2)
        return time.perf_counter() - t0
    finally:
        daemon.terminate()
        daemon.wait(timeout=120)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--skip-e2e", action="store_true")
    ap.add_argument("--skip-floor", action="store_true")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="medgate-bench.")
    try:
        records = os.path.join(work, "in.ndjson")
        with open(records, "wb") as f:
            sh([sys.executable, os.path.join(SHARED, "gen_records.py"), str(args.records), "7"], stdout=f)
        cfg = demo_config(work)
        impls = {
            "python ref_desensitize.py": [sys.executable, os.path.join(SHARED, "ref_desensitize.py")],
            "node ref_desensitize.mjs": ["node", os.path.join(SHARED, "ref_desensitize.mjs")],
            "medgate transform (1 thread)": [os.path.join(BUILD, "bin", "medgate_transform_bench"), "--config", cfg,
                                             "--route", "his-to-analytics"],
        }
        times = {k: [] for k in impls}
        e2e, floor = [], []
        for run in range(args.runs):
            for name, cmd in impls.items():
                out = os.path.join(work, "out.ndjson")
                t = timed(cmd, records, out)
                lines = count_lines(out)
                if lines != args.records:
                    raise SystemExit(f"{name}: {lines} output lines for {args.records} records")
                times[name].append(t)
                print(f"run {run + 1}: {name}: {t:.2f} s", file=sys.stderr)
            if not args.skip_floor:
                t, fields = floor_seconds(cfg, records)
                if int(fields["records"]) != args.records:
                    raise SystemExit(f"floor: {fields['records']} records for {args.records}")
                floor.append(t)
                print(f"run {run + 1}: floor: {t:.2f} s ({' '.join(f'{k}={v}' for k, v in fields.items())})",
                      file=sys.stderr)
            if not args.skip_e2e:
                t = end_to_end(work, records, args.records)
                e2e.append(t)
                print(f"run {run + 1}: medgated end to end: {t:.2f} s", file=sys.stderr)

        py = statistics.median(times["python ref_desensitize.py"])
        node = statistics.median(times["node ref_desensitize.mjs"])
        print(f"\n{args.records} records, {args.runs} interleaved runs, medians (wall clock):\n")
        print("| pipeline | median s | records/s | vs Python | vs Node.js | runs (s) |")
        print("|---|---:|---:|---:|---:|---|")
        rows = [(k, v) for k, v in times.items()]
        if floor:
            rows.append(("floor: parsing and SHA-256 work only (medgate_floor_bench)", floor))
        if e2e:
            rows.append(("medgated end to end, file -> file, durable", e2e))
        for name, ts in rows:
            m = statistics.median(ts)
            print(f"| {name} | {m:.2f} | {args.records / m:,.0f} | {py / m:.2f}x | {node / m:.2f}x | "
                  f"{', '.join(f'{t:.2f}' for t in ts)} |")
        if floor:
            f = statistics.median(floor)
            print(f"\n15x the Python reference: {py / 15 / args.records * 1e6:.3f} us per record; "
                  f"the floor: {f / args.records * 1e6:.3f} us per record, so at most {py / f:.1f}x "
                  f"for any implementation of the same work with these parse and hash functions on this machine.")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
