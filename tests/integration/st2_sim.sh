#!/usr/bin/env bash
# st2_sim.sh: the SIMtrace2 simulator (st2sim) against the test host
# (st2host: st2_simsock transport + st2_tpdu engine + test card): the full
# script (PTS + header, all APDU cases, 255/256-octet TPDUs, back-to-back,
# reset mid-TPDU, status IRQs, unplug) with every R-APDU verified, then a
# short latency bench.
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

spawn bench "$TBIN/st2sim" --socket "$S" --bench 500 --quiet
BEN=$SPAWNED_PID
wait_for 5 test -S "$S"
timeout 30 "$TBIN/st2host" --socket "$S" --quiet >"$T/bhost.log" 2>&1
wait "$BEN"
check "st2_sim: bench prints percentiles" grep -qE "^BENCH tpdus=500 p50=[0-9]+us p90=[0-9]+us p99=[0-9]+us" "$T/bench.log"
grep "^BENCH" "$T/bench.log" | sed 's/^/# /'
finish
