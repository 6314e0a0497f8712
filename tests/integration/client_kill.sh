#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# client_kill.sh: two slots (usbslot/0, usbslot/1) under one remsimd, each
# with its own server and bankd connection and its own simulated modem.
# While slot 1 runs thousands of TPDUs, usbslot/0 is killed with SIGKILL:
# slot 1 sees zero errors; remsimd restarts usbslot/0, which takes its
# server and bankd connections back from the broker (no new handshake: the
# state is in the connections' META), finds the re-plugged board and runs
# the modem's whole TPDU script again over the same bankd TCP connection.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/client_common.bash"

PS0=$(free_port); PS1=$(free_port); PB0=$(free_port); PB1=$(free_port)
cat >"$T/client.cfg" <<EOC
run_dir = "$RUN";
# (the restart waits 1 s: long enough for the killed slot's simulator to
# notice and exit, so the new usbslot does not claim the old simulator)
supervisor = { restart_intensity = 5; restart_period_s = 10; backoff_initial_ms = 1000; backoff_max_ms = 2000; };
broker = { connect_timeout_ms = 300; backoff_unit_ms = 20; };
actors = ( { name = "broker"; }, { name = "usbslot"; count = 2; } );
client = {
  server_host = "127.0.0.1"; client_id = 7; reopen_min_ms = 50; reopen_max_ms = 200;
  slots = (
    { client_slot = 0; server_port = $PS0; transport = "sim:$T/sim0.sock"; },
    { client_slot = 1; server_port = $PS1; transport = "sim:$T/sim1.sock"; }
  );
};
EOC
slot_peers 0 1

spawn sim0a "$TBIN/st2sim" --socket "$T/sim0.sock" --bench 1000000 --quiet --timeout 30
SIM0A=$SPAWNED_PID
spawn sim1 "$TBIN/st2sim" --socket "$T/sim1.sock" --bench 20000 --verify --quiet --timeout 30
SIM1=$SPAWNED_PID
spawn client "$BIN/remsimd" -c "$T/client.cfg"
CL=$SPAWNED_PID

check "kill: both slots OPERATIONAL" wait_for 10 eval \
	"grep -q '\[C7:0 B2:3\] state WAIT_BANKD -> OPERATIONAL' '$T/client.log' 2>/dev/null && grep -q '\[C7:1 B2:4\] state WAIT_BANKD -> OPERATIONAL' '$T/client.log'"
sleep 0.5
PID0=$(sed -n 's/.*hello from usbslot\/0 (pid \([0-9]*\)).*/\1/p' "$T/client.log" | tail -1)
check "kill: usbslot/0 pid known ($PID0)" [ -n "$PID0" ]
kill -9 "$PID0"
check "kill: remsimd restarts usbslot/0" wait_log "$T/client.log" 'usbslot/0 .*killed by signal 9' 5
check "kill: the killed slot's modem lost its host" wait_for 5 eval "! kill -0 $SIM0A 2>/dev/null"
# the board of slot 0 comes back (a fresh simulator on the same socket)
spawn sim0b "$TBIN/st2sim" --socket "$T/sim0.sock" --verify --timeout 10
SIM0B=$SPAWNED_PID
peer_wait "$SIM0B" 30; rc=$?
check "kill: the restarted usbslot/0 runs the whole TPDU script again (rc=$rc)" [ "$rc" = 0 ]
check "kill: usbslot/0 resumed its server and bankd connections from META" \
	eval "grep -q 'usbslot/0 \[C7:0 B2:3\] bankd connection .* resumed after a restart' '$T/client.log' && grep -q 'usbslot/0 \[C7:0 B2:3\] server connection .* resumed after a restart' '$T/client.log'"
check "kill: usbslot/0 restored OPERATIONAL" grep -q 'usbslot/0 \[C7:0 B2:3\] state restored: OPERATIONAL' "$T/client.log"
check "kill: one bankd handshake for slot 0 (the TCP connection survived)" \
	[ "$(grep -c 'usbslot/0 .*bankd connection .* up: Tx connectClientReq' "$T/client.log")" = 1 ]
peer_wait "$SIM1" 60; rc=$?
check "kill: slot 1's 20000 TPDUs all completed and verified (rc=$rc)" [ "$rc" = 0 ]
check "kill: slot 1 saw zero errors" grep -q 'SUMMARY tpdus=20000 completed=20000 aborted=0 protocol_errors=0 verify_errors=0' "$T/sim1.log"
check "kill: usbslot/1 was never restarted" [ "$(grep -c 'hello from usbslot/1' "$T/client.log")" = 1 ]
check "kill: usbslot/1 logged no errors until the simulator's final unplug" \
	bash -c "! sed '/usbslot\/1 .*board gone (unplugged/,\$d' '$T/client.log' | grep -E 'ERROR|WARN' | grep -q 'usbslot/1'"

kill -TERM "$CL"; wait "$CL"; rc=$?
check "kill: remsimd exits 0 (rc=$rc)" [ "$rc" = 0 ]
for s in 0 1; do b=BKD$s; peer_wait "${!b}" 10; done
check "kill: bankd 0 saw no second ConnectClientReq" grep -q 'serve-card: .* other=0' "$T/bkd0.log"
check "kill: bankd 1 answered every TPDU of slot 1" grep -qE 'serve-card: tpdus=20000 ' "$T/bkd1.log"
no_sanitizer_reports
finish
