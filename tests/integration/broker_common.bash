# SPDX-License-Identifier: GPL-2.0-or-later
# broker_common.bash: helpers shared by tests/integration/broker_*.sh (sourced
# after tests/lib/common.sh; not a test itself).
PEER=(python3 "$TOP/tests/integration/broker_peer.py")
RUN="$T/run"
HUB="ipc://$RUN/hub"
CTL="ipc://$RUN/control"

# start_broker NAME CFG: spawn the broker, wait for its hub socket.
start_broker() {
	spawn "$1" "$BIN/broker" --config "$2"
	BROKER_PID=$SPAWNED_PID
	wait_log "$T/$1.log" 'ready: generation [0-9]*, hub' 10
}

# start_echo NAME [ARGS...]: spawn an echo actor, wait for its WELCOME.
start_echo() {
	local n=$1; shift
	local log="$T/echo-${n//\//_}.log"
	local before
	before=$(cat "$log" 2>/dev/null | grep -c 'welcome from broker')
	"$TBIN/echo-actor" --hub "$HUB" --name "$n" "$@" >>"$log" 2>&1 &
	SPAWNED_PID=$!
	SPAWNED_PIDS+=("$SPAWNED_PID")
	ECHO_PID=$SPAWNED_PID
	wait_for 10 welcomed_more "$log" "$before"
}
welcomed_more() { local n; n=$(grep -c 'welcome from broker' "$1" 2>/dev/null); [ "${n:-0}" -gt "$2" ]; }

# ctl JSON: one control request, reply on stdout.
ctl() { "$TBIN/zreq" -t 5000 "$CTL" "$1"; }

