# SPDX-License-Identifier: GPL-2.0-or-later
# bankd_reader_common.bash: helpers for tests/integration/bankd_reader_*.sh
# and tests/bench/bankd_bench.sh (sourced after tests/lib/common.sh and
# tests/lib/pcscd.sh; not a test itself).
#
# Bank slot i lives on pcscd instance i/2, reader "Virtual PCD 00 0(i%2)".
# The bankd is remsimd + broker + reader/0..N-1; the broker has one
# side = "bankd" listener per slot whose default actor is reader/i, so a
# scripted client (rspro-peer) reaches reader/i directly (no bankmap).
PEER=$TBIN/rspro-peer
RUN="$T/run"
HUB="ipc://$RUN/hub"
CTL="ipc://$RUN/control"
BANK_ID=1
SLOT_SOCK=() SLOT_PORT=() SLOT_READER=() SLOT_VCARD=() PCSCD_PIDS=() CLIENT_PORT=()

# multi_pcscd K: K private pcscd instances with 2 vpcd readers each.
multi_pcscd() {
	local k T0=$T rc=0
	for ((k = 0; k < $1; k++)); do
		T=$T0/pcscd$k
		mkdir -p "$T"
		if ! pcscd_start 2; then rc=1; T=$T0; break; fi
		PCSCD_PIDS[k]=$PCSCD_PID
		SLOT_SOCK[2 * k]=$PCSCLITE_CSOCK_NAME SLOT_SOCK[2 * k + 1]=$PCSCLITE_CSOCK_NAME
		SLOT_PORT[2 * k]=${VPCD_PORTS[0]} SLOT_PORT[2 * k + 1]=${VPCD_PORTS[1]}
		SLOT_READER[2 * k]="Virtual PCD 00 00" SLOT_READER[2 * k + 1]="Virtual PCD 00 01"
		T=$T0
	done
	unset PCSCLITE_CSOCK_NAME
	return $rc
}

# slot_vcard I [vcard options]: the virtual SIM of slot I (log $T/vcardI.log)
slot_vcard() {
	local i=$1; shift
	spawn "vcard$i" "$TBIN/vcard" --port "${SLOT_PORT[i]}" --name "vcard$i" "$@"
	SLOT_VCARD[i]=$SPAWNED_PID
}

# slot_apdu I ARGS...: pcsc-apdu straight to slot I's card (no bankd)
slot_apdu() {
	local i=$1; shift
	PCSCLITE_CSOCK_NAME=${SLOT_SOCK[i]} "$TBIN/pcsc-apdu" --reader "${SLOT_READER[i]}" "$@"
}
slot_wait_card() { slot_apdu "$1" --wait present --timeout "${2:-10}" >/dev/null; }

# bankd_config N [extra lines for the reader group]: write $T/bankd.cfg
bankd_config() {
	local n=$1 extra=${2:-} i listeners="" slots=""
	for ((i = 0; i < n; i++)); do
		CLIENT_PORT[i]=$(free_port)
		listeners+="    { name = \"s$i\"; bind = \"127.0.0.1\"; port = ${CLIENT_PORT[i]}; side = \"bankd\"; actor = \"reader/$i\"; },"$'\n'
		slots+="    { slot = $i; reader = \"${SLOT_READER[i]}\"; pcsc_socket = \"${SLOT_SOCK[i]}\"; },"$'\n'
	done
	cat >"$T/bankd.cfg" <<EOF
run_dir = "$RUN";
supervisor = { backoff_initial_ms = 50; backoff_max_ms = 400; restart_intensity = 20; restart_period_s = 10; };
actors = (
  { name = "broker"; program = "$BIN/broker"; },
  { name = "reader"; program = "$BIN/reader"; count = $n; }
);
bankd = { bank_id = $BANK_ID; };
broker = {
  listeners = (
${listeners%,$'\n'}
  );
  commands = { reader-status = "reader/0"; echo-tell = "bankmap"; echo-told = "bankmap"; echo-told-all = "bankmap"; };
};
reader = {
  poll_ms = 200;
  backoff_max_ms = 1000;
$extra
  slots = (
${slots%,$'\n'}
  );
};
EOF
}

# start_bankd N: remsimd with the config above; waits until every reader
# found its PC/SC reader.
start_bankd() {
	local n=$1 i
	spawn remsimd "$BIN/remsimd" -c "$T/bankd.cfg"
	REMSIMD_PID=$SPAWNED_PID
	for ((i = 0; i < n; i++)); do
		wait_log "$T/remsimd.log" "reader/$i .*-> READER" 15 || return 1
	done
}

# reader_pid I: PID of reader/I from the broker's status
reader_pid() {
	"$TBIN/zreq" -t 3000 "$CTL" '{"cmd":"status"}' | python3 -c '
import json, sys
for a in json.load(sys.stdin)["result"]:
    if a["name"] == sys.argv[1]: print(a["pid"])' "reader/$1"
}

# peer I SCRIPT [rspro-peer options]: run a script as the client of slot I
peer() {
	local i=$1 s=$2; shift 2
	"$PEER" -c "127.0.0.1:${CLIENT_PORT[i]}" -s "$s" "$@"
}

# hello CLIENT_SLOT: the opening lines of a client script (connect, ok, ATR)
hello() {
	printf 'send connectClientReq client=%s\nexpect connectClientRes result=ok\nexpect setAtrReq slot=C%s atr=%s\n' \
		"$1" "$1" "$2"
}

# tpdu_lines CLIENT BANK CMD RESP: one exchange of a client script
tpdu_lines() {
	printf 'send tpduModemToCard client=%s bank=%s data=%s\nexpect tpduCardToModem fromBankSlot=B%s toClientSlot=C%s flags=---- data=%s\n' \
		"$1" "$2" "$3" "$2" "$1" "$4"
}

# cpu_ticks PID: utime+stime of a process (clock ticks)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null; }

# eq NAME GOT WANT
eq() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1"; echo "  got:  $2"; echo "  want: $3"; fi
}

# peer_ok NAME I SCRIPTNAME: PASS if $T/SCRIPTNAME.script passes as slot I's
# client (output in $T/SCRIPTNAME.out)
peer_ok() {
	if peer "$2" "$T/$3.script" >"$T/$3.out" 2>&1; then pass "$1"; else fail "$1"; tail -n 3 "$T/$3.out" | sed 's/^/  /'; fi
}

# tell_reader I JSON: make the fake bankmap (an echo-actor) tell reader/I JSON
tell_reader() {
	local j
	j=$(python3 -c 'import json, sys; print(json.dumps({"cmd": "echo-tell", "args": ["reader/" + sys.argv[1], sys.argv[2]]}))' "$1" "$2")
	"$TBIN/zreq" -t 3000 "$CTL" "$j"
}
