#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""broker_peer.py: a scripted IPA/RSPRO TCP peer for the broker tests.

usage: broker_peer.py --port PORT [--host H] [--no-pong] [--listen] STEP...

Connects (or with --listen, accepts one connection on PORT) and runs the
steps in order; prints "OK step" per step, "ERR step: why" and exits 1 on
the first failure.  PINGs are answered with PONG (unless --no-pong) and
counted.  Steps:
  echo:N            N PDUs, one at a time, each must come back unchanged
  split:N           the same, each frame written one octet at a time
  coalesce:N        N frames in one write; N echoes must come back in order
  raw:HEX           write octets as they are
  expect:HEX[:SEC]  the next frame (header included) must be HEX; PINGs are
                    skipped unless HEX is a PING
  expect_close[:SEC] the broker must close the connection
  alive:SEC         stay connected SEC seconds (answering PINGs)
  pings:MIN         at least MIN PINGs seen so far
  nopings           no PING seen so far
  touch:PATH        create PATH
  wait:PATH[:SEC]   wait until PATH exists
  sleep:SEC
"""
import os
import select
import socket
import sys
import time

PING = bytes.fromhex("0001fe00")
PONG = bytes.fromhex("0001fe01")
# tpduModemToCard(C23:0 -> B1:5, a0a40000023f00) from rspro-wire.md Appendix A
TPDU = bytes.fromhex("3031800102810100a229ac2730060201170201003006020101020105"
                     "300c0101000101000101000101000407a0a40000023f00")


class Closed(Exception):
    pass


class Peer:
    def __init__(self, sock, pong=True):
        self.s = sock
        self.pong = pong
        self.buf = b""
        self.pings = 0
        self.seq = 0

    def frame_out(self, pdu):
        return (len(pdu) + 1).to_bytes(2, "big") + b"\xee\x07" + pdu

    def next_pdu(self):
        self.seq += 1
        return TPDU + self.seq.to_bytes(4, "big")

    def _fill(self, deadline):
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("timeout")
            r, _, _ = select.select([self.s], [], [], left)
            if r:
                d = self.s.recv(65536)
                if not d:
                    raise Closed("connection closed by broker")
                self.buf += d
                return

    def read_frame(self, timeout=5.0, skip_ping=True):
        """Next frame (header included); PINGs are answered and skipped."""
        deadline = time.monotonic() + timeout
        while True:
            while len(self.buf) >= 3:
                n = int.from_bytes(self.buf[:2], "big")
                if len(self.buf) < 3 + n:
                    break
                f, self.buf = self.buf[:3 + n], self.buf[3 + n:]
                if f == PING:
                    self.pings += 1
                    if self.pong:
                        self.s.sendall(PONG)
                    if skip_ping:
                        continue
                return f
            self._fill(deadline)

    def echo(self, n, split=False):
        for _ in range(n):
            p = self.next_pdu()
            f = self.frame_out(p)
            if split:
                for i in range(len(f)):
                    self.s.send(f[i:i + 1])
                    time.sleep(0.0005)
            else:
                self.s.sendall(f)
            got = self.read_frame()
            if got != f:
                raise AssertionError("echo mismatch: sent %s got %s" % (f.hex(), got.hex()))

    def coalesce(self, n):
        fs = [self.frame_out(self.next_pdu()) for _ in range(n)]
        self.s.sendall(b"".join(fs))
        for i, f in enumerate(fs):
            got = self.read_frame()
            if got != f:
                raise AssertionError("coalesced echo %d mismatch" % i)

    def expect_close(self, timeout):
        deadline = time.monotonic() + timeout
        try:
            while True:
                self.read_frame(max(0.01, deadline - time.monotonic()))
        except Closed:
            return
        except ConnectionResetError:
            return

    def alive(self, secs):
        deadline = time.monotonic() + secs
        try:
            while time.monotonic() < deadline:
                f = self.read_frame(max(0.01, deadline - time.monotonic()))
                raise AssertionError("unexpected frame %s" % f.hex())
        except TimeoutError:
            return


def run(argv):
    host, port, pong, listen, steps = "127.0.0.1", None, True, False, []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--port":
            port = int(argv[i + 1]); i += 1
        elif a == "--host":
            host = argv[i + 1]; i += 1
        elif a == "--no-pong":
            pong = False
        elif a == "--listen":
            listen = True
        elif a in ("-h", "--help"):
            print(__doc__); return 0
        else:
            steps.append(a)
        i += 1
    if port is None:
        print(__doc__, file=sys.stderr); return 2
    if listen:
        ls = socket.socket()
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind((host, port)); ls.listen(1)
        ls.settimeout(30)
        s, _ = ls.accept()
        ls.close()
    else:
        s = socket.create_connection((host, port), timeout=5)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.settimeout(None)
    p = Peer(s, pong)
    for st in steps:
        op, _, arg = st.partition(":")
        try:
            if op == "echo":
                p.echo(int(arg))
            elif op == "split":
                p.echo(int(arg), split=True)
            elif op == "coalesce":
                p.coalesce(int(arg))
            elif op == "raw":
                s.sendall(bytes.fromhex(arg))
            elif op == "expect":
                hx, _, to = arg.partition(":")
                want = bytes.fromhex(hx)
                got = p.read_frame(float(to or 5), skip_ping=(want != PING))
                if got != want:
                    raise AssertionError("got %s" % got.hex())
            elif op == "expect_close":
                p.expect_close(float(arg or 5))
            elif op == "alive":
                p.alive(float(arg))
            elif op == "pings":
                if p.pings < int(arg):
                    raise AssertionError("only %d PINGs" % p.pings)
            elif op == "nopings":
                if p.pings:
                    raise AssertionError("%d PINGs" % p.pings)
            elif op == "touch":
                open(arg, "w").close()
            elif op == "wait":
                path, _, to = arg.partition(":")
                end = time.monotonic() + float(to or 20)
                while not os.path.exists(path):
                    if time.monotonic() > end:
                        raise TimeoutError("no " + path)
                    # keep answering PINGs while waiting
                    try:
                        f = p.read_frame(0.05)
                        raise AssertionError("unexpected frame %s" % f.hex())
                    except TimeoutError:
                        pass
            elif op == "sleep":
                time.sleep(float(arg))
            else:
                raise ValueError("unknown step")
        except Exception as e:  # noqa: BLE001 - report every failure the same way
            print("ERR %s: %s: %s (pings %d)" % (st, type(e).__name__, e, p.pings), flush=True)
            return 1
        print("OK %s" % st, flush=True)
    print("pings %d" % p.pings, flush=True)
    s.close()
    return 0


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
