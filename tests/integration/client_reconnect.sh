#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# client_reconnect.sh: the RSPRO connection behaviour of one usbslot actor
# (remsimd + broker + usbslot) against scripted servers and bankds that go
# away and come back: server loss keeps the bankd connection; bankd loss ->
# reconnect, new ConnectClientReq, SetAtr; an unchanged ConfigClientBankReq
# after a server reconnect keeps the bankd connection; 0.0.0.0:0 disconnects
# from the bankd; ConfigClientIdReq changes the client slot; a bankd that
# answers as a server (IP/port mix-up) is cancelled, not retried; T1 (no
# ConnectClientRes) and a non-ok result close and reconnect; a server that
# answers as a bankd is cancelled for good.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/client_common.bash"

PS=$(free_port); PB=$(free_port); PB3=$(free_port); PB4=$(free_port)
client_cfg "$T/client.cfg" 1 "$PS" "conn_res_timeout_ms = 1000;"

# --- phase 1: registration; the server goes away, the bankd stays -----------------
peer srv1 "$PS" <<EOS
$(server_lines "$PB" 0)
sleep 300
EOS
SRV1=$PEER_PID
peer bkd1 "$PB" <<EOS
$(bankd_lines 0)
expect-silence 1500
EOS
BKD1=$PEER_PID
spawn client "$BIN/remsimd" -c "$T/client.cfg"
CL=$SPAWNED_PID

peer_wait "$SRV1" 15; rc=$?
check "reconnect: registration with the first server (rc=$rc)" [ "$rc" = 0 ]
# the next server, and later bankds, listen on the same ports
peer srv2 "$PS" 20000 <<EOS
expect connectClientReq clientSlot=C7:0
send connectClientRes result=ok
send configClientBankReq bank=2:3 ip=127.0.0.1 port=$PB
expect configClientBankRes result=ok
sleep 2500
send configClientBankReq bank=2:3 ip=0.0.0.0 port=0
expect configClientBankRes result=ok
sleep 300
send configClientIdReq client=7:9
expect configClientIdRes result=ok
send configClientBankReq bank=2:3 ip=127.0.0.1 port=$PB3
expect configClientBankRes result=ok
sleep 1000
send configClientBankReq bank=2:4 ip=127.0.0.1 port=$PB4
expect configClientBankRes result=ok
expect-close 30000
EOS
SRV2=$PEER_PID
peer_wait "$BKD1" 15; rc=$?
check "reconnect: server loss leaves the bankd connection alone and quiet (rc=$rc)" [ "$rc" = 0 ]
check "reconnect: server loss logged" grep -q 'server connection .* down' "$T/client.log"

# --- phase 2: the bankd went away: reconnect, handshake again -------------------------
peer bkd2 "$PB" <<EOS
$(bankd_lines 0)
expect-close 10000
EOS
BKD2=$PEER_PID
peer_wait "$BKD2" 15; rc=$?
check "reconnect: bankd reconnect, ConnectClientReq + SetAtr again; 0.0.0.0:0 closes it (rc=$rc)" [ "$rc" = 0 ]
check "reconnect: bankd loss logged" grep -q 'Connection to bankd lost' "$T/client.log"
check "reconnect: server reconnect in OPERATIONAL changes nothing locally" \
	grep -qE 'server connection re-established in (OPERATIONAL|WAIT_BANKD)' "$T/client.log"
check "reconnect: unchanged ConfigClientBankReq keeps the bankd connection" \
	grep -q 'bankd assignment unchanged: keeping the bankd connection' "$T/client.log"
check "reconnect: 0.0.0.0:0 -> UNCONFIGURED" grep -q 'state OPERATIONAL -> UNCONFIGURED' "$T/client.log"

# --- phase 3: new client slot; a bankd that answers as a server -------------------------
peer bkd3 "$PB3" <<EOS
expect connectClientReq clientSlot=C7:9
send connectClientRes type=server result=ok
expect-close 3000
EOS
BKD3=$PEER_PID
peer_wait "$BKD3" 15; rc=$?
check "reconnect: ConfigClientIdReq applied; wrong peer type -> connection dropped (rc=$rc)" [ "$rc" = 0 ]
check "reconnect: identity mismatch logged as a likely IP/port mix-up" \
	grep -q 'answered as remsimServer .*not as remsimBankd: IP/port mix-up' "$T/client.log"
check "reconnect: the mismatched bankd connection is cancelled, not retried" \
	grep -q 'out:usbslot/0:bankd cancelled by usbslot/0' "$T/client.log"

# --- phase 4: T1 and a rejected ConnectClientRes on the bankd ----------------------------
peer bkd4 "$PB4" <<EOS
expect connectClientReq clientSlot=C7:9
expect-close 3000
reconnect
expect connectClientReq clientSlot=C7:9
send connectClientRes type=bankd result=cardNotPresent
expect-close 3000
reconnect
expect connectClientReq clientSlot=C7:9
send connectClientRes type=bankd result=ok
send setAtrReq client=7:9 atr=3b02
expect setAtrRes result=ok
sleep 300
EOS
BKD4=$PEER_PID
peer_wait "$BKD4" 20; rc=$?
check "reconnect: T1 closes a silent bankd, cardNotPresent closes, then reconnects (rc=$rc)" [ "$rc" = 0 ]
check "reconnect: T1 expiry logged" grep -q 'no connectClientRes from the bankd within 1000 ms' "$T/client.log"
check "reconnect: non-ok result logged" grep -q 'connectClientRes from the bankd: cardNotPresent' "$T/client.log"
check "reconnect: OPERATIONAL with the new bank slot" grep -q '\[C7:9 B2:4\] state WAIT_BANKD -> OPERATIONAL' "$T/client.log"
check "no bankd connection attempt after the mismatch cancel" \
	bash -c "! grep -q 'bankd connection .* to 127.0.0.1:$PB3 up' <(sed -n '/answered as remsimServer/,\$p' '$T/client.log')"

# --- phase 5: a server that answers as a bankd ----------------------------------------------
kill "$SRV2"; wait "$SRV2" 2>/dev/null
peer srv3 "$PS" <<EOS
expect connectClientReq clientSlot=C7:9
send connectClientRes type=bankd result=ok
expect-close 3000
EOS
SRV3=$PEER_PID
peer_wait "$SRV3" 15; rc=$?
check "reconnect: a server answering as a bankd is dropped (rc=$rc)" [ "$rc" = 0 ]
check "reconnect: server identity mismatch logged, restart needed" \
	grep -q 'the server at .* answered as remsimBankd .*restart needed' "$T/client.log"
check "reconnect: the server connection is cancelled" grep -q 'out:usbslot/0:server cancelled by usbslot/0' "$T/client.log"

kill -TERM "$CL"; wait "$CL"; rc=$?
check "reconnect: remsimd exits 0 on SIGTERM (rc=$rc)" [ "$rc" = 0 ]
no_sanitizer_reports
finish
