#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""http-slowloris.py: a bounded slowloris against an HTTP port on loopback,
with legitimate GETs from another source address at the same time, for the
REST hardening test (tests/integration/rest_hostile.sh).

usage: http-slowloris.py PORT PATH [--conns N] [--attacker ADDR] [--legit ADDR]
                         [--line-every S] [--seconds S] [--gets N]

The attacker opens N connections from ADDR (default 127.0.0.2) and sends one
header line every S seconds, never the end of the headers; the legitimate
side sends --gets GETs of PATH from its own address, one after the other,
spread over the attack.  Everything stops after --seconds.  Prints one line
of numbers:
  attack conns=N accepted=A refused=R closed_by_server=C legit_answered=X/Y
"""
import argparse
import socket
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("path")
    ap.add_argument("--conns", type=int, default=64)
    ap.add_argument("--attacker", default="127.0.0.2")
    ap.add_argument("--legit", default="127.0.0.1")
    ap.add_argument("--line-every", type=float, default=1.0)
    ap.add_argument("--seconds", type=float, default=8.0)
    ap.add_argument("--gets", type=int, default=20)
    o = ap.parse_args()
    dst = ("127.0.0.1", o.port)
    t_end = time.monotonic() + o.seconds

    socks, refused = [], 0
    for _ in range(o.conns):
        s = socket.socket()
        s.settimeout(2)
        try:
            s.bind((o.attacker, 0))
            s.connect(dst)
            s.sendall(b"GET " + o.path.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            socks.append(s)
        except OSError:
            refused += 1
            s.close()
    open_ = {s: True for s in socks}

    def feed():
        """one more header line on every open attack connection; note closes"""
        for s in socks:
            if not open_[s]:
                continue
            try:
                s.setblocking(False)
                try:
                    if s.recv(4096) == b"":
                        open_[s] = False
                        continue
                except BlockingIOError:
                    pass
                s.sendall(b"X-a: b\r\n")
            except OSError:
                open_[s] = False

    answered, asked = 0, 0
    gap = o.seconds / max(o.gets, 1)
    next_feed = next_get = time.monotonic()
    while time.monotonic() < t_end:
        if time.monotonic() >= next_feed:
            feed()
            next_feed += o.line_every
        if asked < o.gets and time.monotonic() >= next_get:
            asked += 1
            next_get += gap
            g = socket.socket()
            g.settimeout(min(3.0, max(0.1, t_end - time.monotonic())))
            try:
                g.bind((o.legit, 0))
                g.connect(dst)
                g.sendall(b"GET " + o.path.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                if g.recv(64).startswith(b"HTTP/1.1 200"):
                    answered += 1
            except OSError:
                pass
            g.close()
        time.sleep(0.05)
    feed()
    closed = sum(1 for s in socks if not open_[s])
    # a connection refused by the per-address cap is accepted and closed at once
    accepted = len(socks)
    print("attack conns=%d accepted=%d refused=%d closed_by_server=%d legit_answered=%d/%d"
          % (o.conns, accepted, refused, closed, answered, asked))
    for s in socks:
        s.close()


if __name__ == "__main__":
    main()
