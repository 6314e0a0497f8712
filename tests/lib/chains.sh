# SPDX-License-Identifier: GPL-2.0-or-later
# tests/lib/chains.sh: the APDU chains of the side-by-side benchmark and the
# profile script, on one private pcscd + vpcd reader + our virtual card:
#   remsim  remsim-client-shell -> remsim-bankd (-s) -> pcscd -> card
#   osmo    osmo-remsim-client-shell -> osmo-remsim-bankd -> pcscd -> card
#           (only with OSMO_REMSIM_PREFIX, tests/lib/osmo.sh)
# Each chain has its own remsim-server (osmo-remsim 1.0.0's bankd opens the
# reader SHARED, so ours gets -s; each server announces one bankd port).
# Both shells run under tests/tools/shell-drive (tests/lib/shelldrive.sh:
# drive_run remsim N HEX ...).  Source after tests/lib/common.sh.
#   chains_setup    start everything; 1 (with a message) if something failed.
#                   Sets CHAINS (array: [osmo] remsim direct), REMSIM_SHELL,
#                   OSMO_SHELL, BANKD_PID, OSMO_BANKD_PID and writes
#                   $T/procs: "label pid" of every process of a chain
#                   (remsim.*, osmo.*) and shared.pcscd / shared.vcard.
. "$TOP/tests/lib/pcscd.sh"
. "$TOP/tests/lib/system.sh"
. "$TOP/tests/lib/osmo.sh"
. "$TOP/tests/lib/shelldrive.sh"

# every process below $1 (children, their children, ...): the client shell's
# broker is a grandchild (remsim-client-shell -> remsim-client -> broker)
_descendants() {
	local p
	for p in $(pgrep -P "$1"); do
		echo "$p"
		_descendants "$p"
	done
}

chains_setup() {
	pcscd_available || { echo "pcscd/vpcd or test tools missing"; return 1; }
	pcscd_start 1 || return 1
	vcard_start 0
	pcsc_wait_card 0 10 || { echo "no card in reader 0"; return 1; }

	CHAINS=(remsim direct)
	if osmo_available; then
		CHAINS=(osmo remsim direct)
	else
		echo "osmo-remsim: not measured: $OSMO_WHY"
	fi

	# --- remsim chain ---------------------------------------------------------------
	system_server server || { echo "server did not start"; return 1; }
	system_bankd 1 -s || { echo "remsim bankd did not start"; return 1; }
	system_map 0:0 1:0 || { echo "remsim map did not become ACTIVE"; return 1; }
	drive_start remsim -- "$BIN/remsim-client-shell" -i 127.0.0.1 -p "$SRV_PORT" -c 0 -n 0 \
		--run-dir "$T/client-run"
	drive_ready remsim || { echo "remsim client-shell not ready: $(tail -n 3 "$T/remsim.out" "$T/remsim.log")"; return 1; }
	REMSIM_SHELL=$DRIVE_PID

	# --- osmo-remsim chain: its own server (it announces its own bankd port) ---------
	if [ "${CHAINS[0]}" = osmo ]; then
		system_server server-osmo || { echo "second server did not start"; return 1; }
		osmo_bankd osmo-bankd 2 "$SRV_PORT" "$BANKD_PORT" "${PCSC_READERS[0]}"
		_bank2_up() { "${CTL[@]}" --json banks 2>/dev/null | grep -q '"bankId": *2'; }
		wait_for 15 _bank2_up || { echo "osmo-remsim-bankd did not register: $(tail -n 3 "$T/osmo-bankd.log")"; return 1; }
		system_map 0:0 2:0 || { echo "osmo map did not become ACTIVE"; return 1; }
		drive_start osmo -- "${OSMO_CLIENT_SHELL[@]}" -i 127.0.0.1 -p "$SRV_PORT" -c 0 -n 0
		drive_ready osmo || { echo "osmo client-shell not ready: $(tail -n 3 "$T/osmo.out" "$T/osmo.log")"; return 1; }
		OSMO_SHELL=$DRIVE_PID
	fi

	# --- the processes whose CPU is counted, "label pid" per line --------------------
	{
		echo "remsim.usbslot $REMSIM_SHELL"
		for p in $(_descendants "$REMSIM_SHELL"); do echo "remsim.client_$(cat "/proc/$p/comm") $p"; done
		echo "remsim.remsimd $BANKD_PID"
		for p in $(pgrep -P "$BANKD_PID"); do echo "remsim.bankd_$(cat "/proc/$p/comm") $p"; done
		if [ "${CHAINS[0]}" = osmo ]; then
			echo "osmo.client_shell $OSMO_SHELL"
			echo "osmo.bankd $OSMO_BANKD_PID"
		fi
		echo "shared.pcscd $PCSCD_PID"
		echo "shared.vcard ${VCARD_PIDS[0]}"
	} >"$T/procs"
}
