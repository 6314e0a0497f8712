# SPDX-License-Identifier: GPL-2.0-or-later
# tests/lib/ifd.sh: a second private pcscd whose readers are our driver
# libifd_remsim.so (docs/ifd.md), beside the vpcd one of tests/lib/pcscd.sh.
# Source after tests/lib/common.sh, tests/lib/pcscd.sh and tests/lib/system.sh.
#   ifd_system N                        bank side (pcscd + N vcards, bankd with N
#                                       slots), server, and a client role 0:0 with
#                                       the ifd frontend on $T/ifd0.sock ($T/client.cfg)
#   ifd_pcscd_start NAME=DEVICENAME...  one reader per argument ("NAME 0i 00"),
#                                       waits until pcscd serves; sets IFD_PCSCD_PID,
#                                       IFD_SOCK, IFD_PCSCD_LOG
#   ifd_pcscd_stop                      SIGTERM it, wait for its exit (status 0 if clean)
#   ifd_apdu ARGS...                    pcsc-apdu against that pcscd
#   ifd_apdu_within SEC ARGS...         the same, killed after SEC seconds (status 124)
#   ifd_scan SECONDS                    pcsc_scan against it (output on stdout)
#   ifd_kill_roles                      SIGTERM the client roles the driver started
#                                       itself (detached: found by their config in $T),
#                                       wait up to 5 s for each to exit
# The driver's environment: REMSIM_IFD_RUN_BASE=$T (run dirs of roles it
# starts), REMSIM_IFD_TIMEOUT_MS (default here 2000).
case "$BUILD" in /*) IFD_LIB=$BUILD/lib/libifd_remsim.so ;; *) IFD_LIB=$TOP/$BUILD/lib/libifd_remsim.so ;; esac

ifd_system() {
	local n=$1 i
	pcscd_start "$n" || return 1
	for ((i = 0; i < n; i++)); do vcard_start "$i"; done
	for ((i = 0; i < n; i++)); do pcsc_wait_card "$i" || { echo "# no card in bank reader $i" >&2; return 1; }; done
	system_server || { echo "# server did not start" >&2; return 1; }
	system_bankd "$n" || { echo "# bankd did not register" >&2; return 1; }
	SYSTEM_TRANSPORT=ifd system_client 1
	wait_for 15 ifd_client_up 0:0 || { echo "# client role 0:0 did not register" >&2; return 1; }
}

# ifd_client_up C:S: the server lists the client slot as connected
ifd_client_up() { "${CTL[@]}" clients 2>/dev/null | grep -qE "^ *C$1 +CONNECTED_CLIENT"; }

ifd_pcscd_start() {
	local d=$T/ifd-pcscd a
	mkdir -p "$d/run" "$d/conf"
	: >"$d/conf/remsim"
	for a in "$@"; do
		printf 'FRIENDLYNAME "%s"\nDEVICENAME   %s\nLIBPATH      %s\n\n' "${a%%=*}" "${a#*=}" "$IFD_LIB" \
			>>"$d/conf/remsim"
	done
	IFD_SOCK=$d/run/pcscd.comm
	REMSIM_IFD_RUN_BASE=$T REMSIM_IFD_TIMEOUT_MS=${REMSIM_IFD_TIMEOUT_MS:-2000} \
		pcscd_spawn ifd-pcscd "$d/run" "$d/conf"
	IFD_PCSCD_PID=$SPAWNED_PID
	IFD_PCSCD_LOG=$T/ifd-pcscd.log
	wait_for 10 test -S "$IFD_SOCK" && wait_for 10 ifd_apdu --list >/dev/null 2>&1
}

ifd_pcscd_stop() {
	kill -TERM "$IFD_PCSCD_PID" 2>/dev/null
	wait_for 10 eval '! kill -0 "$IFD_PCSCD_PID" 2>/dev/null'
	wait "$IFD_PCSCD_PID"
}

ifd_apdu() { PCSCLITE_CSOCK_NAME=$IFD_SOCK "$TBIN/pcsc-apdu" "$@"; }
ifd_apdu_within() { local s=$1; shift; PCSCLITE_CSOCK_NAME=$IFD_SOCK timeout "$s" "$TBIN/pcsc-apdu" "$@"; }
ifd_scan() { PCSCLITE_CSOCK_NAME=$IFD_SOCK timeout $(($1 + 5)) pcsc_scan -t "$1" 2>&1; }

ifd_kill_roles() {
	local f p pids=()
	for f in /proc/[0-9]*/cmdline; do
		{ tr '\0' ' ' <"$f"; } 2>/dev/null | grep -q "^[^ ]*remsimd -c $T/remsim-ifd-" || continue
		p=${f#/proc/}; p=${p%/cmdline}
		kill -TERM "$p" 2>/dev/null && pids+=("$p")
	done
	for p in "${pids[@]}"; do
		for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
	done
}
