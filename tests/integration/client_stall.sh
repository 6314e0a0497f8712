#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# client_stall.sh: the "stuck on PTS" scenario (spec simtrace2-cardem.md
# §8.2, OS#4409) from the board's side, through remsim-client -> remsimd ->
# usbslot -> broker -> a scripted bankd answering with the test card.  The
# simulated modem does bursts: warm reset, PPS, and at once a TPDU header;
# the simulated firmware gives the host one IN message per posted transfer
# and here keeps no spare queue (--in-queue 0), so a message produced while
# the host has no transfer posted is lost.
#   1. --usb-bulk-in 1: the header after the PTS indication is dropped and the
#      modem waits for a procedure byte for ever: the test asserts the STALL.
#   2. the default (4 transfers): 1000 bursts, no stall, no message dropped,
#      every TPDU answered (bankd count = modem count).
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/client_common.bash"

# run_case NAME CLIENT_ARGS... : server + bankd peers, the client on $T/NAME.sock
run_case() {
	local n=$1; shift
	local ps pb
	ps=$(free_port); pb=$(free_port)
	peer "srv_$n" "$ps" <<EOS
$(server_lines "$pb" 0)
expect-close 120000
EOS
	peer "bkd_$n" "$pb" <<EOS
$(bankd_lines 0)
serve-card 120000
EOS
	BKD=$PEER_PID
	spawn "cl_$n" "$BIN/remsim-client" -i 127.0.0.1 -p "$ps" -c 7 -n 0 --sim "$T/$n.sock" \
		--run-dir "$RUN.$n" "$@"
	CL=$SPAWNED_PID
}

# 1. one bulk-IN transfer: the stall is reproduced
spawn sim1 "$TBIN/st2sim" --socket "$T/one.sock" --verify --in-queue 0 --bursts 1000 --timeout 3
SIM=$SPAWNED_PID
wait_for 5 test -S "$T/one.sock"
run_case one --usb-bulk-in 1
peer_wait "$SIM" 40; rc=$?
check "stall: one IN transfer -> the simulator reports a stall (rc=$rc)" \
	grep -q '^STALL: TPDU a0 a4 00 00 02 unanswered' "$T/sim1.log"
check "stall: summary says STALL, exit status 1" \
	[ "$rc" = 1 ] && grep -q 'stalls=1 .*result=STALL' "$T/sim1.log"
check "stall: the firmware dropped the TPDU header (RX_DATA) for want of a transfer" \
	grep -q '# IN 0x85: no transfer posted and 0 waiting: CARDEM/RX_DATA dropped' "$T/sim1.log"
check "stall: the PTS indication did reach the slot" grep -q 'PTS Indication (ff 10 94 7b)' "$T/cl_one.log"
check "stall: the slot warned about the single transfer (OS#4409)" \
	grep -q 'only 1 bulk-IN transfer kept submitted .*OS#4409' "$T/cl_one.log"
check "stall: the slot logs 1 transfer in flight" \
	wait_log "$T/cl_one.log" 'bulk-IN transfers in flight .* min 1 max 1' 5
kill -TERM "$CL"; wait "$CL"
peer_wait "$BKD" 10
check "stall: the slot never saw the header (no TPDU reached the bankd)" \
	grep -q '^serve-card: tpdus=0 ' "$T/bkd_one.log"

# 2. the default: 4 transfers in flight, 1000 bursts
spawn sim4 "$TBIN/st2sim" --socket "$T/four.sock" --verify --in-queue 0 --bursts 1000 --timeout 10 --quiet
SIM=$SPAWNED_PID
wait_for 5 test -S "$T/four.sock"
run_case four
peer_wait "$SIM" 120; rc=$?
check "bursts: 1000 bursts with the default transfers end OK (rc=$rc)" \
	grep -q 'bursts=1000 .*stalls=0 in_dropped=0 irq_dropped=0 result=OK' "$T/sim4.log"
check "bursts: 2000 TPDUs (SELECT + GET RESPONSE per burst), all completed and verified" \
	grep -q 'SUMMARY tpdus=2000 completed=2000 aborted=0 protocol_errors=0 verify_errors=0' "$T/sim4.log"
check "bursts: 1000 PTS indications" grep -q ' pts=1000 ' "$T/sim4.log"
check "bursts: the slot kept 4 transfers in flight" \
	wait_log "$T/cl_four.log" 'bulk-IN transfers in flight .* min 4 max 4' 5
kill -TERM "$CL"; wait "$CL"
peer_wait "$BKD" 10
check "bursts: every TPDU reached the bankd once ($(grep -o 'tpdus=[0-9]*' "$T/bkd_four.log"))" \
	grep -q '^serve-card: tpdus=2000 ' "$T/bkd_four.log"
grep -h '^IN bulk' "$T/sim4.log" | sed 's/^/# /'
no_sanitizer_reports
finish
