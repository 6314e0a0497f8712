# SPDX-License-Identifier: GPL-2.0-or-later
# tests/lib/shelldrive.sh: run a client-shell (ours or osmo-remsim's) under
# tests/tools/shell-drive and talk to it (see the top of its main.c).
# Source after tests/lib/common.sh.
#   drive_start NAME [DRIVE-OPTS...] -- CMD...   start it; its commands go through the
#                                  fifo $T/NAME.in, its answers land in $T/NAME.out
#   drive_ready NAME [SEC]         wait for READY (card ATR seen); sets DRIVE_PID (the
#                                  shell's pid) and DRIVE_READY (the whole line); 1 on FAIL/timeout
#   drive_run NAME N HEX [SEC]     N round trips of HEX; DRIVE_DONE = the DONE line; 1 on failure
#   drive_stop NAME                EOF to the driver (the shell exits), wait for it
#   drive_val LINE KEY             the value of KEY=... in LINE
declare -A _DRIVE_FD _DRIVE_PID _DRIVE_RUNS

drive_start() {
	local name=$1 fd; shift
	rm -f "$T/$name.in"; mkfifo "$T/$name.in"
	: >"$T/$name.out"
	"$TBIN/shell-drive" "$@" <"$T/$name.in" >"$T/$name.out" 2>"$T/$name.log" &
	_DRIVE_PID[$name]=$!
	SPAWNED_PIDS+=("$!")
	exec {fd}>"$T/$name.in"
	_DRIVE_FD[$name]=$fd
	_DRIVE_RUNS[$name]=0
}

drive_ready() {
	local name=$1
	wait_log "$T/$name.out" '^(READY|FAIL)' "${2:-30}" || return 1
	DRIVE_READY=$(grep -m1 '^READY' "$T/$name.out") || return 1
	DRIVE_PID=$(drive_val "$DRIVE_READY" pid)
}

drive_run() {
	local name=$1 n=$2 hex=$3 k
	k=$((_DRIVE_RUNS[$name] + 1))
	_DRIVE_RUNS[$name]=$k
	echo "run $n $hex" >&"${_DRIVE_FD[$name]}"
	_drive_n() { [ "$(grep -cE '^(DONE|FAIL)' "$T/$1.out")" -ge "$2" ]; }
	wait_for "${4:-300}" _drive_n "$name" "$k" || return 1
	DRIVE_DONE=$(grep -E '^(DONE|FAIL)' "$T/$name.out" | sed -n "${k}p")
	[ "${DRIVE_DONE%% *}" = DONE ]
}

drive_stop() {
	local name=$1 p=${_DRIVE_PID[$1]:-} fd=${_DRIVE_FD[$1]:-}
	[ -n "$fd" ] && exec {fd}>&-
	unset "_DRIVE_FD[$name]"
	[ -n "$p" ] || return 0
	for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
	kill -TERM "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	return 0
}

drive_val() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<" $1"; }
