#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# tail_report.py: where a run's slowest APDUs fall in time (numbers only).
# Reads the files shell-drive writes when SHELL_DRIVE_RAW is set (one line per
# APDU: "START LATENCY" in us, START from the beginning of its run; a file
# holds the runs of one shell one after the other) and prints per run: p50,
# p99, and the slowest 1 % grouped into bursts (slow APDUs less than 5 ms
# apart), with the bursts' start times and their median spacing.  Bursts at
# a steady spacing from the start of each run point at something that runs in
# step with the load (round 5 of docs/benchmarks.md found a poll loop of the
# harness itself that way).
#   SHELL_DRIVE_RAW=/tmp/lat tests/bench/sidebyside_bench.sh
#   tests/bench/tail_report.py /tmp/lat.*
import statistics
import sys


def runs_of(path):
    run = []
    with open(path) as f:
        for line in f:
            t, lat = map(float, line.split())
            if run and t < run[-1][0]:
                yield run
                run = []
            run.append((t, lat))
    if run:
        yield run


def report(path):
    for k, run in enumerate(runs_of(path), 1):
        lats = sorted(lat for _, lat in run)
        n = len(lats)
        p50, p99 = lats[n // 2], lats[min(n - 1, int(n * 0.99))]
        bursts = []
        for t, lat in run:
            if lat < p99:
                continue
            if bursts and t - bursts[-1][1] < 5000:
                bursts[-1][1] = t
                bursts[-1][2] += 1
            else:
                bursts.append([t, t, 1])
        gaps = [(b[0] - a[0]) / 1000 for a, b in zip(bursts, bursts[1:])]
        spacing = "%.1f ms" % statistics.median(gaps) if gaps else "-"
        print("%s run %d: n=%d p50=%.0f p99=%.0f us; %d slow APDUs in %d bursts, "
              "median spacing %s; bursts at (ms): %s" % (
                  path, k, n, p50, p99, sum(b[2] for b in bursts), len(bursts), spacing,
                  " ".join("%.0f" % (b[0] / 1000) for b in bursts[:20])))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: tail_report.py FILE...")
    for p in sys.argv[1:]:
        report(p)
