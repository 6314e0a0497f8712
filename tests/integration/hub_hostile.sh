#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# hub_hostile.sh: what is not a ZeroMQ peer of ours on the broker's hub
# socket (an HTTP request, another ZMTP version, a PUB socket, a frame of
# 2^40 octets, a peer that connects and says nothing, a flood of 200 such
# connections) is refused: that connection is closed with a WARN line that
# says why, and the broker and its actors go on (an RSPRO peer's PDUs are
# still echoed; the echo actor is never reconnected or restarted).
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/broker_common.bash"

P_BK=$(free_port)
cat >"$T/role.cfg" <<EOF2
run_dir = "$RUN";
broker = { listeners = ( { name = "bk"; bind = "127.0.0.1"; port = $P_BK; side = "bankd"; actor = "echo"; } ); };
EOF2
check "broker starts" start_broker broker "$T/role.cfg"
check "echo actor gets WELCOME" start_echo echo

# raw MODE: one hostile connection to the hub's unix socket
raw() {
	python3 - "$RUN/hub" "$1" <<'PY'
import socket, struct, sys, time
path, mode = sys.argv[1], sys.argv[2]
def greeting(major=3, mech=b"NULL"):
    return b"\xff" + b"\0" * 7 + b"\x01\x7f" + bytes([major, 0]) + mech.ljust(20, b"\0") + b"\0" * 32
def ready(stype):
    body = b"\x05READY" + b"\x0bSocket-Type" + struct.pack(">I", len(stype)) + stype
    return bytes([0x04, len(body)]) + body
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(path)
s.settimeout(3)
if mode == "http":
    s.sendall(b"GET / HTTP/1.0\r\nHost: hub\r\n\r\n" + b"x" * 64)
elif mode == "zmtp2":
    s.sendall(greeting(major=2))
elif mode == "pub":
    s.sendall(greeting() + ready(b"PUB"))
elif mode == "huge":
    s.sendall(greeting() + ready(b"DEALER") + bytes([0x02]) + struct.pack(">Q", 1 << 40) + b"x" * 100)
elif mode == "silent200":
    more = []
    for i in range(199):
        t = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        t.connect(path)
        more.append(t)
    print("open", flush=True)
    time.sleep(2)
    sys.exit(0)
# the hub must close it: read until EOF (its greeting may come first)
try:
    while s.recv(4096):
        pass
    print("closed")
except socket.timeout:
    print("still open")
PY
}
for m in http zmtp2 pub huge; do
	out=$(raw $m)
	check "hub: '$m' connection closed by the broker ($out)" [ "$out" = closed ]
done
check "WARN: greeting not ZMTP 3" grep -q 'WARN .*hub: a connection refused and closed: greeting: not ZMTP 3 with the NULL mechanism' "$T/broker.log"
check "WARN: socket type" grep -q 'hub: a connection refused and closed: handshake: a socket type a ROUTER does not serve' "$T/broker.log"
check "WARN: message too big" grep -qE 'hub: a connection refused and closed: a message of more than [0-9]+ octets' "$T/broker.log"

# a flood of silent connections, bounded: the broker stays responsive
raw silent200 >"$T/flood.out" &
FLOOD=$!
wait_for 10 grep -q open "$T/flood.out"
"${PEER[@]}" --port "$P_BK" echo:20 >"$T/p1.out" 2>&1
check "during 200 idle hub connections an RSPRO peer's 20 PDUs are echoed" grep -q '^OK echo:20' "$T/p1.out"
wait "$FLOOD" 2>/dev/null
check "broker still running" kill -0 "$BROKER_PID"
check "echo actor still running, never restarted" kill -0 "$ECHO_PID"
check "echo actor never saw its hub connection drop" bash -c "! grep -q 'broker gone' '$T/echo-echo.log'"
check "the warnings are rate-limited (at most 5 per 10 s)" [ "$(grep -c 'hub: a connection refused' "$T/broker.log")" -le 5 ]
finish
