# SPDX-License-Identifier: GPL-2.0-or-later
# tests/lib/shelldrive.sh: run a client-shell (ours or osmo-remsim's) under
# tests/tools/shell-drive and talk to it (see the top of its main.c).
# Source after tests/lib/common.sh.
#   drive_start NAME [DRIVE-OPTS...] -- CMD...   start it; its commands go through the
#                                  fifo $T/NAME.in, its answers through the fifo
#                                  $T/NAME.ans (copied to $T/NAME.out as they are read)
#   drive_ready NAME [SEC]         wait for READY (card ATR seen); sets DRIVE_PID (the
#                                  shell's pid) and DRIVE_READY (the whole line); 1 on FAIL/timeout
#   drive_run NAME N HEX [SEC]     N round trips of HEX; DRIVE_DONE = the DONE line; 1 on failure
#   drive_stop NAME                EOF to the driver (the shell exits), wait for it
#   drive_val LINE KEY             the value of KEY=... in LINE
declare -A _DRIVE_FD _DRIVE_RFD _DRIVE_PID

# The driver's answers come through a fifo that the waiting functions read
# with a blocking `read -t` (and copy to $T/NAME.out): a benchmark round is
# not disturbed by a poll loop forking grep every 50 ms beside it (such a
# loop hit 2-3 APDUs every ~53 ms, i.e. most of a round's p99).
drive_start() {
	local name=$1 fd rfd; shift
	rm -f "$T/$name.in" "$T/$name.ans"; mkfifo "$T/$name.in" "$T/$name.ans"
	: >"$T/$name.out"
	exec {rfd}<>"$T/$name.ans"	# read-write: opening does not wait for the writer
	_DRIVE_RFD[$name]=$rfd
	"$TBIN/shell-drive" "$@" <"$T/$name.in" >"$T/$name.ans" 2>"$T/$name.log" &
	_DRIVE_PID[$name]=$!
	SPAWNED_PIDS+=("$!")
	exec {fd}>"$T/$name.in"
	_DRIVE_FD[$name]=$fd
}

# _drive_line NAME REGEX SEC: read answers (copying each to $T/NAME.out) until one
# matches REGEX; it is left in _DRIVE_LINE.  1 on timeout, or at once when the
# driver has exited and said nothing more (checked once a second with the
# builtin kill: no fork beside a round).
_drive_line() {
	local name=$1 re=$2 end=$((SECONDS + $3)) rc
	while [ "$SECONDS" -lt "$end" ]; do
		IFS= read -r -t 1 -u "${_DRIVE_RFD[$name]}" _DRIVE_LINE; rc=$?
		if [ "$rc" -gt 128 ]; then	# nothing within a second
			kill -0 "${_DRIVE_PID[$name]}" 2>/dev/null && continue
			IFS= read -r -t 0.2 -u "${_DRIVE_RFD[$name]}" _DRIVE_LINE || return 1
		elif [ "$rc" != 0 ]; then
			return 1
		fi
		printf '%s\n' "$_DRIVE_LINE" >>"$T/$name.out"
		[[ $_DRIVE_LINE =~ $re ]] && return 0
	done
	return 1
}

drive_ready() {
	local name=$1
	_drive_line "$name" '^(READY|FAIL)' "${2:-30}" || return 1
	[[ $_DRIVE_LINE == READY* ]] || return 1
	DRIVE_READY=$_DRIVE_LINE
	DRIVE_PID=$(drive_val "$DRIVE_READY" pid)
}

drive_run() {
	local name=$1 n=$2 hex=$3
	echo "run $n $hex" >&"${_DRIVE_FD[$name]}"
	DRIVE_DONE="FAIL no answer within ${4:-300} s"
	_drive_line "$name" '^(DONE|FAIL)' "${4:-300}" || return 1
	DRIVE_DONE=$_DRIVE_LINE
	[ "${DRIVE_DONE%% *}" = DONE ]
}

drive_stop() {
	local name=$1 p=${_DRIVE_PID[$1]:-} fd=${_DRIVE_FD[$1]:-} rfd=${_DRIVE_RFD[$1]:-} l
	[ -n "$fd" ] && exec {fd}>&-	# EOF: the driver closes the shell's stdin, waits, exits
	[ -n "$p" ] && wait_child "$p" 5
	if [ -n "$rfd" ]; then
		# what it said last (e.g. a FAIL at exit) still goes to $T/NAME.out
		while read -r -t 0 -u "$rfd" && IFS= read -r -t 0.2 -u "$rfd" l; do
			printf '%s\n' "$l" >>"$T/$name.out"
		done
		exec {rfd}<&-
	fi
	unset "_DRIVE_FD[$name]" "_DRIVE_RFD[$name]" "_DRIVE_PID[$name]"
	return 0
}

drive_val() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<" $1"; }
