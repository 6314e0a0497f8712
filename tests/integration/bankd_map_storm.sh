#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bankd_map_storm.sh: 2,000 rejected connect attempts (as osmo-remsim clients
# make them: connect, ConnectClientReq, close on the non-ok answer; plus
# clients without a slot, closed by the bankd, and 200 that stay parked) do
# not disturb an active client (continuous TPDUs, zero errors), cost little
# CPU per connection, and leave bankmap's log calm.  Numbers are printed as
# "#" comments.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/bankd_map_common.bash"

bankd_cfg "$T/bankd.cfg" 1
check "bankd role starts" bankd_start "$T/bankd.cfg"
check "server link connected" server_connect srv
check "C2:0 mapped to B1:0" peer_do srv "send createMappingReq client=2:0 bank=1:0" "expect createMappingRes result=ok"
peer_open act -c "127.0.0.1:$P_BK"
check "active client C2:0 served" peer_do act "send connectClientReq client=2:0" "expect connectClientRes result=ok" "expect setAtrReq"

BROKER=$(pid_of broker); BANKMAP=$(pid_of bankmap)
b0=$(cpu_ticks "$BROKER"); m0=$(cpu_ticks "$BANKMAP")
lines0=$(grep -cE '(bankmap|from bankmap) ' "$T/remsimd.log")
cat >"$T/storm.py" <<'PY'
import socket, sys, time
port = int(sys.argv[1]); n = int(sys.argv[2]); keep = int(sys.argv[3])
# ConnectClientReq C1:0 (not mapped) and one without clientSlot (test vectors)
hdr = bytes.fromhex
mapped_not = hdr("0034ee07" "3031800102810100a229a227301d0a01001602766d800d72656d73696d2d636c69656e74"
                 "8105312e302e303006020101020100")
no_slot = hdr("002cee07" "3029800102810100a221a21f301d0a01001602766d800d72656d73696d2d636c69656e74"
              "8105312e302e30")
def frame(s):
    buf = b""
    while True:
        if len(buf) >= 3 and len(buf) >= 3 + (buf[0] << 8 | buf[1]):
            n = 3 + (buf[0] << 8 | buf[1])
            if buf[2] == 0xfe:        # IPA CCM (the bankd's keep-alive PING): skip
                buf = buf[n:]
                continue
            return buf[:n], buf
        d = s.recv(4096)
        if not d:
            return None, buf
        buf += d
res = {"cardNotPresent": 0, "illegalClientId": 0, "other": 0, "closed_by_bankd": 0}
kept = []
t0 = time.time()
for i in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(5)
    slotless = i % 4 == 3
    s.sendall(no_slot if slotless else mapped_not)
    f, _ = frame(s)
    if f is None: res["other"] += 1; s.close(); continue
    tail = f[-3:]
    if tail == bytes.fromhex("0a0164"): res["cardNotPresent"] += 1
    elif tail == bytes.fromhex("0a0101"): res["illegalClientId"] += 1
    else: res["other"] += 1
    if slotless:
        f2, _ = frame(s)          # the bankd closes it
        if f2 is None: res["closed_by_bankd"] += 1
        s.close()
    elif len(kept) < keep:
        kept.append(s)            # stays parked
    else:
        s.close()                 # osmo-remsim client: close on non-ok, retry
dt = time.time() - t0
time.sleep(0.5)
alive = 0
for s in kept:                    # parked ones must still be open
    s.setblocking(False)
    try:
        d = s.recv(1)
        alive += 0 if d == b"" else 1
    except BlockingIOError:
        alive += 1
    s.close()
print("storm: %d attempts in %.2f s (%.0f/s) %s kept_alive=%d" % (n, dt, n / dt, res, alive))
ok = res["cardNotPresent"] + res["illegalClientId"] == n and res["closed_by_bankd"] == res["illegalClientId"] and alive == keep
sys.exit(0 if ok else 1)
PY
python3 "$T/storm.py" "$P_BK" 2000 200 >"$T/storm.out" 2>&1 &
STORM=$!
chunks=0 errs=0
while kill -0 "$STORM" 2>/dev/null; do
	if peer_do act "tpdu-bench 200 tpduModemToCard client=2:0 bank=1:0 data=a0a40000023f00"; then
		chunks=$((chunks + 1))
	else
		errs=$((errs + 1)); break
	fi
done
wait "$STORM"; src=$?
cat "$T/storm.out" | sed 's/^/# /'
check "storm: every attempt answered (cardNotPresent / illegalClientId + close), 200 parked ones kept" test $src = 0
echo "# active client during the storm: $((chunks * 200)) TPDUs, $errs failed chunk(s)"
check "active client: zero errors during the storm" test $errs = 0 -a $chunks -ge 1
check "active client still served after the storm" \
	peer_do act "send tpduModemToCard client=2:0 bank=1:0 data=a0a40000023f00" "expect tpduCardToModem data=9000"
sleep 1.2
b1=$(cpu_ticks "$BROKER"); m1=$(cpu_ticks "$BANKMAP")
hz=$(getconf CLK_TCK)
bms=$(( (b1 - b0) * 1000 / hz )); mms=$(( (m1 - m0) * 1000 / hz ))
echo "# CPU for 2,000 attempts (+ the active client's TPDUs): broker ${bms} ms, bankmap ${mms} ms"
check "bankmap CPU per attempt under 1 ms (${mms} ms for 2,000)" test "$mms" -lt 2000
lines=$(( $(grep -cE '(bankmap|from bankmap) ' "$T/remsimd.log") - lines0 ))
echo "# bankmap log lines during the storm: $lines; broker: $(grep -c 'broker .*closed' "$T/remsimd.log") 'closed' lines"
check "bankmap log stays calm (${lines} lines for 2,000 connections)" test "$lines" -lt 40
check "no parked connection left behind" wait_for 5 ctl_has clients '"result":\[\]'
peer_close act

sanitizer_check
finish
