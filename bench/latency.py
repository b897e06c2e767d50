#!/usr/bin/env python3
"""End-to-end latency of medgated under a steady load.

A feeder drops files of --batch generated records into the file source's
inbox at --rate records/s for --seconds (each file written aside and renamed
in, as a HIS export job would). A reader follows the file target's output,
reading new bytes every 2 ms, and notes when each record's line appears.
Latency of a record = the moment its line was read - the moment its file was
renamed into the inbox: file source, normalize/identify/desensitize, audit
append (fsynced), spool append (fdatasync), spool read, file target write.
(The reader can see a line just before the target's fdatasync of that batch
returns; the spool's fdatasync is always included.)

The daemon runs the demo config relocated to a temp dir, with the file
source's poll_interval at 20 ms (the demo's 200 ms would dominate).

Usage (after scripts/build.sh):
  bench/latency.py [--rate 5000] [--seconds 20] [--batch 100] [--runs 3]
Prints per-run p50/p90/p99/max and the medians over runs.
"""
import argparse, glob, math, os, re, shutil, statistics, subprocess, sys, tempfile, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import BUILD, SHARED, demo_config  # noqa: E402

ID = re.compile(rb'"source_record_id":"HIS-(\d+)"')


class OutputFollower(threading.Thread):
    """Follows every output file by inode (a rotation renames `.open` files,
    the inode stays), reading only new bytes; records when each id appears."""

    def __init__(self, pattern, n):
        super().__init__(daemon=True)
        self.pattern, self.arrival, self.stop = pattern, [None] * n, threading.Event()
        self.offsets, self.partial, self.seen = {}, {}, 0

    def run(self):
        while not self.stop.is_set():
            for path in glob.glob(self.pattern):
                try:
                    with open(path, "rb") as f:
                        ino = os.fstat(f.fileno()).st_ino
                        f.seek(self.offsets.get(ino, 0))
                        data = f.read()
                except FileNotFoundError:
                    continue  # renamed between glob and open: found under its new name next time
                if not data:
                    continue
                now = time.monotonic()
                self.offsets[ino] = self.offsets.get(ino, 0) + len(data)
                data = self.partial.pop(ino, b"") + data
                lines = data.split(b"\n")
                if lines[-1]:
                    self.partial[ino] = lines[-1]
                for line in lines[:-1]:
                    m = ID.search(line)
                    if m:
                        i = int(m.group(1))
                        if i < len(self.arrival) and self.arrival[i] is None:
                            self.arrival[i] = now
                            self.seen += 1
            time.sleep(0.002)


def percentile(sorted_values, p):
    """Nearest-rank percentile."""
    k = max(0, min(len(sorted_values) - 1, math.ceil(p / 100 * len(sorted_values)) - 1))
    return sorted_values[k]


def one_run(work, lines, rate, batch, delivery_interval):
    cfg = demo_config(work, delivery_interval)
    text = open(cfg, encoding="utf-8").read().replace("poll_interval: 200ms", "poll_interval: 20ms")
    open(cfg, "w", encoding="utf-8").write(text)
    var = os.path.join(work, "var")
    shutil.rmtree(var, ignore_errors=True)
    inbox = os.path.join(var, "inbox")
    os.makedirs(inbox)
    n = len(lines)
    follower = OutputFollower(os.path.join(var, "out", "analytics", "*.ndjson*"), n)
    log = open(os.path.join(work, "medgated.log"), "ab")
    daemon = subprocess.Popen([os.path.join(BUILD, "bin", "medgated"), "--config", cfg], stderr=log)
    try:
        # Ready when the admin API answers; poll the log for its port.
        deadline = time.monotonic() + 30
        while b"admin API on" not in open(log.name, "rb").read():
            if daemon.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("medgated did not start; see " + log.name)
            time.sleep(0.05)
        follower.start()
        drops = []
        t0 = time.monotonic()
        for k in range(0, n, batch):
            due = t0 + k / rate
            while (wait := due - time.monotonic()) > 0:
                time.sleep(wait)
            tmp = os.path.join(inbox, f".f{k:09d}.tmp")
            with open(tmp, "wb") as f:
                f.write(b"".join(lines[k:k + batch]))
            os.rename(tmp, os.path.join(inbox, f"f{k:09d}.ndjson"))
            drops.append(time.monotonic())
        fed = time.monotonic() - t0
        deadline = time.monotonic() + 120
        while follower.seen < n:
            if daemon.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"only {follower.seen} of {n} records arrived; see {log.name}")
            time.sleep(0.05)
        follower.stop.set()
        follower.join()
    finally:
        daemon.terminate()
        daemon.wait(timeout=120)
    lat = sorted((follower.arrival[i] - drops[i // batch]) * 1000 for i in range(n))
    return {"rate": n / fed, "p50": percentile(lat, 50), "p90": percentile(lat, 90),
            "p99": percentile(lat, 99), "max": lat[-1]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rate", type=int, default=5000, help="records/s offered")
    ap.add_argument("--seconds", type=int, default=20)
    ap.add_argument("--batch", type=int, default=100, help="records per dropped file")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--delivery-interval",
                    help="the two file targets' delivery_interval, e.g. 0 or 10ms (default: the host's)")
    args = ap.parse_args()
    n = args.rate * args.seconds
    work = tempfile.mkdtemp(prefix="medgate-latency.")
    try:
        gen = subprocess.run([sys.executable, os.path.join(SHARED, "gen_records.py"), str(n), "9"],
                             check=True, stdout=subprocess.PIPE).stdout
        lines = gen.splitlines(keepends=True)
        assert len(lines) == n
        results = []
        for run in range(args.runs):
            r = one_run(work, lines, args.rate, args.batch, args.delivery_interval)
            results.append(r)
            print(f"run {run + 1}: offered {r['rate']:,.0f} rec/s: p50 {r['p50']:.1f} ms, p90 {r['p90']:.1f} ms, "
                  f"p99 {r['p99']:.1f} ms, max {r['max']:.1f} ms", file=sys.stderr)
        med = {k: statistics.median(r[k] for r in results) for k in ("rate", "p50", "p90", "p99", "max")}
        p99s = ", ".join("%.1f" % r["p99"] for r in results)
        print(f"| {args.rate:,} rec/s offered ({args.batch}-record files), {n:,} records | "
              f"{med['p50']:.1f} | {med['p90']:.1f} | {med['p99']:.1f} | {med['max']:.1f} | "
              f"{p99s} |")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
