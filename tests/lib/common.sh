# SPDX-License-Identifier: GPL-2.0-or-later
# tests/lib/common.sh: shared helpers for integration test scripts.
# Source it at the top of tests/integration/*.sh:
#     . "$(dirname "$0")/../lib/common.sh"
# It gives each run a private temp dir ($T), kills (by PID, only the ones we
# started) every process registered with `spawn` on exit, hands out free
# loopback ports, and prints PASS:/FAIL:/SKIP: lines that tests/run.sh counts.
set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) BIN=$BUILD/bin; TBIN=$BUILD/tests/bin ;; *) BIN=$TOP/$BUILD/bin; TBIN=$TOP/$BUILD/tests/bin ;; esac
T=$(mktemp -d "${TMPDIR:-/tmp}/remsim-test.XXXXXX")
SPAWNED_PIDS=()
TEST_FAILS=0

cleanup_spawned() {
	local p
	for p in "${SPAWNED_PIDS[@]:-}"; do
		[ -n "$p" ] && kill -TERM "$p" 2>/dev/null
	done
	for p in "${SPAWNED_PIDS[@]:-}"; do
		[ -n "$p" ] || continue
		for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	if [ "${KEEP_TMP:-0}" = 1 ] || [ "$TEST_FAILS" != 0 ]; then
		echo "# logs kept in $T" >&2
	else
		rm -rf "$T"
	fi
}
trap cleanup_spawned EXIT
trap 'exit 130' INT TERM

# spawn NAME CMD...: start CMD in the background, stdout+stderr to $T/NAME.log;
# its PID is in $SPAWNED_PID and is killed on exit.
spawn() {
	local name=$1; shift
	"$@" >"$T/$name.log" 2>&1 &
	SPAWNED_PID=$!
	SPAWNED_PIDS+=("$SPAWNED_PID")
}

# free_port: a TCP port on 127.0.0.1 that nobody listens on right now.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; TEST_FAILS=$((TEST_FAILS + 1)); }
skip() { echo "SKIP: $*"; }
# check NAME CMD...: PASS if CMD succeeds, else FAIL
check() { local name=$1; shift; if "$@"; then pass "$name"; else fail "$name"; fi; }

# wait_for SECONDS CMD...: poll CMD every 50 ms until it succeeds; 1 on timeout
wait_for() {
	local limit=$1; shift
	local end=$((SECONDS + limit))
	while [ $SECONDS -le $end ]; do
		"$@" && return 0
		sleep 0.05
	done
	return 1
}

# wait_child PID SECONDS: wait for a child of this shell to exit, at most
# SECONDS (then it is killed); its exit status.  Unlike a poll loop it adds no
# wake-ups while it waits, so a benchmark can use it beside its measurement.
wait_child() {
	local pid=$1 dog who rc
	sleep "$2" &
	dog=$!
	wait -n -p who "$pid" "$dog"; rc=$?
	if [ "$who" = "$dog" ]; then
		kill -TERM "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		return 124
	fi
	kill "$dog" 2>/dev/null; wait "$dog" 2>/dev/null
	return $rc
}

# wait_log FILE REGEX [SECONDS]: wait until FILE has a line matching REGEX
wait_log() { wait_for "${3:-10}" grep -qsE "$2" "$1"; }	# -s: FILE may not exist yet

# sanitizer_check: SIGTERM every spawned process (so ASan/LSan report at
# exit), then FAIL if any log in $T holds a sanitizer report.
sanitizer_check() {
	local p
	for p in "${SPAWNED_PIDS[@]:-}"; do [ -n "$p" ] && kill -TERM "$p" 2>/dev/null; done
	for p in "${SPAWNED_PIDS[@]:-}"; do
		[ -n "$p" ] || continue
		for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
	done
	if grep -lE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$T"/*.log >"$T/san.txt" 2>/dev/null; then
		fail "sanitizer reports in: $(tr '\n' ' ' <"$T/san.txt")"
	else
		pass "no sanitizer reports at exit"
	fi
}

finish() { [ "$TEST_FAILS" = 0 ]; exit $?; }
