#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# client_bench.sh: APDU round trip through the client role (never asserts).
#   simulated modem (st2sim --bench) -> SIMtrace2 messages -> usbslot actor
#   -> broker -> TCP RSPRO -> scripted bankd (rspro-peer serve-card, answers
#   at once from the test card) -> back to the modem,
# p50/p90/p99 over N TPDUs (default 2000; alternating case 3 and case 2, 16
# octets each), measured by the modem from the first header octet to SW2.
# For comparison the same TPDUs against st2host, which answers them locally
# (no RSPRO, no broker): the difference is the client's relay cost.
# Results go to $BUILD/bench/client.txt.
#   BUILD=build-client tests/bench/client_bench.sh [N]
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../integration/client_common.bash"
N=${1:-2000}
. "$TOP/tests/lib/bench.sh"
bench_files client
export REMSIM_LOG_LEVEL=${REMSIM_LOG_LEVEL:-notice}

PS=$(free_port); PB=$(free_port)
client_cfg "$T/client.cfg" 1 "$PS"
peer srv "$PS" 600000 <<EOS
$(server_lines "$PB" 0)
expect-close 600000
EOS
peer bkd "$PB" 600000 <<EOS
$(bankd_lines 0)
serve-card 600000
EOS
spawn client "$BIN/remsimd" -c "$T/client.cfg"
CL=$SPAWNED_PID
spawn sim "$TBIN/st2sim" --socket "$T/sim0.sock" --bench "$N" --verify --quiet --timeout 30
SIM=$SPAWNED_PID
wait_child "$SIM" $((N / 100 + 60))
relay=$(grep '^BENCH' "$T/sim.log")
summary=$(grep '^SUMMARY' "$T/sim.log")
kill -TERM "$CL"; wait "$CL" 2>/dev/null

# baseline: the same modem against a host that answers locally
spawn sim2 "$TBIN/st2sim" --socket "$T/simb.sock" --bench "$N" --verify --quiet --timeout 30
SIM2=$SPAWNED_PID
wait_for 5 test -S "$T/simb.sock"
spawn host "$TBIN/st2host" --socket "$T/simb.sock" --quiet
wait_child "$SIM2" $((N / 100 + 60))
local_=$(grep '^BENCH' "$T/sim2.log")

us() { echo "$1" | sed -n "s/.*$2=\([0-9]*\)us.*/\1/p"; }
echo "relay: modem -> usbslot -> broker -> scripted bankd -> back; local: modem -> st2host test card, no RSPRO"
echo "${summary:-no summary}"
r50=$(us "$relay" p50); l50=$(us "$local_" p50)
r90=$(us "$relay" p90); l90=$(us "$local_" p90)
r99=$(us "$relay" p99); l99=$(us "$local_" p99)
{
	echo "apdus $N"
	echo "relay_p50_us ${r50:-?}"
	echo "relay_p90_us ${r90:-?}"
	echo "relay_p99_us ${r99:-?}"
	echo "local_p50_us ${l50:-?}"
	echo "local_p99_us ${l99:-?}"
	if [ -n "$r50" ] && [ -n "$l50" ]; then
		echo "relay_cost_p50_us $((r50 - l50))"
		echo "relay_cost_p99_us $((r99 - l99))"
	fi
} >"$NEW"
bench_report "client bench"
