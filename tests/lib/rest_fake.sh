# SPDX-License-Identifier: GPL-2.0-or-later
# tests/lib/rest_fake.sh: the REST actor against fake-mapstore, for the REST
# tests.  Source after tests/lib/common.sh; sets REST, FAKE, API (and ends the
# test when a binary or curl is missing).
#   start_fake NAME ARGS...   fake-mapstore on ipc://$T/NAME.sock
#   start_rest NAME ARGS...   REST actor on 127.0.0.1:free port; PORT, URL, REST_PID
#   last_req NAME / check_req TEST FAKE EXPECTED   control requests the fake got

REST=$BIN/rest
FAKE=$TBIN/fake-mapstore
for b in "$REST" "$FAKE"; do
	[ -x "$b" ] || { fail "missing $b (build first)"; finish; }
done
command -v curl >/dev/null || { skip "curl not installed"; finish; }
API=/api/backend/v1

INSTANCES=()	# NAME:PID of every REST actor and fake-mapstore started

# start_fake NAME ARGS...: fake-mapstore on ipc://$T/NAME.sock
start_fake() {
	local name=$1; shift
	spawn "$name" "$FAKE" --bind "ipc://$T/$name.sock" "$@"
	INSTANCES+=("$name:$SPAWNED_PID")
	wait_log "$T/$name.log" '^READY' 10 2>/dev/null || fail "$name did not start"
}

# start_rest NAME ARGS...: REST actor on a free port; sets PORT and URL
start_rest() {
	local name=$1; shift
	PORT=$(free_port)
	URL=http://127.0.0.1:$PORT$API
	spawn "$name" "$REST" --listen "127.0.0.1:$PORT" "$@"
	REST_PID=$SPAWNED_PID
	INSTANCES+=("$name:$SPAWNED_PID")
	wait_log "$T/$name.log" 'listening on' 10 2>/dev/null || fail "$name did not start"
}

# last_req NAME: the last control request fake NAME received
last_req() { grep '^REQ ' "$T/$1.log" | tail -n 1 | cut -c5-; }

check_req() {	# TEST FAKE EXPECTED
	local got
	got=$(last_req "$2")
	if [ "$got" = "$3" ]; then pass "$1"; else fail "$1: control request '$got', expected '$3'"; fi
}
