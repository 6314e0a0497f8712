#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# server_restart.sh: a mapping, once acknowledged to the operator, survives
# restarts.  kill -9 of the mapstore: remsimd restarts it, the TCP connections
# stay (the broker holds them), identities come back from META, mappings from
# sqlite, the bankd gets them again and the client is not disturbed.  Then the
# whole role is killed (SIGKILL to remsimd) and started again: every mapping is
# still there, reaches the returning bankd, and pending deletions complete.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/server_common.bash"

server_cfg "$T/server.cfg"
check "server role starts" server_start "$T/server.cfg"
bank_connect b1 1 8 >/dev/null
client_connect c3 3:0 >/dev/null
rctl map 3:0 1:5 >/dev/null
check "C3:0 -> B1:5 pushed and acknowledged" \
	peer_do b1 "expect createMappingReq client=C3:0 bank=B1:5" "send createMappingRes result=ok"
check "client configured" peer_do c3 "expect configClientBankReq bankSlot=B1:5 bankd=127.0.0.1:9999"
check "C4:0 -> B2:0 (bankd 2 absent): NEW" rctl map 4:0 2:0
rctl map 6:0 1:6 >/dev/null
peer_do b1 "expect createMappingReq client=C6:0 bank=B1:6" "send createMappingRes result=ok" >/dev/null
check "C6:0 -> B1:6 unmapped, the bankd does not answer the removeMappingReq (pending)" \
	bash -c "rctl unmap 6:0 >/dev/null"
peer_do b1 "expect removeMappingReq client=C6:0 bank=B1:6" >/dev/null
MAPS_BEFORE=$(maps_json)
echo "# maps before: $MAPS_BEFORE"

# --- kill -9 of the mapstore -------------------------------------------------------
MS_PID=$(pid_of mapstore)
kill -KILL "$MS_PID"
check "mapstore killed (-9) and restarted by remsimd" \
	wait_for 10 bash -c "p=\$(pid_of mapstore); [ -n \"\$p\" ] && [ \"\$p\" != $MS_PID ] && [ \"\$p\" != 0 ]"
check "... it got its 2 connections back from the broker" \
	wait_log "$T/remsimd.log" 'mapstore .*welcome from broker \(generation [0-9]+\): 2 connection' 10
check "... TCP connections kept: B1 gets the maps pushed again on the same connection" \
	peer_do b1 "expect createMappingReq client=C3:0 bank=B1:5" "expect removeMappingReq client=C6:0 bank=B1:6" \
	"send createMappingRes result=ok" "send removeMappingRes result=ok"
check "... the client is not disturbed (no configClientBankReq re-sent)" peer_do c3 "expect-silence 700"
check "... banks/clients still list B1 (bank1, 8 slots) and C3:0 (identities from META)" \
	bash -c "rctl --json banks | grep -q '\"name\": \"bank1\"' && rctl --json banks | grep -q '\"numberOfSlots\": 8' && rctl --json clients | grep -q '\"peer\": \"C3:0\"'"
check "... every mapping is still there" wait_for 3 bash -c "[ '$MAPS_BEFORE' = \"\$(rctl --json maps | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin),separators=(\",\",\":\")))')\" ]"
check "... a new map still works" rctl map 7:0 1:7
peer_do b1 "expect createMappingReq client=C7:0 bank=B1:7" "send createMappingRes result=ok" >/dev/null
peer_open c3dup
check "... identityInUse for a second C3:0" \
	peer_do c3dup "send connectClientReq client=3:0" "expect connectClientRes result=identityInUse"
peer_close c3dup

# --- the whole role: SIGKILL remsimd, start again ----------------------------------------
MAPS_BEFORE=$(maps_json)
echo "# maps before the role restart: $MAPS_BEFORE"
kill -KILL "$REMSIMD_PID"
wait "$REMSIMD_PID" 2>/dev/null
check "role killed: the peers lose their connections" peer_do b1 "expect-close 5000"
peer_close b1
peer_close c3
check "role started again" server_start "$T/server.cfg" remsimd2
check "every mapping is still there (same list, NEW while no bankd)" \
	bash -c "[ \"\$(rctl --json maps | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')\" = 3 ]"
check "... C3:0 -> B1:5 is NEW until its bankd returns" [ "$(map_state 3:0)" = NEW ]
client_connect c3b 3:0 >/dev/null
peer_open b1b
check "the bankd returns: it receives every mapping again" \
	peer_do b1b "send connectBankReq bankid=1 slots=8" "expect connectBankRes result=ok" \
	"expect createMappingReq client=C3:0 bank=B1:5" "expect createMappingReq client=C7:0 bank=B1:7" \
	"send createMappingRes result=ok" "send createMappingRes result=ok"
check "... ACTIVE again" wait_for 3 bash -c '[ "$(map_state 3:0)" = ACTIVE ] && [ "$(map_state 7:0)" = ACTIVE ]'
check "... the client is told its bankd again" \
	peer_do c3b "await configClientBankReq bankSlot=B1:5 bankd=127.0.0.1:9999"
check "... C4:0 -> B2:0 still NEW" [ "$(map_state 4:0)" = NEW ]

# --- a pending deletion survives a role restart ------------------------------------------
rctl unmap 7:0 >/dev/null
peer_do b1b "expect removeMappingReq client=C7:0 bank=B1:7" >/dev/null
server_stop
peer_close b1b
peer_close c3b
check "role stopped with SIGTERM: exit 0" bash -c "! kill -0 $REMSIMD_PID 2>/dev/null"
check "role started a third time" server_start "$T/server.cfg" remsimd3
peer_open b1c
check "the deletion the bankd never confirmed is sent again when it returns" \
	peer_do b1c "send connectBankReq bankid=1 slots=8" "expect connectBankRes result=ok" \
	"expect createMappingReq client=C3:0 bank=B1:5" "expect removeMappingReq client=C7:0 bank=B1:7" \
	"send createMappingRes result=ok" "send removeMappingRes result=ok"
check "... and then it is gone" wait_for 3 bash -c '[ -z "$(map_state 7:0)" ]'

# --- the story in sqlite ----------------------------------------------------------------------
if command -v sqlite3 >/dev/null; then
	Q=$(sqlite3 -readonly "$DB" "SELECT count(*) FROM history WHERE event = 'restored' AND actor = 'startup' AND client_id = 3;")
	check "sqlite3: C3:0 'restored' by 'startup' after each restart ($Q)" [ "${Q:-0}" -ge 3 ]
	Q=$(sqlite3 -readonly "$DB" "SELECT state FROM slotmap WHERE client_id = 4;")
	check "sqlite3: C4:0 stored NEW" [ "$Q" = NEW ]
else
	skip "sqlite3 shell not installed"
fi

sanitizer_check
finish
