#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# e2e_bench.sh: APDU round trip through the whole system (numbers only):
# simulated modem (st2sim --bench) -> client (usbslot) -> bankd (reader) ->
# pcscd -> virtual card and back, p50/p90/p99 over N APDUs, beside the same
# APDUs sent directly with PC/SC to the same card in the same run; the ratio
# is the figure.  Results in $BUILD/bench/e2e.txt, shown beside the previous run.
#   tests/bench/e2e_bench.sh [N]      (default 2000)
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/pcscd.sh"
. "$(dirname "$0")/../lib/system.sh"
N=${1:-2000}
. "$TOP/tests/lib/bench.sh"
bench_files e2e

pcscd_available || { echo "pcscd/vpcd not usable"; exit 1; }
pcscd_start 1 || exit 1
vcard_start 0
pcsc_wait_card 0 10 || exit 1
# the st2sim bench's two commands: UPDATE BINARY 16 octets, READ BINARY 16 octets
UPD=00d6000010fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0
RD=00b0000010
direct=$(pcsc_apdu 0 -p t0 -n $((N / 2)) -S "$UPD" "$RD")
echo "direct PC/SC ($N APDUs):      $direct"

system_server || { echo "server did not start"; exit 1; }
system_bankd 1 || { echo "bankd did not start"; exit 1; }
spawn sim0 "$TBIN/st2sim" --socket "$T/sim0.sock" --bench "$N" --quiet --timeout 30
SIM=$SPAWNED_PID
system_client 1
system_map 0:0 1:0 || { echo "map did not become ACTIVE"; exit 1; }
wait "$SIM"
bench=$(grep '^BENCH' "$T/sim0.log")
echo "through remsim ($N APDUs):    $bench"

val() { echo "$1" | sed -n "s/.*$2=\([0-9.]*\).*/\1/p"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "?" }'; }
d50=$(val "$direct" p50); d90=$(val "$direct" p90); d99=$(val "$direct" p99)
s50=$(val "$bench" p50); s90=$(val "$bench" p90); s99=$(val "$bench" p99)
rss() { local p; p=$(pgrep -f -- "$1" | head -n 1); [ -n "$p" ] && awk '/VmRSS/ { print $2 }' "/proc/$p/status"; }
{
	echo "apdus $N"
	echo "direct_us p50=$d50 p90=$d90 p99=$d99"
	echo "system_us p50=$s50 p90=$s90 p99=$s99"
	echo "ratio p50=$(ratio "$s50" "$d50") p90=$(ratio "$s90" "$d90") p99=$(ratio "$s99" "$d99")"
	echo "rss_kib usbslot=$(rss 'usbslot --hub') reader=$(rss 'reader --hub') client_broker=$(rss "broker --hub ipc://$T/client-run")"
} >"$NEW"
echo
bench_report "e2e bench"
