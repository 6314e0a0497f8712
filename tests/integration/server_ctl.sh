#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# server_ctl.sh: remsim-ctl's mapping commands against the real server role:
# map/unmap/maps/banks/clients/history/reset as human tables and --json, one-line
# errors with exit status != 0, history filters, and the history in sqlite
# read with the sqlite3 shell as docs/mapping-history.md shows.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/server_common.bash"

server_cfg "$T/server.cfg"
check "server role starts" server_start "$T/server.cfg"
bank_connect b1 1 8 >/dev/null
client_connect c3 3:0 >/dev/null

# --- tables ----------------------------------------------------------------------
OUT=$(rctl maps); rc=$?
check "maps with no mapping: exit 0, '(no mappings)'" [ "$rc" = 0 -a "$OUT" = "(no mappings)" ]
OUT=$(rctl map 3:0 1:5); rc=$?
check "map: exit 0, 'mapped C3:0 -> B1:5 (UNACKNOWLEDGED)'" [ "$rc" = 0 -a "$OUT" = "mapped C3:0 -> B1:5 (UNACKNOWLEDGED)" ]
peer_do b1 "expect createMappingReq client=C3:0 bank=B1:5" "send createMappingRes result=ok" >/dev/null
peer_do c3 "expect configClientBankReq bankSlot=B1:5" >/dev/null
rctl map C4:0 B2:0 >/dev/null
OUT=$(rctl maps)
echo "$OUT" | sed 's/^/#   /'
check "maps: table CLIENT BANK STATE" [ "$(head -n1 <<<"$OUT" | tr -s ' ')" = "CLIENT BANK STATE" ]
check "... row C3:0 B1:5 ACTIVE" grep -qE '^C3:0 +B1:5 +ACTIVE$' <<<"$OUT"
check "... row C4:0 B2:0 NEW (creation order)" [ "$(sed -n 3p <<<"$OUT" | tr -s ' ')" = "C4:0 B2:0 NEW" ]
OUT=$(rctl banks)
echo "$OUT" | sed 's/^/#   /'
check "banks: table BANK SLOTS STATE NAME SOFTWARE VERSION" \
	[ "$(head -n1 <<<"$OUT" | tr -s ' ')" = "BANK SLOTS STATE NAME SOFTWARE VERSION" ]
check "... row B1 8 CONNECTED_BANKD bank1 remsim-bankd 1.0.0" \
	grep -qE '^B1 +8 +CONNECTED_BANKD +bank1 +remsim-bankd +1\.0\.0$' <<<"$OUT"
OUT=$(rctl clients)
check "clients: table CLIENT STATE NAME SOFTWARE VERSION, row C3:0" \
	[ "$(head -n1 <<<"$OUT" | tr -s ' ')" = "CLIENT STATE NAME SOFTWARE VERSION" ] && grep -qE '^C3:0 +CONNECTED_CLIENT +modem +remsim-client' <<<"$OUT"

# --- --json: the docs/control.md shapes ---------------------------------------------
rctl --json maps >"$T/maps.json"
check "maps --json: <slotmap> objects" python3 -c '
import json,sys
m=json.load(open(sys.argv[1]))
assert m==[{"bank":{"bankId":1,"slotNr":5},"client":{"clientId":3,"slotNr":0},"state":"ACTIVE"},
           {"bank":{"bankId":2,"slotNr":0},"client":{"clientId":4,"slotNr":0},"state":"NEW"}], m' "$T/maps.json"
rctl --json banks >"$T/banks.json"
check "banks --json: <bank> with peer, state, component_id (type_), bankId, numberOfSlots" python3 -c '
import json,sys
b=json.load(open(sys.argv[1]))
assert list(b[0].keys())==["peer","state","component_id","bankId","numberOfSlots"], b
assert b[0]["peer"]=="B1" and b[0]["bankId"]==1 and b[0]["numberOfSlots"]==8
c=b[0]["component_id"]
assert c=={"type_":"remsimBankd","name":"bank1","software":"remsim-bankd","swVersion":"1.0.0"}, c' "$T/banks.json"
peer_open c9
peer_do c9 "send connectClientReq client=9:1 name=aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeee hwmodel=qmod hwmanufacturer=" \
	"expect connectClientRes result=ok" >/dev/null
rctl --json clients >"$T/clients.json"
check "clients --json: peer C9:1, name truncated to 32, hwModel present, empty hw keys omitted" python3 -c '
import json,sys
c={x["peer"]:x for x in json.load(open(sys.argv[1]))}
i=c["C9:1"]["component_id"]
assert i["name"]=="aaaaaaaaaabbbbbbbbbbccccccccccdd", i
assert i["hwModel"]=="qmod" and "hwManufacturer" not in i and "fwVersion" not in i, i
assert c["C3:0"]["state"]=="CONNECTED_CLIENT"' "$T/clients.json"
OUT=$(rctl --json map 5:0 1:6)
check "map --json: the new <slotmap>" python3 -c '
import json,sys; m=json.loads(sys.argv[1]); assert m["client"]=={"clientId":5,"slotNr":0} and m["state"]=="UNACKNOWLEDGED", m' "$OUT"
peer_do b1 "expect createMappingReq client=C5:0 bank=B1:6" "send createMappingRes result=ok" >/dev/null
OUT=$(rctl unmap B1:6); rc=$?
check "unmap B1:6: 'unmapped C5:0 -> B1:6 (ACTIVE)' (the map as it was)" [ "$rc" = 0 -a "$OUT" = "unmapped C5:0 -> B1:6 (ACTIVE)" ]
peer_do b1 "expect removeMappingReq client=C5:0 bank=B1:6" "send removeMappingRes result=ok" >/dev/null

# --- errors: one line, exit != 0 -------------------------------------------------------
errcase() {	# NAME EXPECTED-REGEX ARGS...
	local name=$1 re=$2; shift 2
	rctl "$@" >"$T/o" 2>"$T/e"; local rc=$?
	if [ "$rc" != 0 ] && [ "$(wc -l <"$T/e")" = 1 ] && grep -qE "$re" "$T/e" && [ ! -s "$T/o" ]; then
		pass "$name"
	else
		fail "$name: rc $rc, stderr '$(cat "$T/e")', stdout '$(cat "$T/o")'"
	fi
}
errcase "map 1024:0 1:0: out of range, one line" '0\.\.1023' map 1024:0 1:0
errcase "map 3:1 1:1024: out of range" '0\.\.1023' map 3:1 1:1024
errcase "map 99999999999:0 1:0: out of range" '0\.\.1023' map 99999999999:0 1:0
errcase "map onto B1:5 (mapped): conflict" 'already mapped' map 7:0 1:5
errcase "map C3:0 again: conflict" 'already mapped' map 3:0 1:7
errcase "unmap 42:0 (unknown slot): not found" 'no mapping for C42:0' unmap 42:0
errcase "unmap B1:1024: out of range" '0\.\.1023' unmap B1:1024
errcase "map 3-0 1:1: malformed" 'not ID:SLOT' map 3-0 1:1
errcase "history --limit abc: usage" 'limit' history --limit abc
errcase "history --since 'not a time': usage" 'cannot parse time' history --since 'not a time'
errcase "history --bogus x: usage" 'unknown option' history --bogus x
errcase "history --offset -1: usage" 'non-negative' history --offset -1
errcase "history --until 'not a time': usage" 'cannot parse time' history --until 'not a time'
errcase "reset with an argument: usage (remsim-ctl)" 'usage' reset 3:0
rctl map 1:0 >/dev/null 2>&1; rc=$?
check "map with one argument: exit 2 (usage)" [ "$rc" = 2 ]

# --- history --------------------------------------------------------------------------------
OUT=$(rctl history --client 5:0)
echo "$OUT" | sed 's/^/#   /'
check "history --client 5:0: table, oldest first" \
	[ "$(head -n1 <<<"$OUT" | tr -s ' ')" = "TIME EVENT CLIENT BANK STATE ORIGIN DETAIL" ]
check "... created -> pushed -> acknowledged -> delete_requested -> removing -> deleted" \
	[ "$(awk 'NR>1 {print $3}' <<<"$OUT" | tr '\n' ' ')" = "created pushed acknowledged delete_requested removing deleted " ]
rctl --json history --client 5:0 >"$T/h.json"
check "history --json: <event> objects newest first, origin ctl for created" python3 -c '
import json,sys
h=json.load(open(sys.argv[1]))
assert h[0]["event"]=="deleted" and h[-1]["event"]=="created", h
assert h[-1]["origin"]=="ctl" and h[-1]["client"]=="C5:0" and h[-1]["bank"]=="B1:6", h[-1]
assert set(["time","event","client","bank","origin","detail"]) <= set(h[0].keys())' "$T/h.json"
check "history --bank B1:5 shows C3:0 activated with the bankd address" \
	bash -c "rctl history --bank B1:5 | grep -E 'activated +C3:0 +B1:5' | grep -q 'bankd 127.0.0.1:9999'"
check "history --client 3 (every slot of client 3)" bash -c "rctl history --client 3 | grep -q 'C3:0'"
check "history --limit 2: two events" [ "$(rctl --json history --limit 2 | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 2 ]
hev() { rctl --json history "$@" | python3 -c 'import json,sys; print(" ".join(e["event"] for e in json.load(sys.stdin)))'; }
check "history --limit 2 --offset 2: the next two of the newest-first list (paging)" \
	[ "$(hev --client 5:0 --limit 2 --offset 2)" = "$(hev --client 5:0 --limit 4 | cut -d' ' -f3-4)" ]
check "history --offset beyond the end: no events" [ "$(hev --client 5:0 --offset 100)" = "" ]
check "history --until 2000-01-01: none; --until 2099-01-01: all" \
	bash -c "[ \"\$(rctl history --until 2000-01-01)\" = '(no events)' ] && rctl history --until 2099-01-01 | grep -q created"
check "history --since '-1 hours' finds events, --since 2099-01-01 none" \
	bash -c "rctl history --since '-1 hours' | grep -q created && [ \"\$(rctl history --since 2099-01-01)\" = '(no events)' ]"

# --- the REST origin is recorded ----------------------------------------------------------
curl -s -o /dev/null -X POST -H 'Content-Type: application/json' \
	--data '{"bank":{"bankId":3,"slotNr":1},"client":{"clientId":11,"slotNr":0}}' \
	"http://127.0.0.1:$P_REST/api/backend/v1/slotmaps"
check "a map created over REST has origin rest in the history" \
	bash -c "rctl history --client 11:0 | grep -E 'created' | grep -q rest"

# --- sqlite3 on the live database ----------------------------------------------------------
if command -v sqlite3 >/dev/null; then
	check "database is in WAL mode" [ "$(sqlite3 -readonly "$DB" 'PRAGMA journal_mode;')" = wal ]
	Q=$(sqlite3 -readonly "$DB" "SELECT client_id || ':' || client_slot, bank_id || ':' || bank_slot FROM slotmap WHERE state = 'ACTIVE' ORDER BY bank_id, bank_slot;")
	check "sqlite3: active mappings now = 3:0|1:5" [ "$Q" = "3:0|1:5" ]
	Q=$(sqlite3 -readonly "$DB" "SELECT DISTINCT client_id || ':' || client_slot FROM history WHERE bank_id = 1 AND bank_slot = 5 AND event = 'activated' AND ts >= datetime('now', '-7 days');")
	check "sqlite3: which client used bank 1 slot 5 in the last week = 3:0" [ "$Q" = "3:0" ]
	Q=$(sqlite3 -readonly "$DB" "SELECT group_concat(event, ' ') FROM (SELECT event FROM history_v WHERE client = '5:0' ORDER BY seq);")
	check "sqlite3: history_v story of C5:0" [ "$Q" = "created pushed acknowledged delete_requested removing deleted" ]
	Q=$(sqlite3 -readonly "$DB" "SELECT actor FROM history WHERE client_id = 11 AND event = 'created';")
	check "sqlite3: REST-created map has actor rest" [ "$Q" = rest ]
	sqlite3 "$DB" "DELETE FROM history;" 2>/dev/null
	check "sqlite3: history is append-only (DELETE refused)" [ "$(sqlite3 -readonly "$DB" 'SELECT count(*) > 0 FROM history;')" = 1 ]
else
	skip "sqlite3 shell not installed"
fi

# --- reset ---------------------------------------------------------------------------------
OUT=$(rctl reset)
check "reset: '3 mapping(s) removed'" [ "$OUT" = "3 mapping(s) removed" ]
check "... the history records reset with origin ctl" bash -c "rctl history --client 3:0 | grep -E ' reset ' | grep -q ctl"

sanitizer_check
finish
