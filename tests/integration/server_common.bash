# SPDX-License-Identifier: GPL-2.0-or-later
# server_common.bash: helpers for tests/integration/server_*.sh (sourced
# after tests/lib/common.sh; not a test itself).
#
# The server role runs under remsimd on private ports and a private run dir:
# broker (RSPRO listener side "server" -> mapstore) + mapstore + rest.
# Bankds and clients are rspro-peer processes whose scripts are fed line by
# line through FIFOs, so a test can interleave the steps of several peers:
#     peer_open b1                    # connects to the server's RSPRO port
#     peer_do b1 "send connectBankReq bankid=1 slots=8" "expect connectBankRes result=ok"
# peer_do returns 0 when every line ran (the peer prints "mark N" after them),
# 1 when the peer failed a step or exited (its log: $T/NAME.log).  A FIFO peer
# answers PINGs only while it runs a step, so the configs use long keep-alive
# timers unless a test wants a keep-alive drop.

P_RSPRO=$(free_port)
P_REST=$(free_port)
RUN="$T/run"
CTL="ipc://$RUN/control"
DB="$T/state/server.db"

# server_cfg FILE [EXTRA broker SETTINGS...]: write a role config.
server_cfg() {
	local f=$1; shift
	cat >"$f" <<EOF
run_dir = "$RUN";
state_dir = "$T/state";
supervisor = { backoff_initial_ms = 100; backoff_max_ms = 500; restart_intensity = 20; restart_period_s = 10; };
actors = (
  { name = "broker"; program = "$BIN/broker"; },
  { name = "mapstore"; program = "$BIN/mapstore"; },
  { name = "rest"; program = "$BIN/rest"; }
);
broker = {
  listeners = ( { name = "rspro"; bind = "127.0.0.1"; port = $P_RSPRO; side = "server"; actor = "mapstore"; } );
  commands = { map = "mapstore"; unmap = "mapstore"; maps = "mapstore"; banks = "mapstore";
               clients = "mapstore"; history = "mapstore"; reset = "mapstore"; };
  keepalive_interval_ms = ${KA_INTERVAL:-600000};
  keepalive_timeout_ms = ${KA_TIMEOUT:-600000};
$(printf '  %s\n' "$@")
};
mapstore = {
  database = "@STATE_DIR@/server.db";
  identify_timeout_ms = ${IDENT_MS:-10000};
};
rest = { listen = "127.0.0.1:$P_REST"; timeout_ms = 2500; ${REST_EXTRA:-} };
EOF
}

# server_start CFG [NAME]: run remsimd on CFG, wait until the mapstore said hello
# and the REST actor listens.
server_start() {
	local name=${2:-remsimd}
	spawn "$name" "$BIN/remsimd" -c "$1"
	REMSIMD_PID=$SPAWNED_PID
	wait_log "$T/$name.log" 'mapstore .*welcome from broker' 15 &&
		wait_log "$T/$name.log" 'rest .*listening on' 10
}

# server_stop: SIGTERM remsimd, wait for it.
server_stop() {
	kill -TERM "$REMSIMD_PID" 2>/dev/null
	for _ in $(seq 1 100); do kill -0 "$REMSIMD_PID" 2>/dev/null || break; sleep 0.05; done
	wait "$REMSIMD_PID" 2>/dev/null
}

. "$TOP/tests/lib/peer.sh"
# peer_open NAME [RSPRO-PEER-ARGS...]: a FIFO-driven peer connected to the server
peer_open() { local n=$1; shift; peer_fifo_open "$n" -c "127.0.0.1:$P_RSPRO" "$@"; }

# bank_connect NAME BANKID [SLOTS]: a scripted bankd, identified (ok)
bank_connect() {
	peer_open "$1"
	peer_do "$1" "send connectBankReq bankid=$2 slots=${3:-8} name=bank$2" "expect connectBankRes result=ok"
}
# client_connect NAME C:S: a scripted client, identified (ok)
client_connect() {
	peer_open "$1"
	peer_do "$1" "send connectClientReq client=$2 name=modem" "expect connectClientRes result=ok"
}

# ctl JSON: one raw control request, reply on stdout.
ctl() { "$TBIN/zreq" -t 5000 "$CTL" "$1"; }
# rctl ARGS...: remsim-ctl against the role
rctl() { "$BIN/remsim-ctl" -e "$CTL" "$@"; }
# maps_json: the "maps" result, compact
maps_json() { rctl --json maps | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin),separators=(",",":")))'; }
# map_state C:S: the state of the map of client slot C:S ("" if none)
map_state() {
	rctl --json maps | python3 -c '
import json,sys
c=sys.argv[1].split(":")
for m in json.load(sys.stdin):
    if m["client"]["clientId"]==int(c[0]) and m["client"]["slotNr"]==int(c[1]): print(m["state"])' "$1"
}
# wait_state C:S STATE [SEC]
wait_state() { wait_for "${3:-5}" bash -c "[ \"\$(map_state_q $1)\" = $2 ]"; }
map_state_q() { map_state "$1"; }
export BIN TBIN CTL

# pid_of NAME: pid of an actor from the broker's status
pid_of() {
	ctl '{"cmd":"status"}' | python3 -c '
import json,sys
for a in json.load(sys.stdin)["result"]:
    if a["name"] == sys.argv[1]: print(a["pid"])' "$1"
}

export -f ctl rctl pid_of map_state map_state_q

# rss_kib PID
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null; }

