#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ifd_bench.sh: SCardTransmit round trip through the remote reader (numbers
# only): PC/SC program -> pcscd -> libifd_remsim.so -> usbslot (ifd
# frontend) -> broker -> bankd (reader) -> pcscd -> virtual card and back,
# p50/p90/p99 over N APDUs, beside the same APDUs sent directly with PC/SC to
# the same card in the same run; the ratio is the figure.  Results in
# $BUILD/bench/ifd.txt, shown beside the previous run.
#   tests/bench/ifd_bench.sh [N]      (default 2000)
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/pcscd.sh"
. "$(dirname "$0")/../lib/system.sh"
. "$(dirname "$0")/../lib/ifd.sh"
. "$TOP/tests/lib/bench.sh"
N=${1:-2000}
bench_files ifd

pcscd_available || { echo "pcscd/vpcd not usable"; exit 1; }
ifd_system 1 || exit 1
# UPDATE BINARY 16 octets, READ BINARY 16 octets (as the e2e bench)
UPD=00d6000010fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0
RD=00b0000010
direct=$(pcsc_apdu 0 -p t0 -n $((N / 2)) -S "$UPD" "$RD")
echo "direct PC/SC ($N APDUs):          $direct"
ifd_pcscd_start "remsim=$T/client.cfg" || { echo "pcscd with libifd_remsim did not start"; exit 1; }
system_map 0:0 1:0 || { echo "map did not become ACTIVE"; exit 1; }
ifd_apdu --reader remsim --wait present --timeout 15 >/dev/null || { echo "no remote card"; exit 1; }
remote=$(ifd_apdu --reader remsim -p t0 -n $((N / 2)) -S "$UPD" "$RD")
echo "remote reader ($N APDUs):         $remote"

val() { echo "$1" | sed -n "s/.*$2=\([0-9.]*\).*/\1/p"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "?" }'; }
d50=$(val "$direct" p50); d90=$(val "$direct" p90); d99=$(val "$direct" p99)
r50=$(val "$remote" p50); r90=$(val "$remote" p90); r99=$(val "$remote" p99)
{
	echo "apdus $N"
	echo "direct_us p50=$d50 p90=$d90 p99=$d99"
	echo "remote_reader_us p50=$r50 p90=$r90 p99=$r99"
	echo "ratio p50=$(ratio "$r50" "$d50") p90=$(ratio "$r90" "$d90") p99=$(ratio "$r99" "$d99")"
} >"$NEW"
echo
bench_report "ifd bench (remote PC/SC reader)"
