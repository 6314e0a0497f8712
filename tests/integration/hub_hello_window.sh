#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# hub_hello_window.sh: a connection handed over (BIND, with its first PDU) to
# an actor that is connected to the hub but has not said HELLO yet (a
# restarted reader in the moment between connecting and its hello) is kept
# for that hello: the actor gets WELCOME first, then the PDU, and nothing
# before WELCOME that it would throw away.  The TCP peer gets every echo.
# Deterministic: late-actor connects at once and says hello only when the
# test lets it, after the broker has logged that it kept the hand-over.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/broker_common.bash"

P_BK=$(free_port)
cat >"$T/role.cfg" <<EOF2
run_dir = "$RUN";
broker = {
  listeners = ( { name = "bk"; bind = "127.0.0.1"; port = $P_BK; side = "bankd"; actor = "disp"; } );
};
EOF2

check "broker starts" start_broker broker "$T/role.cfg"
check "dispatcher (echo-actor --bind-to late) gets WELCOME" start_echo disp --bind-to late
spawn late "$TBIN/late-actor" --hub "$HUB" --name late --go "$T/go" --pdus 3
LATE=$SPAWNED_PID
check "late actor connected to the hub, no hello yet" \
	wait_log "$T/late.log" 'connected: not saying hello until' 10

spawn peer "${PEER[@]}" --port "$P_BK" echo:3
PEER_PID=$SPAWNED_PID
check "dispatcher handed the connection over with its first PDU" \
	wait_log "$T/echo-disp.log" 'handed over to late with its first PDU' 10
check "broker keeps the UP for the hello of the connected actor" \
	wait_log "$T/broker.log" 'late has not said hello yet: UP kept for its hello' 10
check "broker keeps the first PDU for that hello" \
	wait_log "$T/broker.log" 'late has not said hello yet: PDU kept for its hello' 10
touch "$T/go"
wait "$PEER_PID"; prc=$?
check "the TCP peer got all 3 echoes (rc=$prc)" grep -q '^OK echo:3' "$T/peer.log"
wait "$LATE"; lrc=$?
check "late actor echoed 3 PDUs and exited 0 (rc=$lrc)" [ "$lrc" = 0 ]
check "late actor got WELCOME" grep -q 'welcome: generation' "$T/late.log"
check "nothing reached it before WELCOME (no UP/RECV thrown away)" \
	bash -c "! grep -q 'before WELCOME' '$T/late.log'"
first_recv_after_welcome() {
	awk '/welcome: generation/ {w=NR} /recv conn/ && !r {r=NR} END {exit !(w && r && w < r)}' "$T/late.log"
}
check "the handed-over PDU came after WELCOME" first_recv_after_welcome
finish
