#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/rest_api.sh: the REST actor (osmo-remsim-server's HTTP API,
# docs/rest.md) against fake-mapstore, with curl: every endpoint and status
# code, exact bodies where server.md §7 gives them, the control requests it
# sends, bearer token, control socket down/silent -> 503, config file,
# SIGTERM -> 0, and the requests osmo-remsim-apitool makes (python3-requests).
. "$(dirname "$0")/../lib/common.sh"

. "$TOP/tests/lib/rest_fake.sh"
BANK1='{"peer":"B1","state":"CONNECTED_BANKD","component_id":{"type_":"remsimBankd","name":"bankhost","software":"remsim-bankd","swVersion":"1.1.3"},"bankId":1,"numberOfSlots":8}'
CLIENT23='{"peer":"C23:0","state":"CONNECTED_CLIENT","component_id":{"type_":"remsimClient","name":"modemhost","software":"remsim-client","swVersion":"1.1.3"}}'
MAP='{"bank":{"bankId":1,"slotNr":5},"client":{"clientId":23,"slotNr":0},"state":"ACTIVE"}'
MAPREQ='{"bank":{"bankId":1,"slotNr":5},"client":{"clientId":23,"slotNr":0}}'

. "$TOP/tests/lib/http.sh"

post_map() {	# NAME CODE JSON [curl args...]
	local name=$1 code=$2 json=$3; shift 3
	expect "$name" "$code" "" POST /slotmaps -H 'Content-Type: application/json' --data-binary "$json" "$@"
}

# --- options ----------------------------------------------------------------
"$REST" --help >"$T/help" 2>&1
check "--help exits 0 and lists --listen/--control/--token" \
	grep -q -- '--token' "$T/help"
grep -q -- '--listen' "$T/help" && grep -q -- '--control' "$T/help" || fail "--help incomplete"
"$REST" --bogus >/dev/null 2>&1
[ $? = 2 ] && pass "unknown option exits 2" || fail "unknown option exit status"

# --- main instance ------------------------------------------------------------
start_fake fm --bank 1:8 --client 23:0 --map-state ACTIVE
start_rest rest --control "ipc://$T/fm.sock"
MAIN_PID=$REST_PID

expect "GET /restart-counter 200 empty" 200 "" GET /restart-counter
expect "GET /slotmaps empty list" 200 '{"slotmaps":[]}' GET /slotmaps
check_req "GET /slotmaps sends maps" fm '{"cmd":"maps","origin":"rest"}'
expect "GET /banks (spec example, key order)" 200 "{\"banks\":[$BANK1]}" GET /banks
expect "GET /clients (spec example, key order)" 200 "{\"clients\":[$CLIENT23]}" GET /clients
expect "HEAD /banks 200" 200 "-" HEAD /banks --head

post_map "POST /slotmaps 201 empty body" 201 "$MAPREQ"
check_req "POST sends map C B" fm '{"cmd":"map","args":["23:0","1:5"],"origin":"rest"}'
expect "GET /slotmaps (spec example)" 200 "{\"slotmaps\":[$MAP]}" GET /slotmaps

post_map "POST bankId 10000 -> 400" 400 '{"bank":{"bankId":10000,"slotNr":0},"client":{"clientId":1,"slotNr":0}}'
post_map "POST bank slot 2000 -> 400" 400 '{"bank":{"bankId":2,"slotNr":2000},"client":{"clientId":1,"slotNr":0}}'
post_map "POST clientId 3000 -> 400" 400 '{"bank":{"bankId":2,"slotNr":0},"client":{"clientId":3000,"slotNr":0}}'
post_map "POST client slot 4000 -> 400" 400 '{"bank":{"bankId":2,"slotNr":0},"client":{"clientId":1,"slotNr":4000}}'
post_map "POST bankId 65536 -> 400 (no 16-bit truncation)" 400 '{"bank":{"bankId":65536,"slotNr":0},"client":{"clientId":1,"slotNr":0}}'
post_map "POST slotNr -1 -> 400" 400 '{"bank":{"bankId":2,"slotNr":-1},"client":{"clientId":1,"slotNr":0}}'
post_map "POST missing bank -> 400" 400 '{"client":{"clientId":1,"slotNr":0}}'
post_map "POST missing client -> 400" 400 '{"bank":{"bankId":2,"slotNr":0}}'
post_map "POST missing slotNr -> 400" 400 '{"bank":{"bankId":2},"client":{"clientId":1,"slotNr":0}}'
post_map "POST missing clientId -> 400" 400 '{"bank":{"bankId":2,"slotNr":0},"client":{"slotNr":0}}'
post_map "POST bank not an object -> 400" 400 '{"bank":5,"client":{"clientId":1,"slotNr":0}}'
post_map "POST string id -> 400" 400 '{"bank":{"bankId":"2","slotNr":0},"client":{"clientId":1,"slotNr":0}}'
post_map "POST real id 2.0 -> 400" 400 '{"bank":{"bankId":2.0,"slotNr":0},"client":{"clientId":1,"slotNr":0}}'
post_map "POST boolean id -> 400" 400 '{"bank":{"bankId":true,"slotNr":0},"client":{"clientId":1,"slotNr":0}}'
post_map "POST non-JSON body -> 400" 400 'bank=1&slot=5'
post_map "POST JSON array body -> 400" 400 '[1,2]'
post_map "POST empty body -> 400" 400 ''
expect "POST text/plain -> 400" 400 "" POST /slotmaps -H 'Content-Type: text/plain' --data-binary '{"bank":{"bankId":2,"slotNr":0},"client":{"clientId":1,"slotNr":0}}'
expect "POST form content type -> 400" 400 "" POST /slotmaps --data '{"bank":{"bankId":2,"slotNr":0},"client":{"clientId":1,"slotNr":0}}'
post_map "POST bank slot conflict -> 400" 400 '{"bank":{"bankId":1,"slotNr":5},"client":{"clientId":24,"slotNr":0}}'
post_map "POST client slot conflict -> 400" 400 '{"bank":{"bankId":1,"slotNr":6},"client":{"clientId":23,"slotNr":0}}'
post_map "POST with charset and extra key -> 201" 201 '{"bank":{"bankId":1023,"slotNr":1023},"client":{"clientId":1023,"slotNr":1023},"state":"NEW"}' \
	-H 'Content-Type: application/json; charset=utf-8'
check_req "POST 1023 limits sent" fm '{"cmd":"map","args":["1023:1023","1023:1023"],"origin":"rest"}'
head -c 70000 /dev/zero | tr '\0' ' ' >"$T/big.json"
expect "POST body larger than 64 KiB -> 413" 413 "" POST /slotmaps -H 'Content-Type: application/json' \
	--data-binary "@$T/big.json"

expect "GET /banks/1" 200 "$BANK1" GET /banks/1
expect "GET /banks/2 unknown -> 404" 404 "" GET /banks/2
expect "GET /banks/70000 -> 400" 400 "" GET /banks/70000
expect "GET /banks/abc -> 400" 400 "" GET /banks/abc
expect "GET /clients/23 (matches clientId)" 200 "$CLIENT23" GET /clients/23
expect "GET /clients/0 unknown -> 404" 404 "" GET /clients/0
expect "GET /clients/70000 -> 400" 400 "" GET /clients/70000

expect "DELETE /slotmaps/65541 -> 200 empty" 200 "" DELETE /slotmaps/65541
check_req "DELETE sends unmap B1:5" fm '{"cmd":"unmap","args":["B1:5"],"origin":"rest"}'
expect "DELETE same again -> 404" 404 "" DELETE /slotmaps/65541
expect "DELETE overflow -> 400" 400 "" DELETE /slotmaps/99999999999999999999
expect "DELETE 2^32 -> 400" 400 "" DELETE /slotmaps/4294967296
expect "DELETE non-numeric -> 400" 400 "" DELETE /slotmaps/abc
expect "DELETE impossible bank 2000 -> 404" 404 "" DELETE /slotmaps/$((2000 * 65536))
expect "GET /slotmaps after delete" 200 '{"slotmaps":[{"bank":{"bankId":1023,"slotNr":1023},"client":{"clientId":1023,"slotNr":1023},"state":"ACTIVE"}]}' GET /slotmaps

post_map "POST second map" 201 "$MAPREQ"
expect "POST /global-reset with a text/plain body -> 400 (a form could send it)" 400 "" POST /global-reset -H 'Content-Type: text/plain' --data 'whatever'
check_req "refused global-reset sent nothing" fm '{"cmd":"map","args":["23:0","1:5"],"origin":"rest"}'
expect "POST /global-reset 200 empty (JSON body ignored)" 200 "" POST /global-reset -H 'Content-Type: application/json' --data '{}'
check_req "global-reset sends reset" fm '{"cmd":"reset","origin":"rest"}'
expect "GET /slotmaps after reset" 200 '{"slotmaps":[]}' GET /slotmaps

expect "unknown path -> 404" 404 "" GET /nonsense
expect "GET /slotmaps/ID (no such endpoint) -> 405" 405 "" GET /slotmaps/65541
req GET "http://127.0.0.1:$PORT/banks"
[ "$CODE" = 404 ] && pass "path outside the API base -> 404" || fail "path outside the API base: $CODE"
req GET "http://127.0.0.1:$PORT/api/backend/v2/banks"
[ "$CODE" = 404 ] && pass "other API version -> 404" || fail "other API version: $CODE"
expect "PUT /slotmaps -> 405" 405 "" PUT /slotmaps
curl -s -D "$T/hdr" -o /dev/null -X PUT "$URL/slotmaps"
grep -qi '^Allow: GET, HEAD, POST' "$T/hdr" && pass "405 carries Allow" || fail "405 Allow header"

# concurrent requests: each gets its own control round trip
for i in $(seq 1 12); do
	curl -s -o /dev/null -w '%{http_code}\n' --max-time 15 "$URL/banks" >"$T/par.$i" &
done
wait_for 15 bash -c "[ \$(cat $T/par.* 2>/dev/null | grep -c '^200$') = 12 ]" \
	&& pass "12 concurrent GETs -> 200" || fail "concurrent GETs: $(cat "$T"/par.* | tr '\n' ' ')"

grep -qE 'GET /api/backend/v1/banks 200 [0-9]+ ms' "$T/rest.log" \
	&& pass "request log line (method path status ms)" || fail "no request log line"

# --- osmo-remsim-apitool's requests (server.md §8), emulated ------------------
if python3 -c 'import requests' 2>/dev/null; then
	python3 "$TOP/tests/tools/apitool-emu.py" "$PORT" -m 1 5 23 0 -a -b 1 -c 23 -m 1 2000 23 1 -d 1 5 -d 1 5 -s -m 1 5 23 0 -r -s >"$T/apitool.out" 2>&1
	cat >"$T/apitool.want" <<'EOF'
/clients: {'clients': [{'peer': 'C23:0', 'state': 'CONNECTED_CLIENT', 'component_id': {'type_': 'remsimClient', 'name': 'modemhost', 'software': 'remsim-client', 'swVersion': '1.1.3'}}]}
/banks: {'banks': [{'peer': 'B1', 'state': 'CONNECTED_BANKD', 'component_id': {'type_': 'remsimBankd', 'name': 'bankhost', 'software': 'remsim-bankd', 'swVersion': '1.1.3'}, 'bankId': 1, 'numberOfSlots': 8}]}
/slotmaps: {'slotmaps': [{'bank': {'bankId': 1, 'slotNr': 5}, 'client': {'clientId': 23, 'slotNr': 0}, 'state': 'ACTIVE'}]}
/banks/1: {'peer': 'B1', 'state': 'CONNECTED_BANKD', 'component_id': {'type_': 'remsimBankd', 'name': 'bankhost', 'software': 'remsim-bankd', 'swVersion': '1.1.3'}, 'bankId': 1, 'numberOfSlots': 8}
/clients/23: {'peer': 'C23:0', 'state': 'CONNECTED_CLIENT', 'component_id': {'type_': 'remsimClient', 'name': 'modemhost', 'software': 'remsim-client', 'swVersion': '1.1.3'}}
post failed
delete failed
/slotmaps: {'slotmaps': []}
/slotmaps: {'slotmaps': []}
EOF
	if diff -u "$T/apitool.want" "$T/apitool.out" >"$T/apitool.diff"; then
		pass "apitool requests (python3-requests json=) and output"
	else
		fail "apitool emulation differs:"; sed 's/^/  /' "$T/apitool.diff"
	fi
else
	skip "apitool emulation: python3-requests not available"
fi

# --- SIGTERM ------------------------------------------------------------------
kill -TERM "$MAIN_PID"
wait "$MAIN_PID"
rc=$?
[ "$rc" = 0 ] && pass "SIGTERM -> exit 0" || fail "SIGTERM -> exit $rc"
grep -qE 'ERROR|LeakSanitizer|runtime error' "$T/rest.log" \
	&& fail "errors in rest log: $(grep -E 'ERROR|LeakSanitizer|runtime error' "$T/rest.log" | head -3)" \
	|| pass "rest log clean"

# --- key order normalised whatever the control reply's order ---------------------
start_fake fmx --bank 1:8 --client 23:0 --map-state ACTIVE --scramble
start_rest restx --control "ipc://$T/fmx.sock"
expect "scrambled banks normalised" 200 "{\"banks\":[$BANK1]}" GET /banks
expect "scrambled clients normalised" 200 "{\"clients\":[$CLIENT23]}" GET /clients
post_map "scrambled: POST" 201 "$MAPREQ"
expect "scrambled slotmaps normalised" 200 "{\"slotmaps\":[$MAP]}" GET /slotmaps
expect "scrambled /clients/23" 200 "$CLIENT23" GET /clients/23

# --- bearer token -------------------------------------------------------------
start_rest restt --control "ipc://$T/fm.sock" --token s3cret
expect "token: no Authorization -> 401" 401 "" GET /banks
expect "token: wrong token -> 401" 401 "" GET /banks -H 'Authorization: Bearer s3cre'
expect "token: unknown path without token -> 401" 401 "" GET /nonsense
expect "token: POST without token -> 401" 401 "" POST /global-reset
expect "token: right token -> 200" 200 "{\"banks\":[$BANK1]}" GET /banks -H 'Authorization: Bearer s3cret'
curl -s -D "$T/hdr" -o /dev/null "$URL/banks"
grep -qi '^WWW-Authenticate: Bearer' "$T/hdr" && pass "401 carries WWW-Authenticate" || fail "no WWW-Authenticate"
REMSIM_REST_TOKEN=envtok start_rest reste --control "ipc://$T/fm.sock"
expect "env token: without -> 401" 401 "" GET /clients
expect "env token: with -> 200" 200 "{\"clients\":[$CLIENT23]}" GET /clients -H 'Authorization: Bearer envtok'

# --- control socket down or silent -> 503 ---------------------------------------
start_rest restd --control "ipc://$T/nothing-here.sock" --timeout 1000
expect "control socket missing -> 503" 503 "" GET /slotmaps
post_map "control socket missing: POST -> 503" 503 "$MAPREQ"
start_fake fmh --hang
start_rest resth --control "ipc://$T/fmh.sock" --timeout 800
t0=$(date +%s%N)
expect "control socket silent -> 503" 503 "" GET /banks
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$ms" -ge 700 ] && [ "$ms" -lt 5000 ] && pass "503 after the timeout (${ms} ms)" || fail "503 took ${ms} ms"
DEADPORT=$(free_port)
start_rest restp --control "tcp://127.0.0.1:$DEADPORT" --timeout 800
expect "tcp control endpoint nobody listens on -> 503" 503 "" DELETE /slotmaps/65541
kill -TERM "$REST_PID"; wait "$REST_PID"; rc=$?
[ "$rc" = 0 ] && pass "SIGTERM with no control peer -> exit 0" || fail "SIGTERM -> exit $rc"

# --- config file (as run by remsimd) -------------------------------------------------
CPORT=$(free_port)
mkdir -p "$T/run"
cat >"$T/server.cfg" <<EOF
run_dir = "$T/nowhere";
control = "ipc://@RUN_DIR@/fm.sock";
rest: {
	listen = "127.0.0.1:$CPORT";
	token = "cfgtok";
};
EOF
spawn restc env REMSIM_RUN_DIR="$T" "$REST" --hub "ipc://$T/hub" --name rest --config "$T/server.cfg"
INSTANCES+=("restc:$SPAWNED_PID")
wait_log "$T/restc.log" 'listening on' 10 2>/dev/null || fail "restc did not start"
URL=http://127.0.0.1:$CPORT$API
expect "config: listen and token from file -> 401" 401 "" GET /banks
expect "config: control with @RUN_DIR@ from REMSIM_RUN_DIR" 200 "{\"banks\":[$BANK1]}" GET /banks -H 'Authorization: Bearer cfgtok'
printf 'rest: { listen = 5; };\n' >"$T/bad.cfg"
"$REST" --config "$T/bad.cfg" >"$T/bad.out" 2>&1
rc=$?
[ "$rc" != 0 ] && grep -q 'bad.cfg:1' "$T/bad.out" && pass "bad config -> error naming file:line" \
	|| fail "bad config: rc $rc, $(cat "$T/bad.out")"
"$REST" --listen "127.0.0.1:$CPORT" --control "ipc://$T/fm.sock" >"$T/busy.out" 2>&1 &
BUSY=$!
wait_for 5 bash -c "! kill -0 $BUSY 2>/dev/null" || kill "$BUSY"
wait "$BUSY"; rc=$?
[ "$rc" = 1 ] && pass "port in use -> exit 1" || fail "port in use -> exit $rc: $(cat "$T/busy.out")"

# --- every process: SIGTERM -> exit 0, no sanitizer reports ------------------------
bad=""
for inst in "${INSTANCES[@]}"; do
	name=${inst%%:*} pid=${inst##*:}
	kill -TERM "$pid" 2>/dev/null
	wait "$pid"
	rc=$?
	[ "$rc" = 0 ] || bad="$bad $name(exit $rc)"
done
[ -z "$bad" ] && pass "all ${#INSTANCES[@]} processes exit 0 on SIGTERM" || fail "exit status:$bad"
if grep -lE 'Sanitizer|runtime error' "$T"/*.log "$T"/*.out >"$T/san" 2>/dev/null; then
	fail "sanitizer reports in: $(tr '\n' ' ' <"$T/san")"
else
	pass "no sanitizer reports"
fi

finish
