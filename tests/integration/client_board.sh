#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# client_board.sh: multi-slot boards.  st2sim --board qmod4 presents one USB
# device (1d50:4004 at path 1-1, address 2) with 4 cardem interfaces, each
# with its own simulated modem; remsimd runs 4 usbslot actors, each selecting
# the device by VID:PID, path and address and claiming its interface (as
# osmo-remsim-client-st2's -V -P -H -A -I), each with its own server and
# bankd.  A 5th slot asks for interface 4, which the board does not have:
# refused, retried, harmless.  usbslot/2 is killed with SIGKILL: the other
# three keep running untouched, usbslot/2 is restarted, claims interface 2
# again and its modem gets the card back (a new session).  Then a SIMtrace2
# (one cardem interface, two SIM slots) through remsim-client's
# osmo-remsim options: -I 0 is claimed, -I 1 is refused.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/client_common.bash"

N=4
slots=""
for s in $(seq 0 $N); do
	eval "PS$s=$(free_port); PB$s=$(free_port)"
	ps=PS$s
	slots="$slots${slots:+,}
    { client_slot = $s; server_port = ${!ps};
      usb = { vendor = \"1d50\"; product = \"4004\"; path = \"1-1\"; address = 2; config = 1; interface = $s; }; }"
done
cat >"$T/client.cfg" <<EOC
run_dir = "$RUN";
supervisor = { restart_intensity = 5; restart_period_s = 10; backoff_initial_ms = 50; backoff_max_ms = 300; };
broker = { connect_timeout_ms = 300; backoff_unit_ms = 20; };
actors = ( { name = "broker"; }, { name = "usbslot"; count = $((N + 1)); } );
client = {
  server_host = "127.0.0.1"; client_id = 7; reopen_min_ms = 50; reopen_max_ms = 200;
  transport = "sim:$T/board.sock";
  slots = ( $slots );
};
EOC
slot_peers $(seq 0 $((N - 1)))

spawn board "$TBIN/st2sim" --socket "$T/board.sock" --board qmod4 --modem 6 --status-ms 100 --verify \
	--timeout 5 --log-prefix "$T/if"
BOARD=$SPAWNED_PID
wait_for 5 test -S "$T/board.sock"
spawn client "$BIN/remsimd" -c "$T/client.cfg"
CL=$SPAWNED_PID

check "board: all four slots OPERATIONAL" wait_for 10 eval \
	"[ \$(grep -cE '\[C7:[0-3] B2:[3-6]\] state WAIT_BANKD -> OPERATIONAL' '$T/client.log') = 4 ]"
check "board: each interface claimed once by its slot" \
	eval '(for i in 0 1 2 3; do [ "$(grep -c "^# bus: CLAIM -> interface $i claimed" "$T/board.log")" = 1 ] || exit 1; done)'
check "board: interface 4 refused (the board has 0..3), the slot says why" \
	wait_log "$T/client.log" 'usbslot/4 .*simulator refused the claim: no cardem interface 4 .*interfaces 0\.\.3' 5
check "board: every modem runs its session" \
	wait_for 10 eval '(for i in 0 1 2 3; do grep -q "^C-APDU: a0 88 00 00 10" "$T/if.$i.log" || exit 1; done)'
PID2=$(sed -n 's/.*hello from usbslot\/2 (pid \([0-9]*\)).*/\1/p' "$T/client.log" | tail -1)
check "board: usbslot/2 pid known ($PID2)" [ -n "$PID2" ]
kill -9 "$PID2"
check "board: remsimd restarts usbslot/2" wait_log "$T/client.log" 'usbslot/2 .*killed by signal 9' 5
check "board: the restarted usbslot/2 claims interface 2 again" \
	wait_for 10 eval '[ "$(grep -c "^# bus: CLAIM -> interface 2 claimed" "$T/board.log")" = 2 ]'
check "board: interface 2's modem gets the card again (second session)" \
	wait_for 10 eval '[ "$(grep -c "^ATR: " "$T/if.2.log")" -ge 2 ]'
peer_wait "$BOARD" 30; rc=$?
check "board: the board's four simulators end OK (rc=$rc)" [ "$rc" = 0 ]
for i in 0 1 2 3; do
	check "board: interface $i: no protocol errors, no stall" \
		grep -q 'protocol_errors=0 verify_errors=0 .* stalls=0 in_dropped=0 .*result=OK' "$T/if.$i.log"
done
check "board: interfaces 0, 1, 3: one session, their host never left" \
	eval '(for i in 0 1 3; do grep -q "sessions=1 " "$T/if.$i.log" && ! grep -q "host disconnected" "$T/if.$i.log" || exit 1; done)'
check "board: usbslot/0, 1, 3 were never restarted" \
	eval '(for i in 0 1 3; do [ "$(grep -c "hello from usbslot/$i " "$T/client.log")" = 1 ] || exit 1; done)'
check "board: usbslot/0, 1, 3 logged no errors or warnings before the board went away" \
	bash -c "! sed '/board gone (unplugged/,\$d' '$T/client.log' | grep -E 'ERROR|WARN' | grep -qE 'usbslot/[013] '"
kill -TERM "$CL"; wait "$CL"

# a SIMtrace2: one cardem interface (its second SIM slot is no cardem interface)
spawn st2 "$TBIN/st2sim" --socket "$T/st2.sock" --board simtrace2 --usb-path 2-1.1 --usb-address 7 --modem 30 \
	--log-prefix "$T/st2if"
wait_for 5 test -S "$T/st2.sock"
for i in 0 1; do
	spawn "cl$i" "$BIN/remsim-client" -i 127.0.0.1 -p "$(free_port)" -c 7 -n "$i" --sim "$T/st2.sock" \
		-V 1d50 -P 60e3 -C 1 -I "$i" -S 0 -A 7 -H 2-1.1 --run-dir "$RUN.st2.$i"
	eval "CL$i=$SPAWNED_PID"
done
check "board: SIMtrace2 -V 1d50 -P 60e3 -C 1 -I 0 -S 0 -A 7 -H 2-1.1: interface 0 claimed" \
	wait_log "$T/cl0.log" 'simulator at .*, interface 0 claimed' 5
check "board: SIMtrace2 -I 1: refused, it has one cardem interface" \
	wait_log "$T/cl1.log" 'refused the claim: no cardem interface 1 .*simtrace2 has interfaces 0\.\.0' 5
kill -TERM "$CL0" "$CL1"; wait "$CL0" "$CL1"
spawn cl2 "$BIN/remsim-client" -i 127.0.0.1 -p "$(free_port)" -c 7 -n 0 --sim "$T/st2.sock" \
	-V 1d50 -P 60e3 -I 0 -H 2-1.2 --run-dir "$RUN.st2.2"
check "board: SIMtrace2 at another path (-H 2-1.2): no such device" \
	wait_log "$T/cl2.log" 'refused the claim: no device 1d50:60e3 .*path 2-1\.2 .*path 2-1\.1\)' 5
kill -TERM "$SPAWNED_PID"; wait "$SPAWNED_PID"
no_sanitizer_reports
finish
