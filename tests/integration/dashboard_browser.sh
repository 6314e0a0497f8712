#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# dashboard_browser.sh: the operator dashboard (docs/dashboard.md) against a
# real server role (token set) with scripted bankd B1 (8 slots) and clients
# C0:0..C2:0 (tests/tools/server-load).  First with curl: the static files,
# the token, the /api/remsim/v1 routes, cross-site requests refused.  Then in
# headless chromium (dashboard_browser.py): lists, map and unmap through the
# page (checked with REST and remsim-ctl), history, bankd loss within 2 s,
# wrong token, reset behind a confirmation, the unreachable banner.
# Screenshots: $BUILD/dashboard/*.png.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/server_common.bash"
. "$TOP/tests/lib/dashboard.sh"
command -v curl >/dev/null || { skip "curl not installed"; finish; }
dashboard_deps >"$T/deps.txt" || { skip "dashboard browser test: $(cat "$T/deps.txt")"; finish; }

TOKEN=dash-$RANDOM-secret
check "server role starts (REST with a bearer token)" dashboard_server "$TOKEN"
URL=http://127.0.0.1:$P_REST
. "$TOP/tests/lib/http.sh"
AUTH=(-H "Authorization: Bearer $TOKEN")
JSON=(-H 'Content-Type: application/json')

# --- static files: public, same-origin headers -------------------------------
req GET "$URL/" -D "$T/hdr"
check "GET / without token: 200 text/html, the dashboard" \
	bash -c "[ '$CODE' = 200 ] && [[ '$CTYPE' == text/html* ]] && grep -q 'remsim dashboard' '$T/body'"
check "... with a same-origin CSP and no framing" \
	bash -c "grep -qi '^Content-Security-Policy:.*connect-src .self.*frame-ancestors .none.' '$T/hdr' && grep -qi '^X-Frame-Options: DENY' '$T/hdr'"
expect "GET /dashboard.js: 200" 200 - GET /dashboard.js
expect "GET /dashboard.css: 200" 200 - GET /dashboard.css
expect "GET /nothing.js: 404" 404 "" GET /nothing.js
expect "GET /../index.html: not a dashboard file (401 without token)" 401 "" GET /../index.html --path-as-is
expect "... 404 with the token (no path leaves www_dir)" 404 "" GET /%2e%2e/www/index.html --path-as-is "${AUTH[@]}"
expect "POST /: 405" 405 "" POST /
check "... each logged" wait_log "$T/remsimd.log" 'GET /nothing.js 404' 5

# a rest actor of its own on a www_dir of ours: what it serves and what not
mkdir -p "$T/www/sub.js"
echo '<title>ours</title>' >"$T/www/index.html"
ln -s /etc/hostname "$T/www/link.js"
P_W=$(free_port)
spawn rest-www "$BIN/rest" --listen "127.0.0.1:$P_W" --control "ipc://$T/none" --www-dir "$T/www"
check "rest --www-dir DIR: starts and logs where the dashboard comes from" wait_log "$T/rest-www.log" "dashboard at .* from $T/www" 5
expect_w() { URL=http://127.0.0.1:$P_W expect "$@"; }
expect_w "... GET / serves DIR/index.html" 200 - GET /
check "... the file's content" grep -q '<title>ours</title>' "$T/body"
expect_w "... a symlink out of DIR: refused (403)" 403 "" GET /link.js
expect_w "... a directory: refused (403)" 403 "" GET /sub.js
expect_w "... a missing file: 404" 404 "" GET /dashboard.css
spawn rest-none "$BIN/rest" --listen "127.0.0.1:$(free_port)" --control "ipc://$T/none" --www-dir "$T/nothing-here"
check "rest --www-dir without files: a warning (/ will be 404)" wait_log "$T/rest-none.log" "no index.html in $T/nothing-here" 5

# --- remsim API: token, errors as JSON, guards -------------------------------
expect "GET /api/remsim/v1/state without token: 401" 401 "" GET /api/remsim/v1/state
expect "GET /api/remsim/v1/state with a wrong token: 401" 401 "" GET /api/remsim/v1/state -H 'Authorization: Bearer wrong'
expect "GET /api/remsim/v1/state: empty lists" 200 '{"banks":[],"clients":[],"slotmaps":[]}' GET /api/remsim/v1/state "${AUTH[@]}"
expect "GET /api/remsim/v1/nope: 404 with a reason" 404 '{"error":"no such resource below /api/remsim/v1"}' GET /api/remsim/v1/nope "${AUTH[@]}"

spawn bank "$TBIN/server-load" -c "127.0.0.1:$P_RSPRO" -b 1 -s 8 -n 0 -t 600
BANK_PID=$SPAWNED_PID
spawn clients "$TBIN/server-load" -c "127.0.0.1:$P_RSPRO" -b 0 -n 3 -t 600
check "scripted bankd B1 and clients C0:0..C2:0 identified" \
	bash -c "$(declare -f wait_for wait_log); wait_log '$T/bank.log' '^READY' 10 && wait_log '$T/clients.log' '^READY' 10"

MAPREQ='{"bank":{"bankId":1,"slotNr":7},"client":{"clientId":0,"slotNr":0}}'
# (refused by the REST guard for every state-changing route: 400 for a form-like body)
expect "cross-site form (text/plain) POST /slotmaps: 400, nothing mapped" 400 - POST /api/remsim/v1/slotmaps "${AUTH[@]}" -H 'Content-Type: text/plain' --data-binary "$MAPREQ"
expect "cross-site form POST /reset: 400" 400 - POST /api/remsim/v1/reset "${AUTH[@]}" -H 'Content-Type: application/x-www-form-urlencoded' --data-binary 'confirm=true'
expect "POST from another Origin: 403" 403 - POST /api/remsim/v1/slotmaps "${AUTH[@]}" "${JSON[@]}" -H 'Origin: http://evil.example' --data-binary "$MAPREQ"
expect "POST /reset without confirm: 400 with the reason" 400 '{"error":"reset deletes every mapping: send {\"confirm\":true}"}' POST /api/remsim/v1/reset "${AUTH[@]}" "${JSON[@]}" --data-binary '{}'
expect "... nothing was mapped by those" 200 '{"slotmaps":[]}' GET /api/backend/v1/slotmaps "${AUTH[@]}"
expect "POST /slotmaps (same Origin): 201 with the new map" 201 \
	'{"bank":{"bankId":1,"slotNr":7},"client":{"clientId":0,"slotNr":0},"state":"UNACKNOWLEDGED"}' \
	POST /api/remsim/v1/slotmaps "${AUTH[@]}" "${JSON[@]}" -H "Origin: $URL" --data-binary "$MAPREQ"
expect "POST the same bank slot again: 400" 400 - \
	POST /api/remsim/v1/slotmaps "${AUTH[@]}" "${JSON[@]}" --data-binary '{"bank":{"bankId":1,"slotNr":7},"client":{"clientId":1,"slotNr":0}}'
check "... with the mapstore's reason as JSON" bash -c "grep -q '\"error\":\"map: bank slot B1:7 is already mapped (conflict)\"' '$T/body'"
check "... B1:7 ACTIVE (server-load answers the bankd's part)" wait_state 0:0 ACTIVE 5
expect "DELETE /slotmaps/B1:7: 200 with the map as it was" 200 \
	'{"bank":{"bankId":1,"slotNr":7},"client":{"clientId":0,"slotNr":0},"state":"ACTIVE"}' \
	DELETE /api/remsim/v1/slotmaps/B1:7 "${AUTH[@]}" "${JSON[@]}"
expect "DELETE it again: 404 with the reason" 404 '{"error":"unmap: no mapping for B1:7 (not_found)"}' \
	DELETE /api/remsim/v1/slotmaps/B1:7 "${AUTH[@]}" "${JSON[@]}"
expect "DELETE /slotmaps/7: 400 (name B or C)" 400 - DELETE /api/remsim/v1/slotmaps/7 "${AUTH[@]}" "${JSON[@]}"

# history: newest first, filters, paging with limit/offset
hist() { req GET "$URL/api/remsim/v1/history?$1" "${AUTH[@]}"; python3 -c "
import json,sys; h=json.load(open(sys.argv[1])); print(' '.join(e['event'] for e in h['events']), h['offset'], h['limit'], h['more'])" "$T/body"; }
ALL=$(hist 'client=C0:0')
check "GET /history?client=C0:0: released ... created, newest first ($ALL)" bash -c "[[ '$ALL' == released*deleted*created' 0 50 False' ]]"
P1=$(hist 'client=0:0&limit=2'); P2=$(hist 'client=0&limit=2&offset=2')
check "... paged: limit=2 then offset=2 continue the same list ($P1 | $P2)" \
	bash -c "[ '$(echo "$ALL" | cut -d' ' -f1-4)' = '$(echo "$P1" | cut -d' ' -f1-2) $(echo "$P2" | cut -d' ' -f1-2)' ] && [[ '$P1' == *' 0 2 True' ]]"
check "... a filter on another bank: no events" bash -c "[ '$(hist 'bank=B2:0')' = ' 0 50 False' ]"
check "... until before the events: none; since then: all" \
	bash -c "[ '$(hist 'client=C0:0&until=2000-01-01')' = ' 0 50 False' ] && [ '$(hist 'client=C0:0&since=-1%20hours')' = '$ALL' ]"
expect "GET /history?limit=0: 400" 400 - GET "/api/remsim/v1/history?limit=0" "${AUTH[@]}"
expect "GET /history?since=garbage: 400 with the reason" 400 '{"error":"history: history: cannot parse time '"'garbage'"' (usage)"}' GET "/api/remsim/v1/history?since=garbage" "${AUTH[@]}"

# --- the browser ---------------------------------------------------------------
DASH_LOG=$T/remsimd.log DASH_TOKEN=$TOKEN DASH_BANK_PID=$BANK_PID DASH_SERVER_PID=$REMSIMD_PID DASH_CTL="$BIN/remsim-ctl -e $CTL" \
	dashboard_py "$TOP/tests/integration/dashboard_browser.py" 2>"$T/browser.err"
rc=$?
[ "$rc" = 0 ] || { fail "browser driver exited with $rc"; sed 's/^/  /' "$T/browser.err" | tail -20; }

sanitizer_check
finish
