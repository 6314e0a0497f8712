# SPDX-License-Identifier: GPL-2.0-or-later
# client_common.bash: helpers for tests/integration/client_*.sh (sourced after
# tests/lib/common.sh; not a test itself).  Scripted server and bankd are
# tests/tools/rspro-peer in listen mode; the modem is tests/tools/st2sim or
# the shell frontend's stdin.  An end-to-end test with the real server and
# bankd only has to replace `peer` by starting those roles.
RUN="$T/run"
PEER_BIN="$TBIN/rspro-peer"

# peer NAME PORT [TIMEOUT_MS] <<EOF script EOF: an rspro-peer accepting one
# connection on 127.0.0.1:PORT and running the script; PID in $PEER_PID.
peer() {
	local n=$1 port=$2 to=${3:-10000}
	cat >"$T/$n.script"
	spawn "$n" "$PEER_BIN" -l "127.0.0.1:$port" -s "$T/$n.script" -t "$to"
	PEER_PID=$SPAWNED_PID
}

# peer_wait PID SECONDS: wait for a peer to finish; its exit status
peer_wait() {
	local p=$1 s=${2:-20} i
	for i in $(seq 1 $((s * 20))); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
	kill -0 "$p" 2>/dev/null && { kill "$p"; wait "$p" 2>/dev/null; return 124; }
	wait "$p"
}

# event_script: a script that stores each call's cause and REMSIM_* environment
# as $T/ev/CAUSE.PID (plus SECRET_PROBE to show the environment is filtered)
event_script() {
	mkdir -p "$T/ev"
	cat >"$T/ev.sh" <<EOS
#!/bin/sh
env | grep -E '^(REMSIM_|SECRET_PROBE)' | sort >"$T/ev/\$1.\$\$"
EOS
	chmod +x "$T/ev.sh"
	export SECRET_PROBE=leaked
}
# ev_has CAUSE REGEX: some call for CAUSE had a variable line matching REGEX
ev_has() { cat "$T/ev/$1".* 2>/dev/null | grep -qE "$2"; }

# client_cfg FILE NSLOTS SERVER_PORT [extra client settings...]: a role config
# with the broker and NSLOTS usbslot actors on simulators $T/simI.sock
client_cfg() {
	local f=$1 n=$2 ps=$3; shift 3
	local slots="" i
	for i in $(seq 0 $((n - 1))); do
		slots="$slots${slots:+, }{ client_slot = $i; transport = \"sim:$T/sim$i.sock\"; }"
	done
	cat >"$f" <<EOC
run_dir = "$RUN";
supervisor = { restart_intensity = 20; restart_period_s = 10; backoff_initial_ms = 50; backoff_max_ms = 300; stop_timeout_ms = 2000; };
broker = { connect_timeout_ms = 300; backoff_unit_ms = 20; };
actors = ( { name = "broker"; }, { name = "usbslot"; count = $n; } );
client = {
  server_host = "127.0.0.1"; server_port = $ps; client_id = 7;
  reopen_min_ms = 50; reopen_max_ms = 200;
  $*
  slots = ( $slots );
};
EOC
}

# server_script BANKD_PORT SLOT...: register C7:SLOT and assign bankd B2:(3+SLOT)
# for every slot (one connection per slot, so one server peer per slot)
server_lines() {
	local pb=$1 s=$2
	cat <<EOS
expect connectClientReq type=remsimClient software="remsim-client" clientSlot=C7:$s
send connectClientRes result=ok
send configClientBankReq bank=2:$((3 + s)) ip=127.0.0.1 port=$pb
expect configClientBankRes result=ok
EOS
}
bankd_lines() {
	local s=$1
	cat <<EOS
expect connectClientReq type=remsimClient clientSlot=C7:$s
send connectClientRes type=bankd software=remsim-bankd result=ok
send setAtrReq client=7:$s atr=3b9f96801fc78031a073be21136743200718000001a5
expect setAtrRes result=ok
EOS
}

# sanitizer reports in any log: FAIL
no_sanitizer_reports() {
	if grep -lE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$T"/*.log >"$T/san.txt" 2>/dev/null; then
		fail "sanitizer reports in: $(tr '\n' ' ' <"$T/san.txt")"
	else
		pass "no sanitizer reports"
	fi
}

# in_order FILE REGEX...: FILE has lines matching the REGEXes in this order
# (other lines in between allowed)
in_order() {
	local f=$1; shift
	awk 'BEGIN { n = ARGC - 2; for (i = 1; i <= n; i++) re[i] = ARGV[i + 1]; ARGC = 2; k = 1 }
		k <= n && $0 ~ re[k] { k++ } END { exit k <= n }' "$f" "$@"
}

# sim_client NAME SERVER_PORT SIM_ARGS...: st2sim NAME (log $T/NAME.log) on
# $T/sim0.sock and remsim-client for C7:0 on it with the event script of
# event_script; PIDs in $SIM and $CL
sim_client() {
	local n=$1 ps=$2; shift 2
	spawn "$n" "$TBIN/st2sim" --socket "$T/sim0.sock" "$@"
	SIM=$SPAWNED_PID
	wait_for 5 test -S "$T/sim0.sock"
	spawn client "$BIN/remsim-client" -i 127.0.0.1 -p "$ps" -c 7 -n 0 --sim "$T/sim0.sock" \
		-e "$T/ev.sh" --run-dir "$RUN"
	CL=$SPAWNED_PID
}

# slot_peers SLOT...: for each client slot S a scripted server on port $PS<S>
# (registration, bankd B2:(3+S) at port $PB<S>) and a bankd serving the test
# card on $PB<S>, both for 60 s; the bankd's PID in $BKD<S>
slot_peers() {
	local s ps pb
	for s in "$@"; do
		ps=PS$s; pb=PB$s
		peer "srv$s" "${!ps}" 60000 <<EOS
$(server_lines "${!pb}" "$s")
expect-close 60000
EOS
		peer "bkd$s" "${!pb}" 60000 <<EOS
$(bankd_lines "$s")
serve-card 60000
EOS
		eval "BKD$s=$PEER_PID"
	done
}
