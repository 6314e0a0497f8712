#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""apdu-pump.py: a modem stand-in that keeps APDUs flowing through a client
role's shell frontend, for recovery tests and benchmarks.

Runs the given command (remsim-client-shell or osmo-remsim-client-shell with
its options) with pipes, sends one C-APDU at a time, waits for its R-APDU,
re-sends after --retry-ms when none came (a link was down), and writes one
line per answer to --out:  "R <CLOCK_MONOTONIC seconds>".  SET_ATR lines are
written as "A <time> <hex>".  It stops after --seconds or --count answers,
on SIGTERM, or when the command exits; the last line is
"SUMMARY answers=N resent=N".

    apdu-pump.py --out FILE [--apdu HEX] [--seconds S] [--count N]
                 [--retry-ms MS] [--gap-ms MS] -- COMMAND ARGS...
"""
import argparse
import os
import select
import signal
import subprocess
import sys
import time

ap = argparse.ArgumentParser()
ap.add_argument("--out", required=True)
ap.add_argument("--apdu", default="a0f2000016")          # STATUS (GSM)
ap.add_argument("--seconds", type=float, default=60.0)
ap.add_argument("--count", type=int, default=10_000_000)
ap.add_argument("--retry-ms", type=float, default=200.0)
ap.add_argument("--gap-ms", type=float, default=2.0)      # pause between answer and next APDU
ap.add_argument("cmd", nargs=argparse.REMAINDER)
o = ap.parse_args()
cmd = o.cmd[1:] if o.cmd and o.cmd[0] == "--" else o.cmd
if not cmd:
    ap.error("a command is required after --")

stop = False


def on_term(*_):
    global stop
    stop = True


signal.signal(signal.SIGTERM, on_term)
signal.signal(signal.SIGINT, on_term)

out = open(o.out, "w", buffering=1)
child = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=sys.stderr,
                         bufsize=0)
buf = b""
answers = resent = 0
sent_at = None          # None: nothing in flight
next_send = time.monotonic()
end = time.monotonic() + o.seconds
while not stop and answers < o.count and time.monotonic() < end:
    now = time.monotonic()
    if sent_at is None and now >= next_send:
        try:
            child.stdin.write((o.apdu + "\n").encode())
        except (BrokenPipeError, OSError):
            break
        sent_at = now
    elif sent_at is not None and now - sent_at > o.retry_ms / 1000.0:
        resent += 1
        sent_at = None
        next_send = now
        continue
    wait = 0.05
    if sent_at is not None:
        wait = max(0.0, sent_at + o.retry_ms / 1000.0 - now)
    elif now < next_send:
        wait = next_send - now
    r, _, _ = select.select([child.stdout], [], [], min(wait, 0.05))
    if not r:
        if child.poll() is not None:
            break
        continue
    data = os.read(child.stdout.fileno(), 65536)
    if not data:
        break
    buf += data
    while b"\n" in buf:
        line, buf = buf.split(b"\n", 1)
        t = time.monotonic()
        s = line.decode(errors="replace").strip()
        if s.startswith("R-APDU:"):
            if sent_at is not None:
                answers += 1
                out.write("R %.6f\n" % t)
                sent_at = None
                next_send = t + o.gap_ms / 1000.0
        elif s.startswith("SET_ATR:"):
            out.write("A %.6f %s\n" % (t, s[8:].replace(" ", "")))
out.write("SUMMARY answers=%d resent=%d\n" % (answers, resent))
out.close()
try:
    child.stdin.close()
except OSError:
    pass
try:
    child.wait(timeout=5)
except subprocess.TimeoutExpired:
    child.terminate()
    try:
        child.wait(timeout=5)
    except subprocess.TimeoutExpired:
        child.kill()
