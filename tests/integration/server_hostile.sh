#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# server_hostile.sh: protocol corners on the server's RSPRO port, with short
# timers: silent peers whose identity and keep-alive timers expire together
# (no spurious "no such connection" warning), a partial frame (closed after
# frame_timeout_ms), RSPRO version 99 (Connect*Res unsupportedProtocolVersion,
# logged; later PDUs of version 99 dropped), an unsolicited IPA ID_RESP
# (logged with its unit id, connection kept).
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/server_common.bash"

HOSTILE=$TOP/tests/tools/ipa-hostile.py
KA_INTERVAL=1000 KA_TIMEOUT=1500 IDENT_MS=1500 server_cfg "$T/server.cfg" "frame_timeout_ms = 1000;"
check "server role starts" server_start "$T/server.cfg"

# silent, no PONG: identity timer (mapstore) and keep-alive (broker) both at 1.5 s
python3 - "$P_RSPRO" >"$T/both.out" 2>&1 <<'EOF'
import socket, sys, time
socks = [socket.create_connection(("127.0.0.1", int(sys.argv[1]))) for _ in range(20)]
t_end, closed = time.monotonic() + 6, 0
for s in socks:
    s.settimeout(max(0.1, t_end - time.monotonic()))
    try:
        while s.recv(100):
            pass
        closed += 1
    except OSError:
        pass
print("closed=%d" % closed)
EOF
check "20 silent peers (identity and keep-alive timers expire together): closed" grep -q 'closed=20' "$T/both.out"
sleep 0.5
n=$(grep -c 'no such connection' "$T/remsimd.log")
[ "$n" = 0 ] && pass "no 'no such connection' warning when both timers fire" \
	|| fail "$n 'no such connection' lines: $(grep 'no such connection' "$T/remsimd.log" | head -2)"

python3 "$HOSTILE" "$P_RSPRO" partial --conns 3 --seconds 4 >"$T/partial.out" 2>&1
check "partial frame on the server port: closed" grep -q 'closed=3 ' "$T/partial.out"
check "... after frame_timeout_ms, with the reason" \
	grep -qE 'closed: partial frame not completed within 1000 ms \([0-9]+ octets pending\)' "$T/remsimd.log"

peer_open v1
check "connectBankReq version 99: connectBankRes unsupportedProtocolVersion, closed" \
	peer_do v1 "send connectBankReq bankid=7 slots=8 version=99" \
	"expect connectBankRes result=unsupportedProtocolVersion" "expect-close 3000"
check "... logged" grep -q 'connectBankReq with RSPRO version 99 (we speak 2): rejected' "$T/remsimd.log"
check "... B7 is not listed" bash -c "! rctl --json banks | grep -q '\"bankId\":7'"
peer_open v2
check "connectClientReq version 99: connectClientRes unsupportedProtocolVersion" \
	peer_do v2 "send connectClientReq client=7:0 version=99" \
	"expect connectClientRes result=unsupportedProtocolVersion" "expect-close 3000"
peer_open ok
check "version 2 accepted (connectBankRes ok)" \
	peer_do ok "send connectBankReq bankid=8 slots=8" "expect connectBankRes result=ok" \
	"sendhex 00 0a fe 05 00 07 08 31 2f 32 2f 33 00" \
	"send createMappingRes result=ok version=99" "expect-silence 300"
check "unsolicited ID_RESP: logged with its unit id" \
	grep -q 'unsolicited IPA ID_RESP (unit id "1/2/3"): we never ask for one, ignored' "$T/remsimd.log"
check "createMappingRes version 99 from an identified bankd: dropped, logged" \
	grep -q 'B8.*createMappingRes with RSPRO version 99 (we speak 2): dropped' "$T/remsimd.log"
# the FIFO peer answers no PINGs between steps: it goes by keep-alive or leaves
check "... B8 not closed for it (only by keep-alive or its own leaving)" \
	wait_log "$T/remsimd.log" 'B8\] connection [0-9]+ gone \(CONNECTED_BANKD\): (peer closed|keep-alive timeout)' 4

sanitizer_check
finish
