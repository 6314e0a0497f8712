# SPDX-License-Identifier: GPL-2.0-or-later
# tests/lib/peer.sh: scripted RSPRO peers (tests/tools/rspro-peer) driven
# step by step through a FIFO, so a test can interleave peer steps with its
# own checks.  Source after tests/lib/common.sh.
#   peer_fifo_open NAME ARGS...  start rspro-peer ARGS (e.g. -c HOST:PORT) reading $T/NAME.fifo
#   peer_do NAME LINE...         feed script lines; 0 once they ran, 1 if the peer failed
#   peer_feed NAME LINE...       feed lines without waiting
#   peer_close NAME              close the peer's connection, end the peer
#   peer_alive NAME
declare -A PFD PPID_OF
PMARK=0

peer_fifo_open() {
	local n=$1 fd; shift
	rm -f "$T/$n.fifo"
	mkfifo "$T/$n.fifo"
	exec {fd}<>"$T/$n.fifo"
	PFD[$n]=$fd
	spawn "$n" "$TBIN/rspro-peer" -t "${PEER_TIMEOUT:-5000}" "$@" -s "$T/$n.fifo"
	PPID_OF[$n]=$SPAWNED_PID
}

peer_do() {
	local n=$1 fd=${PFD[$1]} pid=${PPID_OF[$1]}; shift
	local l
	PMARK=$((PMARK + 1))
	for l in "$@"; do printf '%s\n' "$l" >&"$fd"; done
	printf 'mark %s\n' "$PMARK" >&"$fd"
	local end=$((SECONDS + ${PEER_WAIT:-30}))
	while [ $SECONDS -le $end ]; do
		grep -qx "mark $PMARK" "$T/$n.log" 2>/dev/null && return 0
		kill -0 "$pid" 2>/dev/null || { grep -qx "mark $PMARK" "$T/$n.log"; return $?; }
		sleep 0.05
	done
	return 1
}

# e.g. a long expect-silence that keeps a FIFO peer answering PINGs while others act
peer_feed() {
	local fd=${PFD[$1]}; shift
	local l
	for l in "$@"; do printf '%s\n' "$l" >&"$fd"; done
}

# The FIFO's write side is inherited by later children, so the peer would not
# see EOF by itself: it is killed once its close ran.
peer_close() {
	local n=$1 fd=${PFD[$1]} pid=${PPID_OF[$1]}
	PMARK=$((PMARK + 1))
	printf 'close\nmark %s\n' "$PMARK" >&"$fd" 2>/dev/null
	for _ in $(seq 1 60); do
		grep -qx "mark $PMARK" "$T/$n.log" 2>/dev/null && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	exec {fd}>&-
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

peer_alive() { kill -0 "${PPID_OF[$1]}" 2>/dev/null; }
