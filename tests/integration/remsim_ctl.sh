#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# remsim_ctl.sh: remsim-ctl against a running role.  The role is remsimd with
# tests/tools/fake-hub as its broker (it answers status/maps/banks/history on
# the control socket and refuses the rest); with the real build/bin/broker a
# status round trip is tried too.  Covers: the status table, --json, the
# generic printers, REMSIM_CTL_ENDPOINT, refusal (exit 1), usage errors
# (exit 2), nothing listening / no answer (exit 3), CURVE over tcp.
. "$(dirname "$0")/../lib/common.sh"

CTL=$BIN/remsim-ctl
for b in "$CTL" "$BIN/remsimd" "$TBIN/fake-hub" "$TBIN/crashy-actor"; do
	[ -x "$b" ] || { fail "missing $b (build first)"; finish; }
done

RUN=$T/run
EP=ipc://$RUN/control
cat >"$T/role.cfg" <<CFG
supervisor: { restart_intensity = 1; restart_period_s = 30; backoff_initial_ms = 100; stop_timeout_ms = 1000; };
actors = (
  { name = "broker"; program = "$TBIN/fake-hub"; args = [ "--control", "ipc://@RUN_DIR@/control" ]; },
  { name = "reader"; program = "$TBIN/crashy-actor"; count = 2; },
  { name = "flaky"; program = "$TBIN/crashy-actor"; args = [ "--exit-after", "30" ]; }
);
CFG
spawn remsimd "$BIN/remsimd" -c "$T/role.cfg" -r "$RUN"

# run CMD..., capturing stdout/stderr/rc into OUT/ERR/RC
run() { "$@" >"$T/out" 2>"$T/err"; RC=$?; OUT=$(cat "$T/out"); ERR=$(cat "$T/err"); }

flaky_failed() { "$CTL" -e "$EP" status 2>/dev/null | grep -q '^flaky .* failed'; }
wait_for 15 flaky_failed || fail "flaky never shown as failed"

# --- status ----------------------------------------------------------------
run "$CTL" -e "$EP" status
check "status: exit 1 (an actor, flaky, has failed)" [ "$RC" = 1 ]
check "status: ... said on stderr" grep -q 'an actor of the role has failed' <<<"$ERR"
check "status: header" grep -qE '^NAME +PID +STATE +RESTARTS +UPTIME +LAST EXIT$' <<<"$OUT"
check "status: reader/1 running with a pid" grep -qE '^reader/1 +[0-9]+ +running +0 ' <<<"$OUT"
check "status: flaky failed, 1 restart, last exit shown" \
	grep -qE '^flaky +- +failed +1 +- +restart intensity exceeded.*exit status 1$' <<<"$OUT"
check "status: 4 rows" [ "$(wc -l <<<"$OUT")" = 5 ]

run "$CTL" -e "$EP" --json status
check "--json status: exit 1 (flaky failed)" [ "$RC" = 1 ]
check "--json status: array of {name,pid,state,restarts,last_exit,uptime_s}" python3 -c '
import json, sys
r = json.loads(sys.argv[1])
assert isinstance(r, list) and len(r) == 4, r
byname = {e["name"]: e for e in r}
for e in r:
    assert set(e) >= {"name", "pid", "state", "restarts", "last_exit", "uptime_s"}, e
assert byname["reader/0"]["state"] == "running" and byname["reader/0"]["pid"] > 0
assert byname["flaky"]["state"] == "failed" and byname["flaky"]["restarts"] == 1
' "$OUT"

run env REMSIM_CTL_ENDPOINT="$EP" "$CTL" status
check "REMSIM_CTL_ENDPOINT is used" [ -n "$(grep '^broker ' <<<"$OUT")" ]

# --- pass-through commands and the generic printers ----------------------------
run "$CTL" -e "$EP" maps
check "maps: array of objects printed as a table" \
	[ "$RC" = 0 -a "$(head -n1 <<<"$OUT" | tr -s ' ')" = "CLIENT BANK STATE" -a -n "$(grep -E '^3:0 +1:5 +active$' <<<"$OUT")" ]
run "$CTL" -e "$EP" banks
check "banks: object printed as key: value" [ "$RC" = 0 -a -n "$(grep -x 'bank_id: 1' <<<"$OUT")" -a -n "$(grep -x 'address: 127.0.0.1:9999' <<<"$OUT")" ]
run "$CTL" -e "$EP" --json history 3:0 17
check "args and json flag reach the role as strings" \
	python3 -c 'import json,sys; r=json.loads(sys.argv[1]); assert r=={"args":["3:0","17"],"json":True}, r' "$OUT"

run "$CTL" -e "$EP" clients
check "refused by the role: exit 1" [ "$RC" = 1 ]
check "refused: the role's error is printed" grep -q "clients: unknown command 'clients'" <<<"$ERR"

# --- usage errors --------------------------------------------------------------
run "$CTL" -e "$EP"; check "no command: exit 2" [ "$RC" = 2 ]
run "$CTL" -e "$EP" frobnicate; check "unknown command: exit 2" [ "$RC" = 2 -a -n "$(grep frobnicate <<<"$ERR")" ]
run "$CTL" -e "$EP" map 3:0; check "map with one arg: exit 2 with its usage" [ "$RC" = 2 -a -n "$(grep 'map CLIENT:SLOT BANK:SLOT' <<<"$ERR")" ]
run "$CTL" -e "$EP" status extra; check "status with an arg: exit 2" [ "$RC" = 2 ]
run "$CTL" -t abc status; check "bad timeout: exit 2" [ "$RC" = 2 ]
run "$CTL" --bogus status; check "unknown option: exit 2" [ "$RC" = 2 ]
run "$CTL" -e tcp://127.0.0.1:1 status; check "tcp without CURVE keys: exit 2" [ "$RC" = 2 -a -n "$(grep curve <<<"$ERR")" ]
run "$CTL" --help
check "--help: exit 0, lists every command and exit code" \
	[ "$RC" = 0 -a "$(grep -cE '^  (status|map|unmap|maps|clients|banks|history|reset) ' <<<"$OUT")" = 8 -a -n "$(grep '3 role not running' <<<"$OUT")" ]

# --- nothing listening ------------------------------------------------------------
run "$CTL" -e "ipc://$T/nowhere/control" status
check "no socket: exit 3 naming the endpoint" [ "$RC" = 3 -a -n "$(grep "ipc://$T/nowhere/control" <<<"$ERR")" ]
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.close()' "$T/stale.sock"
t0=$SECONDS
run "$CTL" -e "ipc://$T/stale.sock" -t 500 status
check "stale socket: exit 3 after the timeout, saying so" [ "$RC" = 3 -a -n "$(grep "no reply from ipc://$T/stale.sock within 500 ms" <<<"$ERR")" ]
check "stale socket: bounded by -t" [ $((SECONDS - t0)) -le 3 ]

# --- CURVE over tcp ----------------------------------------------------------------
"$TBIN/fake-hub" --make-cert "$T/server.cert" && "$TBIN/fake-hub" --make-cert "$T/client.cert"
PORT=$(free_port)
spawn curvehub "$TBIN/fake-hub" --hub "ipc://$T/curvehub" --control "tcp://127.0.0.1:$PORT" --curve-cert "$T/server.cert"
wait_log "$T/curvehub.log" 'fake-hub up' 5
run "$CTL" -e "tcp://127.0.0.1:$PORT" --curve-server-key "$T/server.cert" --curve-client-cert "$T/client.cert" -t 2000 maps
check "CURVE: round trip over tcp" [ "$RC" = 0 -a -n "$(grep '^4:1 ' <<<"$OUT")" ]
"$TBIN/fake-hub" --make-cert "$T/other.cert"
run "$CTL" -e "tcp://127.0.0.1:$PORT" --curve-server-key "$T/other.cert" --curve-client-cert "$T/client.cert" -t 500 maps
check "CURVE: wrong server key -> no answer, exit 3" [ "$RC" = 3 ]
run "$CTL" -e "tcp://127.0.0.1:$PORT" --curve-server-key "$T/server.cert" --curve-client-cert "$T/client.cert_secret.missing" maps
check "CURVE: unreadable client cert -> exit 2" [ "$RC" = 2 ]

# --- the real broker, once it exists ------------------------------------------------
if [ -x "$BIN/broker" ]; then
	RUN2=$T/run2
	cat >"$T/real.cfg" <<CFG
actors = (
  { name = "broker"; program = "broker"; },
  { name = "reader"; program = "$TBIN/crashy-actor"; count = 1; }
);
CFG
	spawn remsimd-real "$BIN/remsimd" -c "$T/real.cfg" -r "$RUN2"
	reader_up() { "$CTL" -e "ipc://$RUN2/control" -t 500 --json status 2>/dev/null | grep -q '"reader/0"'; }
	if wait_for 10 reader_up; then
		run "$CTL" -e "ipc://$RUN2/control" status
		check "real broker: status table lists reader/0 running" grep -qE '^reader/0 +[0-9]+ +running' <<<"$OUT"
	else
		run "$CTL" -e "ipc://$RUN2/control" -t 500 status
		skip "real broker: status not answered yet (rc $RC: $ERR)"
	fi
else
	skip "real broker: $BIN/broker not built yet"
fi

finish
