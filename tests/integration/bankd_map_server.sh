#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bankd_map_server.sh: the bankd's link to the remsim-server, played by a
# scripted rspro-peer: ConnectBankReq fields; a server that never answers is
# dropped after T1 (10 s) and reconnected; a non-ok ConnectBankRes closes and
# reconnects; a peer that is not a server (identity type) is given up for good;
# server link dropped and restored: the mappings are kept, re-pushed by the
# server (identical: ok, client undisturbed) and used by new clients; a
# mapping the server does not send again after a reconnect (deleted while
# the link was down) is removed reconcile_ms after it.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/bankd_map_common.bash"

bankd_cfg "$T/bankd.cfg" 2 "reconcile_ms = 1500;"
check "bankd role starts" bankd_start "$T/bankd.cfg"

# --- ConnectBankReq fields, T1 --------------------------------------------------
peer_open srv -l "127.0.0.1:$P_SRV"
check "first frame is an IPA PING" peer_do srv "expect-ccm PING"
check "ConnectBankReq: identity remsimBankd, name, software, bankId, numberOfSlots" \
	peer_do srv 'expect connectBankReq type=remsimBankd name="test-bankd" software="remsim-bankd" bankId=1 numberOfSlots=2'
t0=$SECONDS
peer_do srv "expect-close 20000"
rc=$?; dt=$((SECONDS - t0))
echo "# link without ConnectBankRes dropped after ${dt} s"
check "link without ConnectBankRes dropped within 9..20 s (${dt} s)" test $rc = 0 -a $dt -ge 9 -a $dt -le 20

# --- reconnect; result not ok ----------------------------------------------------
check "bankd reconnects after T1 and sends ConnectBankReq again" \
	peer_do srv "reconnect" "expect connectBankReq bankId=1"
check "ConnectBankRes identityInUse: the bankd closes the link" \
	peer_do srv "send connectBankRes result=identityInUse" "expect-close 3000"
check "... and reconnects with back-off" peer_do srv "reconnect" "expect connectBankReq bankId=1"
check "ConnectBankRes ok: link connected" peer_do srv "send connectBankRes result=ok" "expect-silence 300"
check "banks shows the link connected" ctl_has banks '"link":"connected"' 

# --- mappings survive a server link loss; re-push is harmless; new clients use them
check "createMapping C3:0 -> B1:0 ok" peer_do srv "send createMappingReq client=3:0 bank=1:0" "expect createMappingRes result=ok"
peer_open c1 -c "127.0.0.1:$P_BK"
check "mapped client C3:0 gets ok + SetAtrReq (from reader/0)" \
	peer_do c1 "send connectClientReq client=3:0" "expect connectClientRes result=ok" "expect setAtrReq"
check "server link dropped" peer_do srv "close"
peer_close srv
sleep 0.5
check "client keeps its connection and traffic while the server link is down" \
	peer_do c1 "send tpduModemToCard client=3:0 bank=1:0 data=a0a40000023f00" "expect tpduCardToModem data=9000"
peer_open srv2 -l "127.0.0.1:$P_SRV"
check "bankd reconnects to the restored server" peer_do srv2 "expect connectBankReq bankId=1" "send connectBankRes result=ok"
check "re-pushed mapping (identical) answered ok" \
	peer_do srv2 "send createMappingReq client=3:0 bank=1:0" "expect createMappingRes result=ok"
check "re-pushed mapping: client undisturbed" \
	peer_do c1 "expect-silence 1000" "send tpduModemToCard client=3:0 bank=1:0 data=a0a40000023f00" "expect tpduCardToModem data=9000"
check "mapping pushed after the reconnect" \
	peer_do srv2 "send createMappingReq client=4:0 bank=1:1" "expect createMappingRes result=ok"
peer_open c2 -c "127.0.0.1:$P_BK"
check "... is used by a new client (C4:0 -> reader/1)" \
	peer_do c2 "send connectClientReq client=4:0" "expect connectClientRes result=ok" "expect setAtrReq"
check "reader/1 was told C4:0" told 1 'mapping C4:0'
peer_close c1
peer_close c2

# --- reconnect: what the server does not send again is gone ------------------------
check "server link dropped again" peer_do srv2 "close"
peer_close srv2
peer_open srv5 -l "127.0.0.1:$P_SRV"
check "bankd reconnects; the server sends only C4:0 -> B1:1 again" \
	peer_do srv5 "expect connectBankReq bankId=1" "send connectBankRes result=ok" \
	"send createMappingReq client=4:0 bank=1:1" "expect createMappingRes result=ok"
check "C3:0 -> B1:0, not sent again, is removed after reconcile_ms" \
	wait_log "$T/remsimd.log" 'bankmap .*B1:0 C3:0.*not sent again by the server within 1500 ms of the reconnect: removed' 5
check "... and reader/0 is told" told 0 'mapping none' 3
check "C4:0 -> B1:1 (sent again) stays" bash -c "! grep -q 'B1:1 C4:0.*not sent again' '$T/remsimd.log'"
check "banks: one mapping left" ctl_has banks '"mapped":1'
peer_close srv5

# --- a peer that is not a server: given up ------------------------------------------
peer_close srv2
peer_open srv3 -l "127.0.0.1:$P_SRV"
check "wrong identity type: the bankd closes" \
	peer_do srv3 "expect connectBankReq" "send connectBankRes type=remsimBankd result=ok" "expect-close 3000"
check "wrong identity type logged as a likely IP/port mix-up" wait_log "$T/remsimd.log" 'not a remsim-server' 3
peer_close srv3
peer_open srv4 -l "127.0.0.1:$P_SRV"
sleep 3
check "... and never reconnects (3 s with a 50 ms back-off unit)" bash -c "! grep -q '^<' '$T/srv4.log'"
check "banks shows the link stopped" ctl_has banks '"link":"stopped"' 
kill "${PPID_OF[srv4]}" 2>/dev/null

sanitizer_check
finish
