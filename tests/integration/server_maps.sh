#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# server_maps.sh: the slot-mapping life cycle of the server role (docs/server.md
# section 5) with scripted bankds and clients: NEW -> UNACKNOWLEDGED -> ACTIVE
# with CreateMappingReq/Res and ConfigClientBankReq (exact ip/port), delete with
# RemoveMappingReq and 0.0.0.0:0, delete while unacknowledged, range and
# conflict errors, bankd disconnect (maps back to NEW) and reconnect (pushed
# again), a refused mapping, and the global reset.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/server_common.bash"

server_cfg "$T/server.cfg"
check "server role starts" server_start "$T/server.cfg"

# --- map before the bankd: NEW; client first; bankd connects -> pushed -----------
check "map C23:0 -> B1:5 with no bankd: ok" rctl map 23:0 1:5
check "... state NEW" [ "$(map_state 23:0)" = NEW ]
client_connect c23 23:0
check "client C23:0 with a NEW map and no bankd: told {B1:5, 0.0.0.0:0}" \
	peer_do c23 "expect configClientBankReq bankSlot=B1:5 bankd=0.0.0.0:0"
peer_open b1
check "bankd B1 connects: connectBankRes ok, then createMappingReq C23:0 B1:5" \
	peer_do b1 "send connectBankReq bankid=1 slots=8" "expect connectBankRes result=ok" \
	"expect createMappingReq client=C23:0 bank=B1:5"
check "... state UNACKNOWLEDGED until the bankd answers" [ "$(map_state 23:0)" = UNACKNOWLEDGED ]
check "createMappingRes ok -> ACTIVE" peer_do b1 "send createMappingRes result=ok"
check "... maps shows ACTIVE" wait_for 3 bash -c '[ "$(map_state 23:0)" = ACTIVE ]'
check "client gets configClientBankReq B1:5, bankd 127.0.0.1:9999 (bankd's peer address, port 9999)" \
	peer_do c23 "expect configClientBankReq bankSlot=B1:5 bankd=127.0.0.1:9999"

# --- bankd connected, then map: pushed promptly ---------------------------------------
client_connect c24 24:1
check "map C24:1 -> B1:6 with B1 up: result UNACKNOWLEDGED" \
	bash -c "rctl --json map 24:1 1:6 | grep -q UNACKNOWLEDGED"
check "... B1 receives createMappingReq at once" \
	peer_do b1 "expect createMappingReq client=C24:1 bank=B1:6" "send createMappingRes result=ok"
check "... client C24:1 configured" peer_do c24 "expect configClientBankReq bankSlot=B1:6 bankd=127.0.0.1:9999"

# --- delete an ACTIVE map -------------------------------------------------------------
check "unmap C24:1: ok" rctl unmap C24:1
check "... no longer listed at once (before the bankd answered)" [ -z "$(map_state 24:1)" ]
check "... B1 receives removeMappingReq C24:1 B1:6" \
	peer_do b1 "expect removeMappingReq client=C24:1 bank=B1:6"
check "... a new map for B1:6 may be created while the old one is being removed" rctl map 25:0 1:6
check "... after removeMappingRes the client gets 0.0.0.0:0" \
	peer_do b1 "send removeMappingRes result=ok" "expect createMappingReq client=C25:0 bank=B1:6" "send createMappingRes result=ok"
check "... C24:1 told B1:6 bankd=0.0.0.0:0" peer_do c24 "expect configClientBankReq bankSlot=B1:6 bankd=0.0.0.0:0"
check "unmap by bank slot B1:6: ok" rctl unmap B1:6
check "... removeMappingReq C25:0 B1:6" peer_do b1 "expect removeMappingReq client=C25:0 bank=B1:6" "send removeMappingRes result=ok"

# --- delete while UNACKNOWLEDGED (osmo-remsim leaks it; we remove it) -------------------
rctl map 26:0 1:7 >/dev/null
check "map C26:0 -> B1:7 pushed" peer_do b1 "expect createMappingReq client=C26:0 bank=B1:7"
check "unmap while UNACKNOWLEDGED: ok, no longer listed" \
	bash -c "rctl unmap 26:0 >/dev/null && [ -z \"\$(map_state 26:0)\" ]"
check "... when the createMappingRes comes, removeMappingReq follows" \
	peer_do b1 "send createMappingRes result=ok" "expect removeMappingReq client=C26:0 bank=B1:7" "send removeMappingRes result=ok"

# --- range and conflict errors ------------------------------------------------------------
rctl map 1024:0 1:1 >"$T/out" 2>"$T/err"; rc=$?
check "map with client id 1024: exit 1, one-line error naming the range" \
	[ "$rc" = 1 -a "$(wc -l <"$T/err")" = 1 ] && grep -q '0\.\.1023' "$T/err"
rctl map 3:0 1:2000 >/dev/null 2>"$T/err"; rc=$?
check "map with bank slot 2000: exit 1, one line" [ "$rc" = 1 -a "$(wc -l <"$T/err")" = 1 ]
ctl '{"cmd":"map","args":["3:0","1:2000"]}' >"$T/raw"
check "... control code range" grep -q '"code":"range"' "$T/raw"
rctl map 27:0 1:5 >/dev/null 2>"$T/err"; rc=$?
check "map onto a mapped bank slot: exit 1, conflict" [ "$rc" = 1 ] && grep -q 'already mapped' "$T/err"
ctl '{"cmd":"map","args":["23:0","1:1"]}' >"$T/raw"
check "map of a mapped client slot: code conflict" grep -q '"code":"conflict"' "$T/raw"
rctl unmap 99:0 >/dev/null 2>"$T/err"; rc=$?
check "unmap of an unknown slot: exit 1, one line" [ "$rc" = 1 -a "$(wc -l <"$T/err")" = 1 ]
ctl '{"cmd":"unmap","args":["B9:9"]}' >"$T/raw"
check "... code not_found" grep -q '"code":"not_found"' "$T/raw"
rctl map x:0 1:1 >/dev/null 2>&1; rc=$?
check "map with a malformed slot: exit 1" [ "$rc" = 1 ]
ctl '{"cmd":"map","args":["x:0","1:1"]}' >"$T/raw"
check "... code usage" grep -q '"code":"usage"' "$T/raw"

# --- bankd refuses a mapping (error result): stays NEW, retried on reconnect ---------------
rctl map 28:0 1:3 >/dev/null
check "createMappingRes illegalSlotId: map stays NEW (osmo-remsim would show ACTIVE)" \
	peer_do b1 "expect createMappingReq client=C28:0 bank=B1:3" "send createMappingRes result=illegalSlotId"
check "... maps shows NEW" wait_for 3 bash -c '[ "$(map_state 28:0)" = NEW ]'

# --- bankd disconnect: maps back to NEW; reconnect: pushed again ------------------------
peer_close b1
check "bankd B1 gone: its maps are NEW again" wait_for 3 bash -c '[ "$(map_state 23:0)" = NEW ]'
check "... clients are not told (as in osmo-remsim)" peer_do c23 "expect-silence 300"
peer_open b1b
check "B1 reconnects: connectBankRes ok, then createMappingReqs again in creation order" \
	peer_do b1b "send connectBankReq bankid=1 slots=8" "expect connectBankRes result=ok" \
	"expect createMappingReq client=C23:0 bank=B1:5" "expect createMappingReq client=C28:0 bank=B1:3"
check "... answered ok: both ACTIVE" \
	peer_do b1b "send createMappingRes result=ok" "send createMappingRes result=ok"
check "... maps shows ACTIVE" wait_for 3 bash -c '[ "$(map_state 23:0)" = ACTIVE ] && [ "$(map_state 28:0)" = ACTIVE ]'
check "... the client, already told this bankd, is not disturbed" peer_do c23 "expect-silence 300"

# --- client reconnect: configured again -----------------------------------------------------
peer_close c23
client_connect c23b 23:0
check "client C23:0 reconnects: configClientBankReq B1:5 127.0.0.1:9999 again" \
	peer_do c23b "expect configClientBankReq bankSlot=B1:5 bankd=127.0.0.1:9999"

# --- global reset ------------------------------------------------------------------------------
rctl map 29:0 2:0 >/dev/null	# bank 2 never connected: NEW, removed at once
rctl --json reset >"$T/reset"
check "reset: {\"removed\": 3}" grep -q '"removed": 3' "$T/reset"
check "... maps is empty at once" [ "$(maps_json)" = "[]" ]
check "... B1 gets removeMappingReq for both ACTIVE maps" \
	peer_do b1b "expect removeMappingReq client=C23:0 bank=B1:5" "expect removeMappingReq client=C28:0 bank=B1:3" \
	"send removeMappingRes result=ok" "send removeMappingRes result=ok"
check "... C23:0 gets 0.0.0.0:0" peer_do c23b "expect configClientBankReq bankSlot=B1:5 bankd=0.0.0.0:0"
check "reset with nothing mapped: removed 0" bash -c "rctl reset | grep -q '^0 mapping(s) removed'"

sanitizer_check
finish
