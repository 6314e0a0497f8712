#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""conn-flood.py: open N TCP connections to HOST:PORT (loopback only), hold
them for --hold seconds (or until SIGTERM), then close them; prints
"FLOOD opened=N failed=N closed_by_peer=N".  Never sends a byte.  Bounded:
at most 20000 connections, at most --hold + 30 seconds in all.

    conn-flood.py HOST PORT N [--hold S]
"""
import argparse
import resource
import select
import signal
import socket
import sys
import time

ap = argparse.ArgumentParser()
ap.add_argument("host")
ap.add_argument("port", type=int)
ap.add_argument("n", type=int)
ap.add_argument("--hold", type=float, default=5.0)
o = ap.parse_args()
if not o.host.startswith("127.") and o.host not in ("localhost", "::1"):
    sys.exit("conn-flood: loopback addresses only")
n = min(o.n, 20000)
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
want = min(hard, n + 64) if hard != resource.RLIM_INFINITY else n + 64
if soft < want:
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))

stop = False
signal.signal(signal.SIGTERM, lambda *_: globals().__setitem__("stop", True))
socks, failed = [], 0
deadline = time.monotonic() + 30
for _ in range(n):
    if stop or time.monotonic() > deadline:
        break
    s = socket.socket()
    s.settimeout(2)
    try:
        s.connect((o.host, o.port))
        socks.append(s)
    except OSError:
        failed += 1
        s.close()
print("FLOOD opened=%d failed=%d" % (len(socks), failed), flush=True)
end = time.monotonic() + o.hold
closed = 0
poller = select.poll()
byfd = {s.fileno(): s for s in socks}
for fd in byfd:
    poller.register(fd, select.POLLIN)
while not stop and time.monotonic() < end and byfd:
    for fd, _ in poller.poll(200):
        try:
            gone = not byfd[fd].recv(4096)
        except OSError:
            gone = True
        if gone:
            poller.unregister(fd)
            del byfd[fd]
            closed += 1
for s in socks:
    s.close()
print("FLOOD done closed_by_peer=%d" % closed, flush=True)
