#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bankd_bench.sh: numbers for the bankd's reader path (never asserts).
#  - APDU round trip scripted client -> broker -> reader -> pcscd -> vpcd ->
#    vcard -> back, p50/p90/p99 over N APDUs (default 3000), beside the same
#    APDU sent directly with PC/SC (pcsc-apdu) to the same card in the same
#    run, and the ratio;
#  - 8 slots in parallel (4 private pcscd x 2 readers): aggregate APDUs/s;
#  - RSS of each reader actor;
#  - recovery after kill -9 of a reader: kill -> fresh ATR -> first good APDU
#    on the same TCP connection (median of 3).
# Results go to $BUILD/bench/bankd.txt; the previous run's numbers (if that
# file existed) are printed beside the new ones.
#   BUILD=build-reader tests/bench/bankd_bench.sh [APDUS] [PARALLEL_APDUS_PER_SLOT]
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/pcscd.sh"
. "$(dirname "$0")/../integration/bankd_reader_common.bash"
N=${1:-3000}
NPAR=${2:-3000}
NS=8
. "$TOP/tests/lib/bench.sh"
bench_files bankd
ATR=3b1a1172656d73696d2053494d
APDU=a0f2000016		# GSM STATUS: 22 octets + 9000

pcscd_available || { echo "bankd bench: pcscd/vpcd or test tools missing"; exit 1; }
multi_pcscd 4 || { echo "bankd bench: pcscd did not start"; exit 1; }
for ((i = 0; i < NS; i++)); do slot_vcard "$i"; done
for ((i = 0; i < NS; i++)); do slot_wait_card "$i" || { echo "no card on slot $i"; exit 1; }; done
bankd_config "$NS"
start_bankd "$NS" || { echo "bankd did not start"; tail -n 20 "$T/remsimd.log"; exit 1; }
new=$NEW

# --- latency: direct PC/SC, then through the bankd, same card -------------------
slot_apdu 0 -S -n "$N" "$APDU" >"$T/direct.out" 2>&1 || { cat "$T/direct.out"; exit 1; }
{ hello 1:0 "$ATR"; echo "tpdu-bench $N tpduModemToCard client=1:0 bank=1:0 data=$APDU"; } >"$T/lat.script"
peer 0 "$T/lat.script" -q >"$T/lat.out" 2>&1 || { cat "$T/lat.out"; exit 1; }
val() { grep -o "$2=[0-9.]*" "$1" | head -n 1 | cut -d= -f2 | sed 's/us$//'; }
for p in p50 p90 p99; do
	d=$(val "$T/direct.out" "$p") b=$(val "$T/lat.out" "$p")
	echo "rtt_direct_${p}_us $d" >>"$new"
	echo "rtt_bankd_${p}_us $b" >>"$new"
	echo "rtt_ratio_$p $(awk -v b="$b" -v d="$d" 'BEGIN { printf "%.2f", (d > 0 ? b / d : 0) }')" >>"$new"
done
echo "rtt_apdus $N" >>"$new"

# --- 8 slots in parallel ----------------------------------------------------------
pids=()
t0=$(date +%s%N)
for ((i = 0; i < NS; i++)); do
	{ hello "2$i:0" "$ATR"; echo "tpdu-bench $NPAR tpduModemToCard client=2$i:0 bank=1:$i data=$APDU"; } >"$T/par$i.script"
	peer "$i" "$T/par$i.script" -q >"$T/par$i.out" 2>&1 &
	pids+=($!)
done
errs=0
for p in "${pids[@]}"; do wait "$p" || errs=$((errs + 1)); done
t1=$(date +%s%N)
echo "par_${NS}_slots_apdus_per_s $(awk -v n=$((NS * NPAR)) -v t=$((t1 - t0)) 'BEGIN { printf "%.0f", n / (t / 1e9) }')" >>"$new"
echo "par_${NS}_slots_p50_us $(cat "$T"/par*.out | grep -o 'p50=[0-9]*' | cut -d= -f2 | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')" >>"$new"
echo "par_failed_slots $errs" >>"$new"

# --- RSS per reader ------------------------------------------------------------------
rss() { awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null; }
r=()
for ((i = 0; i < NS; i++)); do r+=("$(rss "$(reader_pid "$i")")"); done
echo "rss_reader_max_kib $(printf '%s\n' "${r[@]}" | sort -n | tail -n 1)" >>"$new"
echo "rss_reader_min_kib $(printf '%s\n' "${r[@]}" | sort -n | head -n 1)" >>"$new"

# --- recovery after kill -9 of reader/3 -------------------------------------------------
mkfifo "$T/rec.fifo"
exec 7<>"$T/rec.fifo"
spawn rec sh -c 'exec 7>&-; exec "$0" -c "$1" -t 10000 <"$2"' "$PEER" "127.0.0.1:${CLIENT_PORT[3]}" "$T/rec.fifo"
{ hello 33:0 "$ATR"; tpdu_lines 33:0 1:3 "$APDU" ""; } >&7
wait_log "$T/rec.log" '< tpduCardToModem' 10
times=()
for k in 1 2 3; do
	before=$(grep -c '< tpduCardToModem' "$T/rec.log")
	pid=$(reader_pid 3)
	t0=$(date +%s%N)
	kill -9 "$pid"
	{ echo "await setAtrReq atr=$ATR"; tpdu_lines 33:0 1:3 "$APDU" ""; } >&7
	got() { [ "$(grep -c '< tpduCardToModem' "$T/rec.log")" -gt "$before" ]; }
	for _ in $(seq 1 2000); do got && break; sleep 0.005; done
	times+=($((($(date +%s%N) - t0) / 1000000)))
	sleep 0.5
done
echo close >&7
exec 7>&-
echo "recovery_ms_median $(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)" >>"$new"
echo "recovery_ms_all $(IFS=/; echo "${times[*]}")" >>"$new"

bench_report "bankd bench"
