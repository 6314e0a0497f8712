#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# broker_echo.sh: RSPRO frames from a TCP peer go through the broker to the
# echo actor and back (whole, split octet by octet, coalesced); kill -9 of the
# actor and a restart under the same name keep the peer's TCP connection and
# the stored metadata; the same through remsimd when it is built.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/broker_common.bash"

P_BK=$(free_port)
P_SRV=$(free_port)
cat >"$T/role.cfg" <<EOF
run_dir = "$RUN";
broker = {
  listeners = (
    { name = "bk";  bind = "127.0.0.1"; port = $P_BK;  side = "bankd";  actor = "echo"; },
    { name = "srv"; bind = "127.0.0.1"; port = $P_SRV; side = "server"; actor = "echo"; }
  );
  commands = { echo-count = "echo"; echo-meta = "echo"; echo-conns = "echo";
               echo-tell = "echo"; echo-told = "echo"; };
  keepalive_interval_ms = 200;
  keepalive_timeout_ms = 1000;
};
EOF

check "broker starts" start_broker broker "$T/role.cfg"
check "echo actor gets WELCOME" start_echo echo

"${PEER[@]}" --port "$P_BK" echo:20 >"$T/p1.out" 2>&1
check "bankd side: 20 PDUs echoed one by one" grep -q '^OK echo:20' "$T/p1.out"
"${PEER[@]}" --port "$P_BK" split:5 >"$T/p2.out" 2>&1
check "frames written octet by octet are reassembled" grep -q '^OK split:5' "$T/p2.out"
"${PEER[@]}" --port "$P_BK" coalesce:200 >"$T/p3.out" 2>&1
check "200 coalesced frames come back in order" grep -q '^OK coalesce:200' "$T/p3.out"
"${PEER[@]}" --port "$P_SRV" echo:10 coalesce:20 alive:0.7 pings:3 >"$T/p4.out" 2>&1
check "server side: echo with keep-alive PINGs interleaved" grep -q '^OK pings:3' "$T/p4.out"

# --- kill -9 of the actor while the peer stays connected ---------------------
spawn peer5 "${PEER[@]}" --port "$P_BK" echo:5 touch:"$T/phase1" wait:"$T/phase2":30 echo:5 alive:0.3
PEER5=$SPAWNED_PID
wait_for 10 test -e "$T/phase1"
ctl '{"cmd":"echo-meta","args":["identity-C23:0"]}' >"$T/meta.out"
check "metadata stored on the connection" grep -q '"ok":true' "$T/meta.out"
kill -9 "$ECHO_PID"
wait "$ECHO_PID" 2>/dev/null
sleep 0.2
check "restarted actor gets WELCOME listing its connection" start_echo echo
check "restored connection reported with its metadata" \
	grep -qE 'up \(listen:bk\) restored meta=identity-C23:0' "$T/echo-echo.log"
ctl '{"cmd":"echo-conns"}' >"$T/conns.out"
check "echo-conns shows the restored metadata" grep -q 'identity-C23:0' "$T/conns.out"
touch "$T/phase2"
wait "$PEER5"
check "traffic resumes on the same TCP connection after the restart" grep -q '^pings' "$T/peer5.log"
only_peer_closes() { ! grep -E 'closed: ' "$T/broker.log" | grep -vq 'peer closed the connection'; }
check "the broker never closed a connection itself" only_peer_closes

ctl '{"cmd":"echo-count"}' >"$T/count.out"
check "echo-count answered by the new actor" grep -qE '"echoed":5[,}]' "$T/count.out"

# --- messages between actors (TELL/TOLD) ----------------------------------------
ECHO1_PID=$ECHO_PID
check "second actor gets WELCOME" start_echo echo2
ECHO_PID=$ECHO1_PID
ctl '{"cmd":"echo-tell","args":["echo2","ping:hello"]}' >"$T/tell.out"
check "TELL accepted" grep -q '"result":0' "$T/tell.out"
told_pong() { ctl '{"cmd":"echo-told"}' | grep -q '"result":"echo2 pong:hello"'; }
check "TELL reaches echo2 and its answer comes back as TOLD" wait_for 5 told_pong
ctl '{"cmd":"echo-tell","args":["nobody","x"]}' >/dev/null
check "TELL to an actor that is not connected is dropped and logged" \
	wait_log "$T/broker.log" 'message from echo to nobody dropped: not connected' 5

# --- the broker itself restarts under a running actor ---------------------------
kill -9 "$BROKER_PID"
wait "$BROKER_PID" 2>/dev/null
check "broker restarts on the same endpoints" start_broker broker2 "$T/role.cfg"
sleep 0.3	# the actor's DEALER reconnects on its own
"${PEER[@]}" --port "$P_BK" echo:3 >"$T/p7.out" 2>&1
check "after a broker restart the actor serves new connections at once" grep -q '^OK echo:3' "$T/p7.out"
check "the actor was asked to say hello again and was welcomed" \
	wait_log "$T/broker2.log" 'welcomed echo with' 5
ctl '{"cmd":"echo-count"}' >"$T/count2.out"
check "control routed to the actor again" grep -q '"ok":true' "$T/count2.out"

# --- the same through remsimd, when it exists --------------------------------
if [ -x "$BIN/remsimd" ]; then
	P_SUP=$(free_port)
	RUN2="$T/run2"
	cat >"$T/sup.cfg" <<EOF
run_dir = "$RUN2";
supervisor = { backoff_initial_ms = 100; backoff_max_ms = 500; restart_intensity = 10; restart_period_s = 10; };
actors = (
  { name = "broker"; program = "$BIN/broker"; },
  { name = "echo"; program = "$TBIN/echo-actor"; }
);
broker = {
  listeners = ( { name = "bk"; bind = "127.0.0.1"; port = $P_SUP; side = "bankd"; actor = "echo"; } );
  commands = { echo-count = "echo"; };
};
EOF
	spawn remsimd "$BIN/remsimd" -c "$T/sup.cfg"
	wait_for 15 grep -q 'welcome from broker' "$T/remsimd.log"
	spawn peer6 "${PEER[@]}" --port "$P_SUP" echo:3 touch:"$T/s1" wait:"$T/s2":30 echo:3
	PEER6=$SPAWNED_PID
	wait_for 10 test -e "$T/s1"
	EPID=$("$TBIN/zreq" "ipc://$RUN2/control" '{"cmd":"status"}' | python3 -c '
import json,sys
for a in json.load(sys.stdin)["result"]:
    if a["name"] == "echo": print(a["pid"])')
	if [ -n "$EPID" ] && kill -9 "$EPID" 2>/dev/null; then
		wait_for 10 bash -c "[ \$(grep -c 'welcome from broker' '$T/remsimd.log') -ge 2 ]"
		check "remsimd: echo actor restarted and welcomed again" \
			bash -c "[ \$(grep -c 'welcome from broker' '$T/remsimd.log') -ge 2 ]"
		touch "$T/s2"
		wait "$PEER6"
		check "remsimd: peer connection survived the actor's restart" grep -q '^OK echo:3' <(tail -n 2 "$T/peer6.log")
		"$TBIN/zreq" "ipc://$RUN2/control" '{"cmd":"status"}' >"$T/st.out"
		check "remsimd: status shows the restart" grep -qE '"name":"echo","pid":[0-9]+,"state":"running","restarts":1' "$T/st.out"
	else
		fail "remsimd: could not find the echo actor's pid in status"
	fi
else
	skip "remsimd not built: supervised variant"
fi
sanitizer_check
finish
