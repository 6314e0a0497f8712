# SPDX-License-Identifier: GPL-2.0-or-later
# tests/lib/pcscd.sh: a private pcscd with vpcd readers and virtual SIM cards
# for integration tests (see docs/testing-pcsc.md and vpcd's reader.conf).
# Source it after tests/lib/common.sh:
#     . "$(dirname "$0")/../lib/common.sh"
#     . "$(dirname "$0")/../lib/pcscd.sh"
#     pcscd_available || { skip "no pcscd/vpcd"; finish; }
#     pcscd_start 2 || { fail "pcscd start"; finish; }
#     vcard_start 0; pcsc_wait_card 0
#     pcsc_apdu 0 a0a40000023f00          # -> 9f17
#
# pcscd runs in a private mount namespace where our own directory is mounted
# over /run/pcscd (pcscd 1.9.9 ignores PCSCLITE_CSOCK_NAME), so its socket and
# pid file are ours; clients find it through PCSCLITE_CSOCK_NAME, which
# pcscd_start exports.  The system pcscd and /run/pcscd are never touched.
#
# One vpcd driver instance has exactly 2 slots and keeps them in global
# state, so a second vpcd entry in the same pcscd would share (and corrupt)
# the first one's slots: a private pcscd offers 1 or 2 readers, named
# "Virtual PCD 00 00" and "Virtual PCD 00 01", on ports VPCD_BASE_PORT and
# VPCD_BASE_PORT+1 (both are bound by pcscd even when only 1 is asked for).
#
# Exported after pcscd_start N:
#   PCSCLITE_CSOCK_NAME   socket of the private pcscd (for every PC/SC client)
#   PCSCD_PID PCSCD_LOG   the daemon (PID of pcscd itself) and its log
#   PCSC_DIR              private directory (run/, conf/)
#   PCSC_NREADERS         N
#   PCSC_READER_i         reader name of reader i (i = 0..N-1)
#   VPCD_PORT_i           vpcd TCP port of reader i (the vcard connects there)
#   bash arrays (not exported): PCSC_READERS, VPCD_PORTS, VCARD_PIDS
# Functions:
#   pcscd_available              0 if pcscd, the vpcd driver, unshare and our tools are usable
#   pcscd_start N                start the private pcscd (N = 1 or 2), wait until ready
#   pcscd_stop                   SIGTERM, wait for exit
#   pcscd_kill                   SIGKILL (crash), wait for exit
#   pcscd_restart                start again on the same ports and directory
#   pcscd_spawn NAME RUN CONF    one more private pcscd (other drivers; see below)
#   vcard_start IDX [OPTS...]    spawn a vcard for reader IDX (log $T/vcardIDX.log)
#   vcard_remove IDX / vcard_insert IDX   SIGUSR1 / SIGUSR2 (card out / in)
#   vcard_stop IDX               SIGTERM, wait for exit
#   pcsc_wait_card IDX [SEC]     wait until reader IDX shows a usable card (default 10 s)
#   pcsc_wait_empty IDX [SEC]    wait until reader IDX shows no card
#   pcsc_apdu IDX ARGS...        run pcsc-apdu on reader IDX (e.g. APDU hex, -a, -S -n 100)
# Environment: PCSCD_LOG_LEVEL (debug|info|error|critical; default info),
# PCSCD_BIN, VPCD_DRIVER.

PCSCD_BIN=${PCSCD_BIN:-/usr/sbin/pcscd}
# pcscd log level: debug (~5 lines per SCardTransmit), info (default: reader
# and card events only), error or critical.
PCSCD_LOG_LEVEL=${PCSCD_LOG_LEVEL:-info}
VPCD_DRIVER=${VPCD_DRIVER:-/usr/lib/pcsc/drivers/serial/libifdvpcd.so}
PCSCD_RUNS=0
PCSC_READERS=()
VPCD_PORTS=()
VCARD_PIDS=()

# The namespace wrapper (a command prefix, so that spawn's PID is pcscd's:
# unshare and sh exec into it): as root a private mount namespace is enough;
# as an ordinary user a user namespace maps us to root inside it.
if [ "$(id -u)" = 0 ]; then
	_PCSCD_NS=(unshare --mount --propagation private --)
else
	_PCSCD_NS=(unshare --user --map-root-user --mount --propagation private --)
fi

pcscd_available() {
	[ -x "$PCSCD_BIN" ] && [ -e "$VPCD_DRIVER" ] && command -v unshare >/dev/null &&
		[ -x "$TBIN/vcard" ] && [ -x "$TBIN/pcsc-apdu" ] && "${_PCSCD_NS[@]}" true 2>/dev/null
}

# _pcscd_free_pair: print a port P such that P and P+1 are free on all
# interfaces (vpcd binds 0.0.0.0).  Picked below Linux's ephemeral range so
# free_port users elsewhere never get them; random so parallel runs differ.
_pcscd_free_pair() {
	python3 - <<'PY'
import random, socket
for _ in range(200):
    p = random.randrange(20000, 32000, 2)
    socks = []
    try:
        for q in (p, p + 1):
            s = socket.socket()
            s.bind(("0.0.0.0", q))
            socks.append(s)
        print(p)
        break
    except OSError:
        pass
    finally:
        for s in socks:
            s.close()
PY
}

# pcscd_spawn NAME RUN_DIR CONF: spawn a private pcscd (log $T/NAME.log, PID in
# SPAWNED_PID) with its socket RUN_DIR/pcscd.comm and the reader config CONF
# (file or directory).  Any number of them may run side by side.
pcscd_spawn() {
	# Inside the namespace: if /run/pcscd does not exist (no system pcscd
	# installed its runtime dir), a private tmpfs on /run provides it.
	spawn "$1" "${_PCSCD_NS[@]}" /bin/sh -c '
		set -e
		if [ ! -d /run/pcscd ]; then
			mount -t tmpfs -o mode=0755,size=1m remsim-run /run
			mkdir /run/pcscd
		fi
		mount --bind "$1" /run/pcscd
		exec env -u LISTEN_PID -u LISTEN_FDS -u LISTEN_FDNAMES "$3" --foreground "--$4" --config "$2"
	' sh "$2" "$3" "$PCSCD_BIN" "$PCSCD_LOG_LEVEL"
}

# _pcscd_launch: spawn pcscd on the existing $PCSC_DIR/conf; 0 once all
# readers are listed, 1 if it died or a reader is missing (port taken).
_pcscd_launch() {
	local run=$PCSC_DIR/run i
	rm -f "$run/pcscd.comm" "$run/pcscd.pid"
	PCSCD_RUNS=$((PCSCD_RUNS + 1))
	pcscd_spawn "pcscd.$PCSCD_RUNS" "$run" "$PCSC_DIR/conf"
	PCSCD_PID=$SPAWNED_PID
	PCSCD_LOG=$T/pcscd.$PCSCD_RUNS.log
	export PCSCD_PID PCSCD_LOG
	if ! wait_for 10 test -S "$run/pcscd.comm"; then
		echo "# pcscd did not create its socket; see $PCSCD_LOG" >&2
		return 1
	fi
	local list
	for _ in $(seq 1 100); do
		kill -0 "$PCSCD_PID" 2>/dev/null || break
		list=$("$TBIN/pcsc-apdu" --list 2>/dev/null) || list=
		for ((i = 0; i < PCSC_NREADERS; i++)); do
			grep -qF "${PCSC_READERS[i]}" <<<"$list" || continue 2
		done
		return 0
	done
	echo "# pcscd is not serving all readers; see $PCSCD_LOG" >&2
	return 1
}

pcscd_start() {
	local n=${1:-2} attempt base i
	if [ "$n" -lt 1 ] || [ "$n" -gt 2 ]; then
		echo "# pcscd_start: 1 or 2 readers per pcscd (one vpcd driver has 2 slots)" >&2
		return 1
	fi
	PCSC_DIR=$T/pcscd
	case "$PCSC_DIR" in /run/*)
		echo "# pcscd_start: \$T must not be below /run" >&2; return 1 ;;
	esac
	mkdir -p "$PCSC_DIR/run" "$PCSC_DIR/conf"
	PCSC_NREADERS=$n
	export PCSC_DIR PCSC_NREADERS
	export PCSCLITE_CSOCK_NAME=$PCSC_DIR/run/pcscd.comm
	for attempt in 1 2 3; do
		base=$(_pcscd_free_pair)
		[ -n "$base" ] || return 1
		VPCD_BASE_PORT=$base
		cat >"$PCSC_DIR/conf/vpcd" <<-CONF
			FRIENDLYNAME "Virtual PCD"
			DEVICENAME   /dev/null:$base
			LIBPATH      $VPCD_DRIVER
		CONF
		for ((i = 0; i < n; i++)); do
			VPCD_PORTS[i]=$((base + i))
			PCSC_READERS[i]="Virtual PCD 00 0$i"
			export "VPCD_PORT_$i=${VPCD_PORTS[i]}" "PCSC_READER_$i=${PCSC_READERS[i]}"
		done
		_pcscd_launch && return 0
		pcscd_stop
		echo "# pcscd_start: attempt $attempt failed, retrying with other ports" >&2
	done
	return 1
}

_pcscd_wait_exit() {
	local p=$1
	for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
	kill -KILL "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	return 0
}

pcscd_stop() {
	[ -n "${PCSCD_PID:-}" ] || return 0
	kill -TERM "$PCSCD_PID" 2>/dev/null
	_pcscd_wait_exit "$PCSCD_PID"
	PCSCD_PID=        # never signal a PID that may have been reused
}

pcscd_kill() {
	[ -n "${PCSCD_PID:-}" ] || return 0
	kill -KILL "$PCSCD_PID" 2>/dev/null
	_pcscd_wait_exit "$PCSCD_PID"
	PCSCD_PID=
}

pcscd_restart() {
	pcscd_stop
	_pcscd_launch
}

vcard_start() {
	local idx=$1; shift
	spawn "vcard$idx" "$TBIN/vcard" --port "${VPCD_PORTS[idx]}" --name "vcard$idx" "$@"
	VCARD_PIDS[idx]=$SPAWNED_PID
}

vcard_remove() { kill -USR1 "${VCARD_PIDS[$1]}"; }
vcard_insert() { kill -USR2 "${VCARD_PIDS[$1]}"; }

vcard_stop() {
	local p=${VCARD_PIDS[$1]:-}
	[ -n "$p" ] || return 0
	kill -TERM "$p" 2>/dev/null
	_pcscd_wait_exit "$p"
	VCARD_PIDS[$1]=
}

pcsc_wait_card() { "$TBIN/pcsc-apdu" --reader "${PCSC_READERS[$1]}" --wait present --timeout "${2:-10}" >/dev/null; }
pcsc_wait_empty() { "$TBIN/pcsc-apdu" --reader "${PCSC_READERS[$1]}" --wait empty --timeout "${2:-10}" >/dev/null; }
pcsc_apdu() { local idx=$1; shift; "$TBIN/pcsc-apdu" --reader "${PCSC_READERS[idx]}" "$@"; }
