#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# server_conn.sh: the server role's per-connection behaviour (docs/server.md
# section 3) against real processes (remsimd + broker + mapstore + rest) and
# scripted bankds/clients: identification timeout, identityInUse for a second
# bank / client (the first stays), wrong identity types, ConnectClientReq
# without clientSlot, our identity in Connect*Res, and the inputs that crash
# osmo-remsim-server (each may only cost the offending connection).
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/server_common.bash"

server_cfg "$T/server.cfg"
check "server role starts (broker + mapstore + rest)" server_start "$T/server.cfg"
MS_PID=$(pid_of mapstore)
BR_PID=$(pid_of broker)

# --- identification timeout (10 s), runs while the rest of the test goes on ----
(
	t0=$(date +%s%N)
	"$TBIN/rspro-peer" -t 20000 -c "127.0.0.1:$P_RSPRO" -s <(echo "expect-close 20000") >"$T/silent.log" 2>&1
	echo "$? $(( ($(date +%s%N) - t0) / 1000000 ))" >"$T/silent.res"
) &
SILENT_PID=$!
SPAWNED_PIDS+=("$SILENT_PID")

# --- identities ------------------------------------------------------------------
HN=$(hostname | cut -c1-32)
peer_open b1
check "bankd B1 identifies: connectBankRes ok, our identity remsimServer/hostname/remsim-server" \
	peer_do b1 "send connectBankReq bankid=1 slots=8 name=bank1" \
	"expect connectBankRes result=ok type=remsimServer name=\"$HN\" software=\"remsim-server\" swVersion=\"0."
peer_open c1
check "client C3:0 identifies: connectClientRes ok, tag 2342, our identity" \
	peer_do c1 "send connectClientReq client=3:0 name=modem" \
	"expect connectClientRes result=ok tag=2342 type=remsimServer software=\"remsim-server\""

# --- identityInUse -----------------------------------------------------------------
peer_open b1dup
check "second bankd with bankId 1: identityInUse" \
	peer_do b1dup "send connectBankReq bankid=1 slots=4 name=intruder" "expect connectBankRes result=identityInUse"
t0=$(date +%s%N)
check "... and its connection is closed about 1 s later" peer_do b1dup "expect-close 3000"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check "... linger 1 s (${ms} ms)" [ "$ms" -ge 600 -a "$ms" -le 2500 ]
check "the first bankd stays (banks lists B1 named bank1, 8 slots)" \
	bash -c "rctl --json banks | grep -q '\"name\": \"bank1\"' && rctl --json banks | grep -q '\"numberOfSlots\": 8'"
peer_open c1dup
check "second client with C3:0: identityInUse" \
	peer_do c1dup "send connectClientReq client=3:0" "expect connectClientRes result=identityInUse"
check "... closed after the linger" peer_do c1dup "expect-close 3000"
check "the first client stays (clients lists one C3:0)" \
	bash -c "[ \$(rctl --json clients | grep -c '\"peer\": \"C3:0\"') = 1 ]"
check "messages on the rejected connection were not needed: the first bankd still gets mappings" \
	bash -c "rctl map 3:0 1:0 >/dev/null"
check "... B1 (first connection) receives createMappingReq" \
	peer_do b1 "expect createMappingReq client=C3:0 bank=B1:0" "send createMappingRes result=ok"
check "... C3:0 (first connection) receives configClientBankReq" \
	peer_do c1 "expect configClientBankReq bankSlot=B1:0 bankd=127.0.0.1:9999"

# --- wrong identity types, missing clientSlot: closed without an answer -------------
peer_open w1
peer_do w1 "send connectClientReq client=7:0 type=bankd" "expect connectClientRes"
check "connectClientReq whose identity says bankd: closed, no answer" \
	grep -q "wanted connectClientRes, got connection closed" "$T/w1.log"
peer_open w2
peer_do w2 "send connectBankReq bankid=9 type=client" "expect connectBankRes"
check "connectBankReq whose identity says client: closed, no answer" \
	grep -q "wanted connectBankRes, got connection closed" "$T/w2.log"
peer_open w3
peer_do w3 "send connectClientReq" "expect connectClientRes"
check "connectClientReq without clientSlot: closed, no answer" \
	grep -q "wanted connectClientRes, got connection closed" "$T/w3.log"
peer_open w4
peer_do w4 "send connectBankReq bankid=9 type=server" "expect connectBankRes"
check "connectBankReq from a remsimServer identity: closed, no answer" \
	grep -q "wanted connectBankRes, got connection closed" "$T/w4.log"
check "wrong types are logged with the peer" wait_log "$T/remsimd.log" 'mapstore \[C7:0\].*wrong identity type' 3

# --- messages not for this state: logged, connection kept ---------------------------
check "second connectClientReq on an identified client: ignored, kept" \
	peer_do c1 "send connectClientReq client=3:0" "expect-silence 300"
check "createMappingRes from a client: ignored, kept" \
	peer_do c1 "send createMappingRes result=ok" "expect-silence 300"
check "errorInd from a bankd: logged, kept" \
	peer_do b1 "send errorInd text=hello" "expect-silence 300"
check "... logged as not handled" wait_log "$T/remsimd.log" 'mapstore \[B1\] errorInd: message type not handled' 3
check "tpduModemToCard from a client: logged, kept" \
	peer_do c1 "send tpduModemToCard client=3:0 bank=1:0 data=a0a40000023f00" "expect-silence 300"
check "undecodable RSPRO PDU: dropped, kept" \
	peer_do b1 "sendhex 00 04 ee 07 ff ff ff" "expect-silence 300"
check "... logged" wait_log "$T/remsimd.log" 'mapstore \[B1\] undecodable RSPRO PDU' 3

# --- osmo-remsim-server crash inputs -----------------------------------------------
# unsolicited CreateMappingRes / RemoveMappingRes from an identified bankd
check "unsolicited createMappingRes: ignored, connection kept" \
	peer_do b1 "send createMappingRes result=ok" "expect-silence 300"
check "unsolicited removeMappingRes: ignored, connection kept" \
	peer_do b1 "send removeMappingRes result=ok" "expect-silence 300"
check "... logged as unsolicited" wait_log "$T/remsimd.log" 'mapstore \[B1\] unsolicited createMappingRes ignored' 3
check "B1 still works after them (map -> createMappingReq)" \
	bash -c "rctl map 4:0 1:1 >/dev/null"
check "... createMappingReq C4:0 B1:1" \
	peer_do b1 "expect createMappingReq client=C4:0 bank=B1:1" "send createMappingRes result=ok"
# unsolicited IPA ID_RESP carrying fields (unit name + unit id)
peer_open x1
peer_do x1 "send connectBankReq bankid=20" "expect connectBankRes result=ok" >/dev/null
peer_do x1 "sendhex 00 13 fe 05 00 05 01 61 62 63 00 00 07 08 31 2f 32 2f 33 00" "expect-silence 300"
check "unsolicited ID_RESP with fields: at most its own connection affected" \
	bash -c "kill -0 $MS_PID && kill -0 $BR_PID"
peer_open x2
peer_do x2 "send connectClientReq client=21:0" "expect connectClientRes result=ok" >/dev/null
peer_do x2 "sendhex 00 00 fe" "expect-close 3000"
check "zero-length CCM frame 00 00 fe: that connection is closed" grep -q "mark" "$T/x2.log"
peer_open x3
peer_do x3 "sendhex 00 00 ee" "expect-close 3000"
check "zero-length frame 00 00 ee (unidentified): closed" grep -q "mark" "$T/x3.log"
check "after the crash inputs broker and mapstore run with the same pids" \
	bash -c "[ \"\$(pid_of mapstore)\" = $MS_PID ] && [ \"\$(pid_of broker)\" = $BR_PID ]"
check "... and the other connections still work (B1, C3:0)" \
	bash -c "rctl map 5:0 1:2 >/dev/null"
check "... B1 gets createMappingReq C5:0" \
	peer_do b1 "expect createMappingReq client=C5:0 bank=B1:2" "send createMappingRes result=ok"
check "... C21:0 is gone from clients, C3:0 is listed" \
	bash -c "rctl --json clients | grep -q 'C3:0' && ! rctl --json clients | grep -q 'C21:0'"

# --- identification timeout result ------------------------------------------------
wait_for 20 test -s "$T/silent.res"
read -r rc ms <"$T/silent.res" 2>/dev/null
echo "# silent connection closed after ${ms:-?} ms (rc ${rc:-?})"
check "a connection that never identifies is closed after 10 s (${ms:-?} ms)" \
	[ "${rc:-1}" = 0 -a "${ms:-0}" -ge 9500 -a "${ms:-0}" -le 13000 ]
check "... logged as identification timeout" grep -q 'identification timeout' "$T/remsimd.log"

# --- reconnect with the same identity after a clean close ----------------------------
peer_close c1
check "C3:0 closed: no longer listed" wait_for 3 bash -c "! rctl --json clients | grep -q 'C3:0'"
check "a new connection as C3:0 is accepted (ok)" client_connect c1b 3:0
check "... reconnected C3:0 gets configClientBankReq again" \
	peer_do c1b "expect configClientBankReq bankSlot=B1:0 bankd=127.0.0.1:9999"
check "log lines carry the peer name" grep -qE 'mapstore \[C3:0\] client connected from 127.0.0.1:' "$T/remsimd.log"
check "mapstore never restarted" bash -c "[ \"\$(pid_of mapstore)\" = $MS_PID ]"

sanitizer_check
finish
