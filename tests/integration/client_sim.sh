#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# client_sim.sh: remsim-client (launcher -> remsimd -> broker + usbslot) with
# the SIMtrace2 frontend on the st2sim simulator: the simulator's whole
# TPDU script (PTS followed at once by a header, all four cases, 255-octet
# commands, 256-octet responses, 61xx/6Cxx follow-ups, back-to-back TPDUs, a
# reset in the middle of a TPDU) relayed to a scripted bankd that answers
# with the test card, every R-APDU verified by the simulated modem; status
# IRQs -> ClientSlotStatusInd; unplug and replug of the board recover by
# themselves without touching the bankd connection.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/client_common.bash"

PS=$(free_port); PB=$(free_port)
event_script
peer srv "$PS" <<EOS
$(server_lines "$PB" 0)
expect-close 60000
EOS
SRV=$PEER_PID
peer bkd "$PB" <<EOS
$(bankd_lines 0)
serve-card 60000
EOS
BKD=$PEER_PID

sim_client sim1 "$PS" --verify --timeout 10
SIM1=$SIM

peer_wait "$SIM1" 30; rc=$?
check "sim: the modem's whole TPDU script completed and verified (rc=$rc)" [ "$rc" = 0 ]
check "sim: simulator summary OK" grep -q 'SUMMARY .*result=OK' "$T/sim1.log"
check "sim: no protocol errors at the modem" grep -q 'protocol_errors=0 verify_errors=0' "$T/sim1.log"
check "sim: 255-octet command relayed in one TpduModemToCard" grep -q '^C-APDU: 00 d6 00 00 ff' "$T/sim1.log"
check "sim: 256-octet response delivered" grep -q '^C-APDU: 00 b0 00 00 00' "$T/sim1.log"
check "sim: PTS logged, not forwarded" grep -q 'PTS Indication (ff 10 94 7b)' "$T/client.log"
check "sim: status IRQs -> clientSlotStatusInd" grep -q 'Tx clientSlotStatusInd(reset_act=1, vcc_act=1, clk_act=1' "$T/client.log"
check "sim: board CONFIG/SIM_SELECT/ATR/CARDINSERT sent" grep -qE 'host_msgs=[1-9]' "$T/sim1.log"
check "sim: card insert seen by the board" grep -q 'card_insert=1' "$T/sim1.log"
check "sim: unplug detected, re-open scheduled" wait_log "$T/client.log" 'board gone \(unplugged' 5
check "sim: event-modem-status with VCC=1" ev_has event-modem-status '^REMSIM_SIM_VCC=1$'

# replug: a new simulator on the same socket; the slot finds it by itself
spawn sim2 "$TBIN/st2sim" --socket "$T/sim0.sock" --verify --timeout 10
SIM2=$SPAWNED_PID
peer_wait "$SIM2" 30; rc=$?
check "sim: after a replug the whole script runs again (rc=$rc)" [ "$rc" = 0 ]
check "sim: board re-opened, presented again while OPERATIONAL" \
	grep -q 'board ready while OPERATIONAL' "$T/client.log"
check "sim: the bankd connection was not touched by unplug/replug" \
	[ "$(grep -c 'bankd connection .* up: Tx connectClientReq' "$T/client.log")" = 1 ]

kill -TERM "$CL"
wait "$CL"; rc=$?
check "sim: remsimd stops cleanly on SIGTERM (rc=$rc)" [ "$rc" = 0 ]
peer_wait "$BKD" 10
n=$(sed -n 's/^serve-card: tpdus=\([0-9]*\).*/\1/p' "$T/bkd.log")
c1=$(sed -n 's/.*SUMMARY tpdus=\([0-9]*\) completed.*/\1/p' "$T/sim1.log")
c2=$(sed -n 's/.*SUMMARY tpdus=\([0-9]*\) completed.*/\1/p' "$T/sim2.log")
check "sim: one TpduModemToCard per completed modem TPDU (bankd $n, modem $c1+$c2)" \
	[ -n "$n" ] && [ "$n" = $((c1 + c2)) ]
check "sim: the bankd got status indications" grep -qE 'serve-card: .*status=[1-9]' "$T/bkd.log"
no_sanitizer_reports
finish
