#!/usr/bin/env python3
"""MLLP throughput and ACK latency of medgated, with 1, 8 and 64 connections.

Starts medgated on the demo config (relocated to a temp dir, like bench/run.py:
two file targets, durable spool, hash-chained audit log, fsync on), then runs
build/bin/medgate_mllp_bench against its MLLP port for each connection count:
every connection sends ADT^A01 messages one after another and waits for each
ACK, which medgated sends only after the record is durable. Runs are
interleaved (1, 8, 64, 1, 8, 64, ...); reports medians as a Markdown table,
and a second one of where the emits' time went, from medgated's own
/metrics (medgate_pipeline_batch_seconds, medgate_pipeline_stage_seconds).

Usage: bench/mllp.py [--messages N] [--runs R]   (after scripts/build.sh)
  --messages: messages per run, split evenly over the connections
"""
import argparse, os, re, shutil, socket, statistics, subprocess, sys, tempfile, time, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run  # noqa: E402  (demo_config, BUILD)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


STEPS = ("batch", "queued", "transform", "audit", "spool")


def emit_path(admin_port):
    """{step: (sum seconds, count)} of medgated's emit-path histograms (GET /metrics)."""
    text = urllib.request.urlopen(f"http://127.0.0.1:{admin_port}/metrics", timeout=10).read().decode()
    got = {}
    for step in STEPS:
        name, label = (("medgate_pipeline_batch_seconds", "") if step == "batch"
                       else ("medgate_pipeline_stage_seconds", '{stage="%s"}' % step))
        values = []
        for suffix in ("_sum", "_count"):
            m = re.search(r"^%s%s%s (\S+)$" % (name, suffix, re.escape(label)), text, re.M)
            if not m:
                raise SystemExit(f"bench/mllp.py: medgated's /metrics has no {name}{suffix}{label}")
            values.append(float(m.group(1)))
        got[step] = tuple(values)
    return got


def step_means(before, after):
    """Mean ms per step between two emit_path() readings, and batches per group commit."""
    means = {}
    for step in STEPS:
        n = after[step][1] - before[step][1]
        means[step] = (after[step][0] - before[step][0]) * 1e3 / n if n else 0.0
    commits = after["audit"][1] - before["audit"][1]
    means["batches_per_commit"] = (after["batch"][1] - before["batch"][1]) / commits if commits else 0.0
    return means


def cpu_seconds(pid):
    """(user, system) CPU seconds of a process so far (/proc/PID/stat)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


def print_table(counts, results, columns, cells):
    """A Markdown table, one row per connection count: cells(med, runs) gives
    the row's cells after the count; med(key) is the median of the runs' key."""
    print("| connections | " + " | ".join(columns) + " |")
    print("|---:|" + "---:|" * len(columns))
    for c in counts:
        rs = results[c]
        print(f"| {c} | " + " | ".join(cells(lambda k: statistics.median(float(x[k]) for x in rs), rs)) + " |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=20000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--connections", default="1,8,64")
    ap.add_argument("--handler-threads", type=int, help="the his_hl7 source's handler_threads (default: its own)")
    ap.add_argument("--workers", type=int, help="pipeline.workers (default: the demo config's)")
    ap.add_argument("--delivery-interval",
                    help="the two file targets' delivery_interval, e.g. 0 or 10ms (default: the host's)")
    args = ap.parse_args()
    counts = [int(c) for c in args.connections.split(",")]
    work = tempfile.mkdtemp(prefix="medgate-mllp-bench.")
    try:
        cfg = run.demo_config(work, args.delivery_interval)
        port = free_port()
        # The MLLP source's listen line follows "plugin: his_hl7". Every
        # connection must be served at once (max_connections, 64 by default):
        # the client opens them all before it sends, and connections the
        # source does not accept would wait in the backlog for ever.
        text, found = re.subn(r"(plugin: his_hl7\n\s+config:\n(\s+)listen: )127\.0\.0\.1:0",
                      r"\g<1>127.0.0.1:%d\n\g<2>max_connections: %d" % (port, max(64, max(counts)))
                      + (r"\n\g<2>handler_threads: %d" % args.handler_threads if args.handler_threads else ""),
                      open(cfg, encoding="utf-8").read())
        if found != 1:
            raise SystemExit("bench/mllp.py: the demo config's his_hl7 source has no 'listen: 127.0.0.1:0' to set")
        if args.workers:
            text, found = re.subn(r"(\npipeline:\n(?:  .*\n)*?  workers: )\d+", r"\g<1>%d" % args.workers, text)
            if found != 1:
                raise SystemExit("bench/mllp.py: the demo config's pipeline section has no 'workers:' to set")
        admin_port = free_port()
        text, found = re.subn(r"(admin:\n\s+enabled: true\n\s+listen: )127\.0\.0\.1:0", r"\g<1>127.0.0.1:%d" % admin_port,
                              text)
        if found != 1:
            raise SystemExit("bench/mllp.py: the demo config's admin section has no 'listen: 127.0.0.1:0' to set")
        open(cfg, "w", encoding="utf-8").write(text)
        log = open(os.path.join(work, "medgated.log"), "ab")
        daemon = subprocess.Popen([os.path.join(run.BUILD, "bin", "medgated"), "--config", cfg], stderr=log)
        try:
            for _ in range(200):
                try:
                    socket.create_connection(("127.0.0.1", port), 1).close()
                    break
                except OSError:
                    if daemon.poll() is not None:
                        raise SystemExit("medgated exited early; see " + log.name)
                    time.sleep(0.1)
            results = {c: [] for c in counts}
            for r in range(args.runs):
                for c in counts:
                    per = max(1, args.messages // c)
                    path_before = emit_path(admin_port)  # before the CPU reading: not counted
                    cpu_before = cpu_seconds(daemon.pid)
                    out = subprocess.run([os.path.join(run.BUILD, "bin", "medgate_mllp_bench"), "--port", str(port),
                                          "--connections", str(c), "--messages-per-connection", str(per)],
                                         check=True, capture_output=True, text=True).stdout.strip()
                    fields = dict(kv.split("=") for kv in out.split())
                    # medgated's CPU per acknowledged message (the targets
                    # still delivering when the client ends are counted in
                    # the next run; small next to a run's total)
                    cpu_after = cpu_seconds(daemon.pid)
                    user_us, sys_us = ((a - b) * 1e6 / int(fields["messages"]) for a, b in zip(cpu_after, cpu_before))
                    out += f" medgated_cpu_us_per_msg={user_us + sys_us:.0f} (user {user_us:.0f}, system {sys_us:.0f})"
                    fields["cpu_us"] = user_us + sys_us
                    fields["sys_us"] = sys_us
                    means = step_means(path_before, emit_path(admin_port))
                    out += " emit_ms=%.2f (queued %.2f, per commit: transform %.2f, audit %.2f, spool %.2f; %.1f batches)" % (
                        means["batch"], means["queued"], means["transform"], means["audit"], means["spool"],
                        means["batches_per_commit"])
                    fields.update(means)
                    results[c].append(fields)
                    print(f"run {r + 1}: {c} connections: {out}", file=sys.stderr)
        finally:
            daemon.terminate()
            daemon.wait(timeout=120)
        print(f"\n{args.messages} messages per run, {args.runs} interleaved runs, medians:\n")
        print_table(counts, results, ["messages ACKed/s", "p50 ACK ms", "p99 ACK ms", "medgated CPU us/msg",
                                      "of which system", "runs (msg/s)"],
                    lambda med, rs: [f"{med('acked_per_s'):,.0f}", f"{med('p50_ms'):.2f}", f"{med('p99_ms'):.2f}",
                                     f"{med('cpu_us'):.0f}", f"{med('sys_us'):.0f}",
                                     ", ".join(f"{float(x['acked_per_s']):,.0f}" for x in rs)])
        print("\nWhere the emits' time went (medgated's /metrics; means per run, medians of the runs, ms):\n")
        print_table(counts, results, ["emit, per batch", "of which queued for a worker", "transform, per group",
                                      "audit append, per commit", "spool appends, per commit", "batches per commit"],
                    lambda med, rs: [f"{med(k):.2f}" for k in ("batch", "queued", "transform", "audit", "spool")]
                    + [f"{med('batches_per_commit'):.1f}"])
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
