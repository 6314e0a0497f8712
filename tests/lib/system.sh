# SPDX-License-Identifier: GPL-2.0-or-later
# tests/lib/system.sh: start a whole remsim system on loopback for end-to-end
# tests, the demo and benchmarks: the real server, a real bankd behind a
# private pcscd + vpcd + our virtual cards, and the client role on simulated
# SIMtrace2 boards (tests/tools/st2sim).  Source after tests/lib/common.sh and
# tests/lib/pcscd.sh.
#   system_server [NAME]            remsim-server on private ports (run dir $T/NAME-run, database
#                                   $T/NAME.db, log $T/NAME.log; NAME defaults to "server");
#                                   sets SRV_PORT, BANKD_PORT (the bankd port it announces), CTL (array)
#   system_bankd NSLOTS [ARGS...]   remsim-bankd (bank 1) on pcscd readers 0..NSLOTS-1 (pcscd_start
#                                   first); ARGS go to remsim-bankd (e.g. -s)
#   system_client NSLOTS [settings] remsimd with NSLOTS usbslot actors on $T/simI.sock, client id 0
#                                   (SYSTEM_TRANSPORT=ifd: PC/SC reader frontends on $T/ifdI.sock)
#   system_map C:S B:S              remsim-ctl map, then wait until the map is ACTIVE
# SYSTEM_WRAP (optional): a command the server and bankd roles are started
# under, e.g. "prlimit --nofile=1024:1024".  SYSTEM_SERVER_SED: a sed script
# applied to the server's generated config; SYSTEM_BANKD_CFG: a role config
# file for remsim-bankd -c (the options above still apply);
# SYSTEM_CLIENT_ACTORS / SYSTEM_CLIENT_CFG: more actor entries / settings for
# the client role config.

system_server() {
	local s=${1:-server}
	SRV_PORT=$(free_port); SRV_REST=$(free_port); BANKD_PORT=$(free_port)
	"$BIN/remsim-server" -r "$T/$s-run" --state-dir "$T/$s-state" --database "$T/$s.db" -b 127.0.0.1 -p "$SRV_PORT" \
		--rest-listen "127.0.0.1:$SRV_REST" --print-config >"$T/$s.cfg" || return 1
	sed -i "s/^mapstore = {/mapstore = { bankd_port = $BANKD_PORT;/" "$T/$s.cfg"
	[ -z "${SYSTEM_SERVER_SED:-}" ] || sed -i "$SYSTEM_SERVER_SED" "$T/$s.cfg"
	spawn "$s" ${SYSTEM_WRAP:-} "$BIN/remsim-server" -c "$T/$s.cfg"
	SERVER_PID=$SPAWNED_PID
	CTL=("$BIN/remsim-ctl" -e "ipc://$T/$s-run/control")
	wait_for 10 "${CTL[@]}" status >/dev/null 2>&1
}

system_bankd() {
	local n=$1 i; shift
	: >"$T/bankd_pcsc_slots.csv"
	for i in $(seq 0 $((n - 1))); do
		printf '"1","%d","%s"\n' "$i" "${PCSC_READERS[$i]}" >>"$T/bankd_pcsc_slots.csv"
	done
	spawn bankd ${SYSTEM_WRAP:-} "$BIN/remsim-bankd" -i 127.0.0.1 -p "$SRV_PORT" -b 1 -n "$n" -I 127.0.0.1 \
		-P "$BANKD_PORT" --csv "$T/bankd_pcsc_slots.csv" -r "$T/bankd-run" \
		${SYSTEM_BANKD_CFG:+-c $SYSTEM_BANKD_CFG} "$@"
	BANKD_PID=$SPAWNED_PID
	_bank_up() { "${CTL[@]}" --json banks 2>/dev/null | grep -q '"bankId": *1'; }
	wait_for 15 _bank_up
}

system_client() {
	local n=$1 i slots=""; shift
	for i in $(seq 0 $((n - 1))); do
		local tr=${SYSTEM_TRANSPORT:-sim}
		slots="$slots${slots:+, }{ client_slot = $i; transport = \"$tr:$T/$tr$i.sock\"; }"
	done
	cat >"$T/client.cfg" <<EOC
run_dir = "$T/client-run";
supervisor = { restart_intensity = 20; restart_period_s = 10; backoff_initial_ms = 50; backoff_max_ms = 300; };
broker = { connect_timeout_ms = 1000; backoff_unit_ms = 50; };
actors = ( { name = "broker"; }, { name = "usbslot"; count = $n; } ${SYSTEM_CLIENT_ACTORS:-} );
${SYSTEM_CLIENT_CFG:-}
client = {
  server_host = "127.0.0.1"; server_port = $SRV_PORT; client_id = 0;
  reopen_min_ms = 50; reopen_max_ms = 200;
  $*
  slots = ( $slots );
};
EOC
	spawn client "$BIN/remsimd" -c "$T/client.cfg"
	CLIENT_PID=$SPAWNED_PID
}

system_map() {
	"${CTL[@]}" map "$1" "$2" >/dev/null || return 1
	_MAP_RE="C$1 +B$2 +ACTIVE"
	_map_active() { "${CTL[@]}" maps 2>/dev/null | grep -qE "$_MAP_RE"; }
	wait_for 15 _map_active
}
