#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/integration/rest_hostile.sh: the REST actor (docs/rest.md "Security")
# against hostile peers and browsers, on loopback with fake-mapstore:
#   - a slowloris (64 connections from 127.0.0.2, one header line a second)
#     does not starve legitimate GETs from 127.0.0.1; its connections are
#     closed after request_timeout_ms with a log line
#   - non-HTTP garbage is closed with a log line
#   - a browser-style cross-site form POST to global-reset is refused (403,
#     400 without Origin), nothing reaches the mapstore; a foreign Host is
#     refused (DNS rebinding), configured names, addresses and same-origin
#     requests pass; osmo-remsim-apitool's requests (emulated) still work
#   - a WARNING at start names the exposure of an unauthenticated listener
. "$(dirname "$0")/../lib/common.sh"

. "$TOP/tests/lib/rest_fake.sh"
. "$TOP/tests/lib/http.sh"

cat >"$T/rest.cfg" <<'EOF'
rest: { request_timeout_ms = 2000; max_per_address = 16; hosts = [ "remsim.test" ]; };
EOF
start_fake fm --bank 1:8 --client 23:0 --map-state ACTIVE
start_rest rest --control "ipc://$T/fm.sock" --config "$T/rest.cfg"

grep -q 'WITHOUT authentication' "$T/rest.log" && fail "warning on a loopback listener" \
	|| pass "no exposure warning on 127.0.0.1"

# --- non-HTTP garbage ----------------------------------------------------------------
# garbage NAME HEX: send HEX, wait up to 6 s for the server to close; $T/NAME.out
garbage() {
	python3 - "$PORT" "$2" >"$T/$1.out" 2>&1 <<'EOF'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(bytes.fromhex(sys.argv[2]))
s.settimeout(6)
t0 = time.monotonic()
try:
    while s.recv(100):
        pass
    print("closed after %.1f s" % (time.monotonic() - t0))
except socket.timeout:
    print("still open after 6 s")
EOF
	grep -q '^closed after' "$T/$1.out" && pass "$1: $(cat "$T/$1.out")" || fail "$1: $(cat "$T/$1.out")"
}
garbage "IPA PING and half an RSPRO frame" 0001fe000005ee30030201
wait_log "$T/rest.log" 'closing connection from 127.0.0.1:[0-9]*: no complete request within 2000 ms \(slow client or not HTTP' 5 \
	&& pass "... closed with a log line" || fail "no log line for the garbage connection"
garbage "a TLS hello with line ends" 16030100a5$(printf 'garbage\r\n\r\n' | od -An -tx1 | tr -d ' \n')
wait_log "$T/rest.log" 'connection from 127.0.0.1:[0-9]+ ended without a valid HTTP request' 3 \
	&& pass "... logged" || fail "no log line for the malformed request"

# --- slowloris from another address ----------------------------------------------
python3 "$TOP/tests/tools/http-slowloris.py" "$PORT" "$API/restart-counter" --conns 64 \
	--attacker 127.0.0.2 --line-every 1 --seconds 6 --gets 20 >"$T/slow.out" 2>&1
echo "# slowloris: $(cat "$T/slow.out")"
grep -q 'legit_answered=20/20' "$T/slow.out" && pass "slowloris from 127.0.0.2: 20/20 legitimate GETs answered" \
	|| fail "slowloris starved legitimate GETs: $(cat "$T/slow.out")"
grep -q 'closed_by_server=64 ' "$T/slow.out" && pass "all 64 slow connections closed by the server" \
	|| fail "slow connections left open: $(cat "$T/slow.out")"
grep -q 'closing connection from 127.0.0.2:[0-9]*: no complete request within 2000 ms' "$T/rest.log" \
	&& pass "slow connection closed with a log line" || fail "no log line for the slow connections"
[ "$(grep -c 'http: ' "$T/rest.log")" -le 30 ] && pass "closing and limit messages rate-limited" \
	|| fail "$(grep -c 'http: ' "$T/rest.log") http: lines in the log"

# --- cross-site requests -------------------------------------------------------------
expect "browser form POST to global-reset from a foreign site -> 403" 403 "" POST /global-reset \
	-H 'Origin: http://evil.example' -H 'Content-Type: application/x-www-form-urlencoded' --data 'go=1'
expect "form POST without Origin -> 400" 400 "" POST /global-reset \
	-H 'Content-Type: application/x-www-form-urlencoded' --data 'go=1'
expect "multipart form POST -> 400" 400 "" POST /global-reset -F 'go=1'
expect "text/plain form with an empty body -> 400" 400 "" POST /global-reset -H 'Content-Type: text/plain'
expect "DELETE from a foreign Origin -> 403" 403 "" DELETE /slotmaps/65541 -H 'Origin: http://evil.example'
expect "Origin null -> 403" 403 "" POST /global-reset -H 'Origin: null'
grep -q '^REQ .*reset' "$T/fm.log" && fail "a refused request reached the mapstore" \
	|| pass "no refused request reached the mapstore"
wait_log "$T/rest.log" "POST $API/global-reset 403 [0-9]+ ms: Origin 'http://evil.example' is not this server" 2 \
	&& pass "403 logged with its reason" || fail "no reason logged for the 403"
expect "Host of another name (DNS rebinding) -> 403" 403 "" GET /banks -H 'Host: rebind.evil.example'
expect "Host from rest.hosts -> 200" 200 "-" GET /banks -H "Host: remsim.test:$PORT"
expect "Host localhost -> 200" 200 "-" GET /banks -H "Host: localhost:$PORT"
expect "same-origin JSON POST -> 201" 201 "" POST /slotmaps -H "Origin: http://127.0.0.1:$PORT" \
	-H 'Content-Type: application/json' --data '{"bank":{"bankId":1,"slotNr":5},"client":{"clientId":23,"slotNr":0}}'
expect "global-reset with an empty body and no content type -> 200" 200 "" POST /global-reset
check_req "... and it reached the mapstore" fm '{"cmd":"reset","origin":"rest"}'

if python3 -c 'import requests' 2>/dev/null; then
	python3 "$TOP/tests/tools/apitool-emu.py" "$PORT" -m 1 5 23 0 -s -d 1 5 -r >"$T/apitool.out" 2>&1
	if ! grep -q 'failed' "$T/apitool.out" && grep -q "^/slotmaps: {'slotmaps'" "$T/apitool.out"; then
		pass "osmo-remsim-apitool requests (emulated) unchanged: map, list, delete, reset"
	else
		fail "apitool emulation: $(cat "$T/apitool.out")"
	fi
	check_req "apitool reset reached the mapstore" fm '{"cmd":"reset","origin":"rest"}'
else
	skip "apitool emulation: python3-requests not available"
fi

# --- exposure warning ---------------------------------------------------------------------
P2=$(free_port)
spawn rest-any "$REST" --listen "0.0.0.0:$P2" --control "ipc://$T/fm.sock"
wait_log "$T/rest-any.log" 'listening on' 10 || fail "rest-any did not start"
grep -q "WARN.*REST API on 0.0.0.0:$P2 .*WITHOUT authentication.*ANY interface" "$T/rest-any.log" \
	&& pass "0.0.0.0 without a token: WARNING names the exposure" || fail "no exposure warning"

sanitizer_check
finish
