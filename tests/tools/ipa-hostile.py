#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""ipa-hostile.py: hostile RSPRO/IPA peers on loopback for the timeout tests
(tests/integration/bankd_hostile.sh): many connections at once, each doing
one bad thing, and a report of what the other side did about it.

usage: ipa-hostile.py PORT MODE [--conns N] [--seconds S]

MODE (every connection, for at most --seconds):
  silent    connect, answer PINGs, never send anything else
  partial   an IPA header announcing 1000 octets, 10 of them, then silence
            (PINGs answered)
  nopong    a ConnectClientReq (client 7:N), then never answer a PING
  pong      a ConnectClientReq (client 7:N), answer every PING
  garbage   one frame with an undecodable RSPRO PDU
Prints one line:
  MODE conns=N closed=C max_close_s=T pings=P
(closed: connections the peer closed within the time; max_close_s: the
latest of those closes, seconds after connecting; pings: PINGs received).
"""
import argparse
import select
import socket
import time

PING = bytes.fromhex("0001fe00")
PONG = bytes.fromhex("0001fe01")


def connect_client_req(slot):
    """connectClientReq of tests/vectors/encoder-every-message.txt, client 7:slot"""
    pdu = bytes.fromhex("3031800102810100a229a227301d0a01001602766d800d72656d73696d2d636c69656e74"
                        "8105312e302e3030060201070201") + bytes([slot & 0x7f])
    return (len(pdu) + 1).to_bytes(2, "big") + b"\xee\x07" + pdu


def first_words(mode, i):
    if mode == "partial":
        return (1000).to_bytes(2, "big") + b"\xee\x07" + b"\x30" * 9
    if mode in ("nopong", "pong"):
        return connect_client_req(i)
    if mode == "garbage":
        return bytes.fromhex("0005ee07") + b"\x30\x02\xff\xff"
    return b""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("mode", choices=["silent", "partial", "nopong", "pong", "garbage"])
    ap.add_argument("--conns", type=int, default=100)
    ap.add_argument("--seconds", type=float, default=10)
    o = ap.parse_args()
    t_end = time.monotonic() + o.seconds
    conns = {}
    for i in range(o.conns):
        s = socket.create_connection(("127.0.0.1", o.port), timeout=3)
        s.sendall(first_words(o.mode, i))
        s.setblocking(False)
        conns[s] = {"t0": time.monotonic(), "buf": b""}
    closed, last, pings = 0, 0.0, 0
    while conns and time.monotonic() < t_end:
        r, _, _ = select.select(list(conns), [], [], min(0.2, max(0.0, t_end - time.monotonic())))
        for s in r:
            st = conns[s]
            try:
                d = s.recv(4096)
            except OSError:
                d = b""
            if not d:
                closed += 1
                last = max(last, time.monotonic() - st["t0"])
                del conns[s]
                s.close()
                continue
            st["buf"] += d
            while st["buf"].find(PING) >= 0:
                k = st["buf"].find(PING)
                st["buf"] = st["buf"][k + 4:]
                pings += 1
                if o.mode != "nopong":
                    try:
                        s.sendall(PONG)
                    except OSError:
                        pass
            st["buf"] = st["buf"][-3:]
    print("%s conns=%d closed=%d max_close_s=%.1f pings=%d" % (o.mode, o.conns, closed, last, pings))
    for s in conns:
        s.close()


if __name__ == "__main__":
    main()
