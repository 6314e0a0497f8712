#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# e2e_system.sh: the whole system on loopback.  A simulated modem (st2sim)
# drives the client role over the SIMtrace2 protocol; the client reaches our
# server and our bankd; the bankd's reader actors talk to a private pcscd
# with the vpcd driver and our virtual cards.  The simulator's whole TPDU
# script runs end to end; then usbslot/1 is killed with SIGKILL while slot 0
# runs TPDUs continuously: slot 0 sees zero errors, slot 1 resumes.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/pcscd.sh"
. "$(dirname "$0")/../lib/system.sh"

pcscd_available || { skip "e2e: pcscd/vpcd not usable here"; finish; }
check "e2e: private pcscd with 2 readers" pcscd_start 2
vcard_start 0; vcard_start 1
check "e2e: virtual cards present" eval "pcsc_wait_card 0 && pcsc_wait_card 1"
check "e2e: server up" system_server
check "e2e: bankd registered with 2 slots" system_bankd 2
spawn sim0 "$TBIN/st2sim" --socket "$T/sim0.sock" --timeout 20
SIM0=$SPAWNED_PID
spawn sim1 "$TBIN/st2sim" --socket "$T/sim1.sock" --bench 100000 --quiet --timeout 20
SIM1=$SPAWNED_PID
system_client 2
clients_up() { [ "$("${CTL[@]}" clients 2>/dev/null | grep -c 'CONNECTED_CLIENT')" = 2 ]; }
check "e2e: both client slots registered with the server" wait_for 15 clients_up
check "e2e: map 0:0 -> 1:0 ACTIVE" system_map 0:0 1:0
check "e2e: map 0:1 -> 1:1 ACTIVE" system_map 0:1 1:1

# slot 0: the simulator's whole script through the real system
wait_for 60 eval "! kill -0 $SIM0 2>/dev/null"
wait "$SIM0"; rc=$?
check "e2e: slot 0 ran the whole TPDU script without protocol errors (rc=$rc)" [ "$rc" = 0 ]
# (the script's warm reset in the middle of a TPDU aborts exactly that one)
check "e2e: slot 0 summary: no protocol errors, only the scripted abort" \
	grep -qE 'SUMMARY .*aborted=1 protocol_errors=0 .*result=OK' "$T/sim0.log"
n=$(grep -c '^R-APDU' "$T/sim0.log")
check "e2e: slot 0 got responses from the real card ($n R-APDUs)" [ "$n" -ge 10 ]
check "e2e: SELECT MF answered by the virtual card (9f 17)" \
	grep -A1 -x 'C-APDU: a0 a4 00 00 02 3f 00' "$T/sim0.log" | grep -qx 'R-APDU: 9f 17'
check "e2e: 255-octet command relayed and answered" grep -qE '^C-APDU: 00 d6 00 00 ff ' "$T/sim0.log"
# the ATR the modem got is the virtual card's
check "e2e: the modem was given the card's ATR" grep -q 'SetAtrReq sent: ATR 3b1a1172656d73696d2053494d' "$T/bankd.log"

# slot 1 runs TPDUs continuously while usbslot/0 is killed: slot 1 must not notice
PID0=$(sed -n 's/.*hello from usbslot\/0 (pid \([0-9]*\)).*/\1/p' "$T/client.log" | tail -n 1)
check "e2e: usbslot/0 pid known ($PID0)" [ -n "$PID0" ]
sleep 1
kill -9 "$PID0"
check "e2e: remsimd saw usbslot/0 killed and restarts it" wait_log "$T/client.log" 'usbslot/0 .*killed by signal 9' 5
# slot 0's board comes back: a fresh simulator runs the whole script again
spawn sim0b "$TBIN/st2sim" --socket "$T/sim0.sock" --timeout 20
SIM0B=$SPAWNED_PID
wait_for 60 eval "! kill -0 $SIM0B 2>/dev/null"
wait "$SIM0B"; rc=$?
check "e2e: restarted usbslot/0 runs the whole script again (rc=$rc)" [ "$rc" = 0 ]
# slot 1's modem is still busy with its TPDUs: stop it and read its summary
check "e2e: slot 1 still running" kill -0 "$SIM1"
kill -TERM "$SIM1" 2>/dev/null; wait "$SIM1" 2>/dev/null
check "e2e: slot 1 saw zero errors across the kill" \
	grep -qE 'SUMMARY tpdus=[0-9]+ completed=[0-9]+ aborted=0 protocol_errors=0 verify_errors=0' "$T/sim1.log"
n=$(sed -n 's/^SUMMARY tpdus=[0-9]* completed=\([0-9]*\).*/\1/p' "$T/sim1.log")
check "e2e: slot 1 completed TPDUs throughout (${n:-0})" [ "${n:-0}" -gt 100 ]
check "e2e: usbslot/1 was never restarted" [ "$(grep -c 'hello from usbslot/1' "$T/client.log")" = 1 ]
check "e2e: reader/1 never restarted" [ "$(grep -c 'hello from reader/1' "$T/bankd.log")" = 1 ]
finish
