# SPDX-License-Identifier: GPL-2.0-or-later
# tests/lib/http.sh: HTTP checks with curl for the REST tests.  Source after
# tests/lib/common.sh and set URL (the API base, e.g.
# http://127.0.0.1:9997/api/backend/v1).
#   req METHOD URL [curl args...]      sets CODE, CTYPE, BODY
#   expect NAME CODE BODY METHOD PATH [curl args...]
#       request $URL$PATH; PASS if the status is CODE and the body is BODY
#       ("-": not checked, "": must be empty; a non-empty BODY must match
#       byte for byte and come as Content-Type: application/json)

req() {
	local m=$1 u=$2; shift 2
	local out
	out=$(curl -s -o "$T/body" -w '%{http_code} %{content_type}' --max-time 15 -X "$m" "$@" "$u")
	CODE=${out%% *}
	CTYPE=${out#* }
	BODY=$(cat "$T/body")
}

expect() {
	local name=$1 code=$2 body=$3 m=$4 p=$5; shift 5
	req "$m" "$URL$p" "$@"
	if [ "$CODE" != "$code" ]; then
		fail "$name: HTTP $CODE, expected $code (body: $BODY)"
	elif [ "$body" != "-" ] && [ "$BODY" != "$body" ]; then
		fail "$name: body '$BODY', expected '$body'"
	elif [ -n "$body" ] && [ "$body" != "-" ] && [ "$CTYPE" != "application/json" ]; then
		fail "$name: Content-Type '$CTYPE'"
	else
		pass "$name"
	fi
}
