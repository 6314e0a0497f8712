#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# st2_usbmon_pcap.py: writes a usbmon pcap (LINKTYPE_USB_LINUX_MMAPPED) of a
# SIMtrace2 cardem session as st2host --usb performs it, for umockdev's
# in-order pcap replay (tests/integration/st2_umockdev.sh, docs/usb-testing.md):
# interrupt IN + 4 bulk IN submitted, the 5 start-up OUT messages, CONFIG
# answer, two STATUS IRQs, one case-1 TPDU (a0 04 00 00 00 -> 90 00) and,
# with "unplug", a bulk-IN completion with -ENODEV.  With "relay" the IN
# transfer is resubmitted before the TPDU's answer goes OUT, as a host that
# relays the C-APDU elsewhere (the usbslot actor) does it.  With "burst" a
# PTS indication completes right before the TPDU header (two completions
# back to back, as after the modem's PPS).  With "in1" the host keeps one
# bulk-IN transfer instead of 4.
# usage: st2_usbmon_pcap.py OUT.pcap [unplug] [relay] [burst] [in1]
import struct, sys
recs = []
t = [0]
def rec(urb, typ, xt, ep, data=b'', length=None, status=0, flag_data=None):
    t[0] += 100
    if length is None: length = len(data)
    if flag_data is None: flag_data = 0 if data else (ord('<') if ep & 0x80 else ord('>'))
    h = struct.pack('<QBBBBHBBqiiII8siiII', urb, ord(typ), xt, ep, 2, 1, ord('-'), flag_data,
                    0, t[0], status, length, len(data), b'\0'*8, 1 if xt == 1 else 0, 0, 0, 0)
    assert len(h) == 64
    recs.append((t[0], h + data))
def hx(s): return bytes.fromhex(s.replace(' ', ''))
IRQ, IN, OUT = 0x86, 0x85, 0x04
args = sys.argv[2:]
n_in = 1 if 'in1' in args else 4
# bulk-IN URBs complete in submission order; a completed one is resubmitted
# as a new URB (after processing, or before the answer goes OUT with "relay")
pending = []
next_urb = [0x2000]
def submit_in():
    pending.append(next_urb[0])
    rec(next_urb[0], 'S', 3, IN, length=4096, status=-115)
    next_urb[0] += 1
def complete_in(msg):
    rec(pending.pop(0), 'C', 3, IN, hx(msg))
rec(0x1000, 'S', 1, IRQ, length=64, status=-115)
for i in range(n_in): submit_in()
outs = ['01 08 00 00 00 00 0e 00 01 00 00 00 00 00', '02 02 00 00 00 00 09 00 01',
        '01 02 00 00 00 00 0b 00 02 3b 00', '01 05 00 00 00 00 09 00 01', '02 01 00 00 00 00 0b 00 02 2c 01']
for i, o in enumerate(outs): rec(0x3000 + i, 'S', 3, OUT, hx(o))
for i, o in enumerate(outs): rec(0x3000 + i, 'C', 3, OUT, length=len(hx(o)))
complete_in('01 08 00 00 00 00 0e 00 01 00 00 00 00 02')
submit_in()
rec(0x1000, 'C', 1, IRQ, hx('01 04 00 00 00 00 15 00 11 00 00 00 00 00 01 01 0a 80 25 00 00'))
rec(0x1001, 'S', 1, IRQ, length=64, status=-115)
rec(0x1001, 'C', 1, IRQ, hx('01 04 00 00 00 00 15 00 13 00 00 00 00 00 01 01 0a 80 25 00 00'))
rec(0x1002, 'S', 1, IRQ, length=64, status=-115)
if 'burst' in args:
    # the PTS indication and the TPDU header complete back to back (the
    # "stuck on PTS" burst of OS#4409); with one transfer the header's
    # completion comes on the transfer resubmitted after the PTS
    complete_in('01 07 00 00 00 00 15 00 04 ff 10 94 7b 00 00 ff 10 94 7b 00 00')
    submit_in()
complete_in('01 06 00 00 00 00 13 00 01 00 00 00 05 00 a0 04 00 00 00')
if 'relay' in args:
    submit_in()
rec(0x3010, 'S', 3, OUT, hx('01 01 00 00 00 00 10 00 06 00 00 00 02 00 90 00'))
if 'relay' not in args:
    submit_in()
rec(0x3010, 'C', 3, OUT, length=16)
if 'unplug' in args:
    rec(pending.pop(0), 'C', 3, IN, status=-19, length=0)
with open(sys.argv[1], 'wb') as f:
    f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 220))
    for ts, d in recs:
        f.write(struct.pack('<IIII', 0, ts, len(d), len(d)) + d)
