#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# st2_sim.sh: the SIMtrace2 simulator (st2sim) against the test host
# (st2host: st2_simsock transport + st2_tpdu engine + test card): the full
# script (PTS + header, all APDU cases, 255/256-octet TPDUs, back-to-back,
# reset mid-TPDU, status IRQs, unplug) with every R-APDU verified; the
# firmware's IN-queue model with bursts (stall with one IN transfer and no
# spare queue, none with a queue of 3 or with 4 transfers); unknown flag
# bits; then a short latency bench.
. "$(dirname "$0")/../lib/common.sh"

S="$T/st2.sock"
spawn sim "$TBIN/st2sim" --socket "$S" --verify
SIM=$SPAWNED_PID
wait_for 5 test -S "$S" || fail "st2_sim: simulator socket"
timeout 30 "$TBIN/st2host" --socket "$S" --min-in-flight 4 >"$T/host.log" 2>&1
rc=$?
wait "$SIM"; src=$?
check "st2_sim: host exit 0" [ "$rc" = 0 ]
check "st2_sim: simulator exit 0" [ "$src" = 0 ]
check "st2_sim: summary OK" grep -q "result=OK" "$T/sim.log"
check "st2_sim: PTS then header" grep -A1 "^PPS: ff 10 94 7b" "$T/sim.log" | grep -q "C-APDU: a0 a4 00 00 02 3f 00"
check "st2_sim: 256-octet response" grep -q "^C-APDU: 00 b0 00 00 00$" "$T/sim.log"
check "st2_sim: reset mid-TPDU aborted on host" grep -q "aborted=1" "$T/host.log"
check "st2_sim: status edges only (7 reports)" grep -q "status_reports=7" "$T/host.log"
check "st2_sim: unplug seen" grep -q "gone=unplugged" "$T/host.log"

# burst_case NAME "SIM ARGS" "HOST ARGS" REGEX DESCRIPTION: one simulator
# run against st2host; PASS if the simulator's output matches REGEX
burst_case() {
	rm -f "$S"
	spawn "$1" "$TBIN/st2sim" --socket "$S" --verify $2
	local sp=$SPAWNED_PID rc
	wait_for 5 test -S "$S" || fail "st2_sim: simulator socket ($1)"
	timeout 60 "$TBIN/st2host" --socket "$S" --quiet $3 >"$T/$1.host.log" 2>&1
	wait "$sp"; rc=$?
	check "st2_sim: $5 (rc=$rc)" grep -qE "$4" "$T/$1.log"
}
# the firmware's IN queue: bursts of a PTS indication and at once a TPDU header
burst_case b1q0 "--bursts 20 --in-queue 0 --timeout 2" "--in-transfers 1" \
	'stalls=1 in_dropped=1 .*result=STALL' "1 IN transfer, no spare queue: the header is dropped, STALL"
burst_case b1q3 "--bursts 100 --quiet" "--in-transfers 1" \
	'bursts=100 .*stalls=0 in_dropped=0 irq_dropped=0 result=OK' "1 IN transfer, firmware queue of 3 absorbs the burst"
check "st2_sim: ... because the header waited for the transfer" grep -q '^IN bulk: .* max_waiting=1 depth=3' "$T/b1q3.log"
burst_case b4q0 "--bursts 100 --in-queue 0 --quiet" "" \
	'bursts=100 .*stalls=0 in_dropped=0 irq_dropped=0 result=OK' "4 IN transfers, no spare queue: 100 bursts OK"
burst_case xflags "--bursts 10 --extra-flags 80000010 --quiet" "" \
	'bursts=10 .*stalls=0 .*result=OK' "unknown RX_DATA flag bits are ignored by the host"
burst_case irq1 "--bursts 5 --irq-queue 0 --turnaround-ms 50 --quiet" "" \
	'bursts=5 .*stalls=0 in_dropped=0 irq_dropped=[1-9][0-9]* result=OK' \
	"interrupt queue 0 and a slow host: STATUS messages dropped, TPDUs unaffected"

spawn bench "$TBIN/st2sim" --socket "$S" --bench 500 --quiet
BEN=$SPAWNED_PID
wait_for 5 test -S "$S"
timeout 30 "$TBIN/st2host" --socket "$S" --quiet >"$T/bhost.log" 2>&1
wait "$BEN"
check "st2_sim: bench prints percentiles" grep -qE "^BENCH tpdus=500 p50=[0-9]+us p90=[0-9]+us p99=[0-9]+us" "$T/bench.log"
grep "^BENCH" "$T/bench.log" | sed 's/^/# /'
sanitizer_check
finish
