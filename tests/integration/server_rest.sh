#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# server_rest.sh: the REST API (osmo-remsim-server's, docs/rest.md) of the real
# server role with curl: scripted bankd B1 and client C23:0 connected, exact
# bodies of server.md section 7 (spec examples), status codes, the slotmap life
# cycle seen through REST (UNACKNOWLEDGED -> ACTIVE, DELETE -> gone at once,
# RemoveMappingReq, 0.0.0.0:0 to the client), global reset, and the requests
# osmo-remsim-apitool makes (python3-requests).
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/server_common.bash"
command -v curl >/dev/null || { skip "curl not installed"; finish; }

server_cfg "$T/server.cfg"
check "server role starts" server_start "$T/server.cfg"
URL=http://127.0.0.1:$P_REST/api/backend/v1
BANK1='{"peer":"B1","state":"CONNECTED_BANKD","component_id":{"type_":"remsimBankd","name":"bankhost","software":"remsim-bankd","swVersion":"1.1.3"},"bankId":1,"numberOfSlots":8}'
CLIENT23='{"peer":"C23:0","state":"CONNECTED_CLIENT","component_id":{"type_":"remsimClient","name":"modemhost","software":"remsim-client","swVersion":"1.1.3"}}'
MAP='{"bank":{"bankId":1,"slotNr":5},"client":{"clientId":23,"slotNr":0},"state":"ACTIVE"}'
MAPREQ='{"bank":{"bankId":1,"slotNr":5},"client":{"clientId":23,"slotNr":0}}'

. "$TOP/tests/lib/http.sh"
post_map() {	# NAME CODE JSON
	expect "$1" "$2" "" POST /slotmaps -H 'Content-Type: application/json' --data-binary "$3"
}

expect "GET /restart-counter: 200 empty" 200 "" GET /restart-counter
expect "GET /slotmaps: empty list" 200 '{"slotmaps":[]}' GET /slotmaps
expect "GET /banks: empty list" 200 '{"banks":[]}' GET /banks
expect "GET /clients: empty list" 200 '{"clients":[]}' GET /clients

peer_open b1
peer_do b1 "send connectBankReq bankid=1 slots=8 name=bankhost swversion=1.1.3" "expect connectBankRes result=ok" >/dev/null
peer_open c23
peer_do c23 "send connectClientReq client=23:0 name=modemhost swversion=1.1.3" "expect connectClientRes result=ok" >/dev/null
expect "GET /banks: the spec example byte for byte" 200 "{\"banks\":[$BANK1]}" GET /banks
expect "GET /clients: the spec example byte for byte" 200 "{\"clients\":[$CLIENT23]}" GET /clients
expect "GET /banks/1" 200 "$BANK1" GET /banks/1
expect "GET /banks/2: 404" 404 "" GET /banks/2
expect "GET /clients/23 (matches the clientId)" 200 "$CLIENT23" GET /clients/23
expect "GET /clients/0: 404" 404 "" GET /clients/0

post_map "POST /slotmaps: 201 empty" 201 "$MAPREQ"
check "... bankd B1 receives createMappingReq" peer_do b1 "expect createMappingReq client=C23:0 bank=B1:5"
expect "GET /slotmaps: UNACKNOWLEDGED until the bankd answers" 200 \
	'{"slotmaps":[{"bank":{"bankId":1,"slotNr":5},"client":{"clientId":23,"slotNr":0},"state":"UNACKNOWLEDGED"}]}' GET /slotmaps
peer_do b1 "send createMappingRes result=ok" >/dev/null
check "... client C23:0 configured with 127.0.0.1:9999" \
	peer_do c23 "expect configClientBankReq bankSlot=B1:5 bankd=127.0.0.1:9999"
expect "GET /slotmaps: the spec example (ACTIVE)" 200 "{\"slotmaps\":[$MAP]}" GET /slotmaps

post_map "POST bankId 10000: 400" 400 '{"bank":{"bankId":10000,"slotNr":0},"client":{"clientId":1,"slotNr":0}}'
post_map "POST bank slot 2000: 400" 400 '{"bank":{"bankId":2,"slotNr":2000},"client":{"clientId":1,"slotNr":0}}'
post_map "POST clientId 3000: 400" 400 '{"bank":{"bankId":2,"slotNr":0},"client":{"clientId":3000,"slotNr":0}}'
post_map "POST client slot 4000: 400" 400 '{"bank":{"bankId":2,"slotNr":0},"client":{"clientId":1,"slotNr":4000}}'
post_map "POST bankId 65536: 400 (no 16-bit truncation)" 400 '{"bank":{"bankId":65536,"slotNr":0},"client":{"clientId":1,"slotNr":0}}'
post_map "POST string id: 400" 400 '{"bank":{"bankId":"2","slotNr":0},"client":{"clientId":1,"slotNr":0}}'
post_map "POST bank slot already mapped: 400" 400 '{"bank":{"bankId":1,"slotNr":5},"client":{"clientId":24,"slotNr":0}}'
post_map "POST client slot already mapped: 400" 400 '{"bank":{"bankId":1,"slotNr":6},"client":{"clientId":23,"slotNr":0}}'
post_map "POST the same map again: 400" 400 "$MAPREQ"
expect "POST text/plain: 400" 400 "" POST /slotmaps -H 'Content-Type: text/plain' --data-binary "$MAPREQ"
post_map "POST 1023 limits with an extra key: 201" 201 '{"bank":{"bankId":1023,"slotNr":1023},"client":{"clientId":1023,"slotNr":1023},"state":"NEW"}'
expect "GET /slotmaps: two maps in creation order" 200 \
	"{\"slotmaps\":[$MAP,{\"bank\":{\"bankId\":1023,\"slotNr\":1023},\"client\":{\"clientId\":1023,\"slotNr\":1023},\"state\":\"NEW\"}]}" GET /slotmaps

expect "DELETE /slotmaps/65541 (B1:5): 200 empty" 200 "" DELETE /slotmaps/65541
expect "... the map is gone from GET /slotmaps at once" 200 \
	'{"slotmaps":[{"bank":{"bankId":1023,"slotNr":1023},"client":{"clientId":1023,"slotNr":1023},"state":"NEW"}]}' GET /slotmaps
check "... bankd gets removeMappingReq, client then 0.0.0.0:0" \
	peer_do b1 "expect removeMappingReq client=C23:0 bank=B1:5" "send removeMappingRes result=ok"
check "... client C23:0 told 0.0.0.0:0" peer_do c23 "expect configClientBankReq bankSlot=B1:5 bankd=0.0.0.0:0"
expect "DELETE the same again: 404" 404 "" DELETE /slotmaps/65541
expect "DELETE non-numeric: 400" 400 "" DELETE /slotmaps/abc
expect "DELETE overflow: 400" 400 "" DELETE /slotmaps/99999999999999999999

post_map "POST C23:0 -> B1:5 again" 201 "$MAPREQ"
peer_do b1 "expect createMappingReq client=C23:0 bank=B1:5" "send createMappingRes result=ok" >/dev/null
expect "POST /global-reset: 200 empty" 200 "" POST /global-reset
expect "... GET /slotmaps empty" 200 '{"slotmaps":[]}' GET /slotmaps
check "... bankd gets removeMappingReq for the ACTIVE map" \
	peer_do b1 "expect removeMappingReq client=C23:0 bank=B1:5" "send removeMappingRes result=ok"
check "REST changes are recorded with origin rest" \
	bash -c "rctl history --client 23:0 | grep -E ' reset ' | grep -q rest"

# --- osmo-remsim-apitool's requests (server.md section 8) ---------------------------
if python3 -c 'import requests' 2>/dev/null; then
	python3 "$TOP/tests/tools/apitool-emu.py" "$P_REST" -m 2 5 23 0 -a -b 1 -c 23 -m 1 2000 23 1 -d 2 5 -d 2 5 -s -r >"$T/apitool.out" 2>&1
	cat >"$T/apitool.want" <<'EOF'
/clients: {'clients': [{'peer': 'C23:0', 'state': 'CONNECTED_CLIENT', 'component_id': {'type_': 'remsimClient', 'name': 'modemhost', 'software': 'remsim-client', 'swVersion': '1.1.3'}}]}
/banks: {'banks': [{'peer': 'B1', 'state': 'CONNECTED_BANKD', 'component_id': {'type_': 'remsimBankd', 'name': 'bankhost', 'software': 'remsim-bankd', 'swVersion': '1.1.3'}, 'bankId': 1, 'numberOfSlots': 8}]}
/slotmaps: {'slotmaps': [{'bank': {'bankId': 2, 'slotNr': 5}, 'client': {'clientId': 23, 'slotNr': 0}, 'state': 'NEW'}]}
/banks/1: {'peer': 'B1', 'state': 'CONNECTED_BANKD', 'component_id': {'type_': 'remsimBankd', 'name': 'bankhost', 'software': 'remsim-bankd', 'swVersion': '1.1.3'}, 'bankId': 1, 'numberOfSlots': 8}
/clients/23: {'peer': 'C23:0', 'state': 'CONNECTED_CLIENT', 'component_id': {'type_': 'remsimClient', 'name': 'modemhost', 'software': 'remsim-client', 'swVersion': '1.1.3'}}
post failed
delete failed
/slotmaps: {'slotmaps': []}
EOF
	if diff -u "$T/apitool.want" "$T/apitool.out" >"$T/apitool.diff"; then
		pass "apitool requests (python3-requests json=) and output against the real server"
	else
		fail "apitool emulation differs:"; sed 's/^/  /' "$T/apitool.diff"
	fi
else
	skip "apitool emulation: python3-requests not available"
fi

# --- the mapstore down: 503, never a hang ---------------------------------------------
MS=$(pid_of mapstore)
kill -STOP "$MS"
expect "mapstore stopped (SIGSTOP): GET /slotmaps -> 503 after the timeout" 503 "" GET /slotmaps
kill -CONT "$MS"
expect "mapstore continues: 200 again" 200 '{"slotmaps":[]}' GET /slotmaps

sanitizer_check
finish
