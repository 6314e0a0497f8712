#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bankd_map_clients.sh: client connections before they reach a reader
# (bankd.md §4.3, §5.1): no clientSlot -> illegalClientId and close; a
# non-client identity -> illegalClientId and close; unmapped -> cardNotPresent
# and the connection is kept (parked) until a mapping arrives, then handed to
# the reader (ok + SetAtrReq); ClientSlotStatusInd/SetAtrRes ignored; TPDU,
# second ConnectClientReq or garbage before the mapping -> close.  kill -9 of
# bankmap keeps the mapping table, the parked clients and the served ones; a
# restarted reader asks for its mapping and gets it.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/bankd_map_common.bash"

bankd_cfg "$T/bankd.cfg" 2
check "bankd role starts" bankd_start "$T/bankd.cfg"
check "server link connected" server_connect srv

cl() { peer_open "$1" -c "127.0.0.1:$P_BK"; }

cl a; check "ConnectClientReq without clientSlot: illegalClientId, then closed within 10 s" \
	peer_do a "send connectClientReq" "expect connectClientRes result=illegalClientId" "expect-close 10000"
check "... the ConnectClientRes carries the bankd identity and tag 2342" \
	grep -q 'connectClientRes illegalClientId "remsim-bankd"' "$T/a.log"
peer_close a
cl b; check "ConnectClientReq from a remsimServer identity: illegalClientId + close" \
	peer_do b "send connectClientReq type=remsimServer client=1:0" "expect connectClientRes result=illegalClientId" "expect-close 3000"
peer_close b
cl c; check "TPDU before any ConnectClientReq: closed" \
	peer_do c "send tpduModemToCard client=1:0 bank=1:0 data=a0a40000023f00" "expect-close 3000"
peer_close c
cl d; check "garbage RSPRO PDU: closed" peer_do d "sendhex 0003ee07ffff" "expect-close 3000"
peer_close d

cl p; check "unmapped client: cardNotPresent, connection kept" \
	peer_do p "send connectClientReq client=7:0" "expect connectClientRes result=cardNotPresent tag=2342" "expect-silence 1000"
check "parked client: ClientSlotStatusInd and SetAtrRes ignored, connection kept" \
	peer_do p "send clientSlotStatusInd client=7:0 bank=1:0 rst=1 vcc=0" "send setAtrRes result=ok" "expect-silence 500"
check "clients lists it as parked" ctl_has clients '"state":"parked","client":"7:0"'
cl q; check "second ConnectClientReq on a parked connection: illegalClientId + close" \
	peer_do q "send connectClientReq client=8:0" "expect connectClientRes result=cardNotPresent" \
	"send connectClientReq client=8:0" "expect connectClientRes result=illegalClientId" "expect-close 3000"
peer_close q
cl p2; peer_do p2 "send connectClientReq client=7:1" "expect connectClientRes result=cardNotPresent" >/dev/null
check "mapping arrives: parked client handed to reader/1 (ok + SetAtrReq)" \
	peer_do srv "send createMappingReq client=7:0 bank=1:1" "expect createMappingRes result=ok"
check "... parked C7:0 gets ok + SetAtrReq" peer_do p "expect connectClientRes result=ok" "expect setAtrReq slot=C7:0"
check "... and works" peer_do p "send tpduModemToCard client=7:0 bank=1:1 data=a0a40000023f00" "expect tpduCardToModem data=9000"

# --- kill -9 bankmap ------------------------------------------------------------------------
BMPID=$(pid_of bankmap)
check "bankmap pid known" test -n "$BMPID"
kill -9 "$BMPID"
check "bankmap restarted by remsimd" wait_for 10 bash -c "[ \$(grep -c 'bankmap.*welcome from broker' '$T/remsimd.log') -ge 2 ]"
check "restarted bankmap restored the server link and its table" \
	wait_log "$T/remsimd.log" 'server link 127.0.0.1:[0-9]+ restored \(connected\) with 1 mapping' 5
check "maps after the restart: B1:1 <- C7:0" ctl_has maps '"bank":"1:1","client":"7:0"'
check "clients after the restart: C7:1 still parked" ctl_has clients '"state":"parked","client":"7:1"'
check "the server link was not reconnected" bash -c "! grep -q '^< connectBankReq' <(sed -n '3,\$p' '$T/srv.log')"
check "served client undisturbed by the restart" \
	peer_do p "send tpduModemToCard client=7:0 bank=1:1 data=a0a40000023f00" "expect tpduCardToModem data=9000"
check "mapping for the parked C7:1 after the restart: ok" \
	peer_do srv "send createMappingReq client=7:1 bank=1:0" "expect createMappingRes result=ok"
check "... parked C7:1 (parked before the restart) handed to reader/0" \
	peer_do p2 "expect connectClientRes result=ok" "expect setAtrReq slot=C7:1"

# --- restarted reader asks for its mapping -----------------------------------------------------
n=$(told_count 1 'mapping C7:0')
R1=$(pid_of reader/1)
kill -9 "$R1"
check "restarted reader/1 asked and was told C7:0 again" \
	wait_for 10 bash -c "[ \$(grep -cE 'reader/1 .*told mapping C7:0' '$T/remsimd.log') -gt $n ]"
peer_close p
peer_close p2
check "bankmap logs no per-connection lines at INFO (but parked clients getting their mapping, hostile input)" \
	bash -c "! grep -E 'bankmap .*conn [0-9]+' '$T/remsimd.log' | grep -v -e DEBUG -e 'now mapped' -e 'undecodable RSPRO PDU' | grep -q ."
check "... the undecodable PDU logged at INFO with the decoder's reason" \
	grep -qE 'INFO .*bankmap .*undecodable RSPRO PDU \(2 octets\), closing: truncated' "$T/remsimd.log"

sanitizer_check
finish
