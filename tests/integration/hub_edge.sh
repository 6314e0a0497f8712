#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# hub_edge.sh: no message is ever left waiting on a hub socket.  The hub's
# sockets (hubsock.h) hand out messages already read from the kernel without
# their fd saying so, and skip a look into the kernel right after a message
# when the last look read it dry; with libzmq sockets a send could silence
# ZMQ_FD while a message arrived (evloop.h).  Either way a handler that
# stops reading too early strands a message.  Here
# the echo actor echoes from a timer (--defer-ms 1), so its sends happen
# while RECVs arrive, and four TCP peers at once send bursts and single
# frames, so the broker's hub sends (from TCP reads) race the actor's SENDs.
# A stranded message would stall its peer (5 s read timeout per frame); every
# PDU must come back, in order, and the actor's count must be exact.  A second
# actor answers at once (the ordinary path) under the same load.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/broker_common.bash"

P_DEF=$(free_port)
P_NOW=$(free_port)
cat >"$T/role.cfg" <<EOF
run_dir = "$RUN";
broker = {
  listeners = (
    { name = "def"; bind = "127.0.0.1"; port = $P_DEF; side = "bankd"; actor = "echo-def"; },
    { name = "now"; bind = "127.0.0.1"; port = $P_NOW; side = "bankd"; actor = "echo-now"; }
  );
  commands = { echo-count = "echo-def"; };
};
EOF

check "broker starts" start_broker broker "$T/role.cfg"
check "deferring echo actor gets WELCOME" start_echo echo-def --quiet --defer-ms 1
check "immediate echo actor gets WELCOME" start_echo echo-now --quiet

# each peer: 150 one by one, 4 bursts of 100, 50 one by one = 600 PDUs
OPS=(echo:150 coalesce:100 coalesce:100 coalesce:100 coalesce:100 echo:50)
peers=()
for i in 1 2 3 4; do
	spawn "pdef$i" "${PEER[@]}" --port "$P_DEF" "${OPS[@]}"
	peers+=("$SPAWNED_PID")
	spawn "pnow$i" "${PEER[@]}" --port "$P_NOW" "${OPS[@]}"
	peers+=("$SPAWNED_PID")
done
for p in "${peers[@]}"; do wait "$p"; done

all_ok() {
	local f
	for f in "$T"/$1[1-4].log; do grep -q '^OK echo:50' "$f" || { tail -n 3 "$f"; return 1; }; done
}
check "timer echoes: 4 peers x 600 PDUs all came back in order" all_ok pdef
check "immediate echoes: 4 peers x 600 PDUs all came back in order" all_ok pnow
ctl '{"cmd":"echo-count"}' >"$T/count.out"
check "the deferring actor echoed exactly 2400 PDUs" grep -qE '"echoed":2400[,}]' "$T/count.out"
check "no PDU dropped by the broker" bash -c "! grep -q 'dropped' '$T/broker.log'"
sanitizer_check
finish
