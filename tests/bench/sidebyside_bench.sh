#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# sidebyside_bench.sh: remsim beside the osmo-remsim 1.0.0 it replaces, on
# one machine, in one run (numbers only, never asserts).  Three chains share
# one private pcscd + vpcd + our virtual card (reader 0, opened SHARED by
# both bankds so that all three reach the same card):
#   osmo    osmo-remsim-client-shell -> osmo-remsim-bankd -> pcscd -> card
#   remsim  remsim-client-shell (usbslot + broker) -> remsim-bankd (broker +
#           reader) -> pcscd -> card
#   direct  pcsc-apdu (C, libpcsclite) -> pcscd -> card
# Each chain has its own remsim-server (it only sets up the mapping and
# announces one bankd port per server).  Both shells are driven by
# tests/tools/shell-drive: one STATUS (a0f2000016) at a time, as a modem
# does.  ROUNDS rounds of N APDUs per chain, the order rotating each round;
# in each round also the ZeroMQ floor (tests/tools/zmq-floor --hubsock:
# DEALER -> ROUTER echo over ipc with the hub's own sockets, common/actor/
# hubsock.c; libzmq's own DEALER/ROUTER pair is printed once for reference).
# Per chain: the
# median over rounds of each round's p50/p90/p99, and CPU per APDU per
# process (utime+stime from /proc/PID/stat, summed over the rounds; and the
# exact run time of all threads from /proc/PID/task/*/schedstat).  Then
#   fat = remsim p50 - osmo p50 - 4 x floor one-way p50
# (an APDU crosses the hub four times: usbslot -> client broker -> usbslot,
# bankd broker -> reader -> bankd broker).
# Without OSMO_REMSIM_PREFIX (an osmo-remsim 1.0.0 install prefix) it says
# so and measures remsim, the floor and direct PC/SC only.
#   tests/bench/sidebyside_bench.sh [N [ROUNDS]]    (default 2000 3;
#   also BENCH_APDUS / BENCH_ROUNDS)
# BENCH_CPUS=LIST runs the whole benchmark (both chains, pcscd, the card, the
# floor) under `taskset -c LIST`, every chain alike; e.g. BENCH_CPUS=0 puts
# every process on one CPU (no cross-CPU wake-ups).  Its numbers are kept
# apart from the unpinned ones (bench name sidebyside-cpusLIST).
if [ -n "${BENCH_CPUS:-}" ] && [ -z "${_BENCH_PINNED:-}" ]; then
	exec env _BENCH_PINNED=1 taskset -c "$BENCH_CPUS" bash "$0" "$@"
fi
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/chains.sh"
N=${1:-${BENCH_APDUS:-2000}}
ROUNDS=${2:-${BENCH_ROUNDS:-3}}
APDU=a0f2000016		# GSM STATUS: 22 octets + 9000
FLOOR_N=$((N * 2))
. "$TOP/tests/lib/bench.sh"
bench_files "sidebyside${BENCH_CPUS:+-cpus${BENCH_CPUS//,/_}}"
HZ=$(getconf CLK_TCK)

chains_setup || exit 1
ticks() { local s; s=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }; s=${s##*) }; set -- $s; echo $((${12} + ${13})); }
# run time of every thread in ns (/proc/PID/task/*/schedstat): exact, where
# utime+stime are clock ticks sampled
runtime_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { print s + 0 }'; }
declare -A CPU NS
snap() { local l p; while read -r l p; do echo "$l $(ticks "$p") $(runtime_ns "$p")"; done <"$T/procs"; }
account() {	# account CHAIN BEFORE-FILE: add the deltas of CHAIN's (and shared) processes
	local l v ns b bns
	while read -r l v ns; do
		read -r b bns < <(awk -v l="$l" '$1 == l { print $2, $3 }' "$2")
		case "$l" in "$1".*) ;; shared.*) l="$l@$1" ;; *) continue ;; esac
		CPU[$l]=$((${CPU[$l]:-0} + v - b))
		NS[$l]=$((${NS[$l]:-0} + ns - bns))
	done < <(snap)
}

# --- rounds -------------------------------------------------------------------
: >"$T/results"
for ((r = 1; r <= ROUNDS; r++)); do
	order=("${CHAINS[@]:$(((r - 1) % ${#CHAINS[@]}))}" "${CHAINS[@]:0:$(((r - 1) % ${#CHAINS[@]}))}")
	for c in "${order[@]}"; do
		snap >"$T/before"
		case $c in
		direct) line=$(pcsc_apdu 0 -p t0 -n "$N" -S "$APDU") || { echo "direct PC/SC failed"; exit 1; } ;;
		*) drive_run "$c" "$N" "$APDU" || { echo "$c round $r failed: $DRIVE_DONE"; exit 1; }
		   line=$DRIVE_DONE ;;
		esac
		account "$c" "$T/before"
		echo "round $r $c $line"
		echo "$c $line" >>"$T/results"
	done
	line=$("$TBIN/zmq-floor" -n "$FLOOR_N" --dir "$T" --hubsock) || { echo "zmq-floor failed"; exit 1; }
	echo "round $r floor $line"
	echo "floor $line" >>"$T/results"
done
echo "# floor variants (once, for reference):"
for v in "--hubsock -f 3" "" "--poll -f 3" "--socketpair"; do echo "#   $("$TBIN/zmq-floor" -n "$FLOOR_N" --dir "$T" $v)"; done
echo

# --- summary --------------------------------------------------------------------
med() {	# med CHAIN KEY: median over rounds of KEY=value
	grep "^$1 " "$T/results" | grep -o " $2=[0-9.]*" | cut -d= -f2 | sort -g |
		awk '{ a[NR] = $1 } END { if (NR) printf "%.1f", (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'
}
calc() { awk "BEGIN { printf \"%.${2:-1}f\", $1 }"; }
cpu_us() { calc "${CPU[$1]:-0} * 1e6 / $HZ / ($ROUNDS * $N)" 0; }
ns_us() { calc "${NS[$1]:-0} / 1e3 / ($ROUNDS * $N)" 0; }
cpu_sum() {	# cpu_sum CHAIN [ns]: us per APDU of CHAIN's role processes
	local k t=0
	if [ "${2:-}" = ns ]; then
		for k in "${!NS[@]}"; do case "$k" in "$1".*) t=$((t + NS[$k])) ;; esac; done
		calc "$t / 1e3 / ($ROUNDS * $N)" 0
	else
		for k in "${!CPU[@]}"; do case "$k" in "$1".*) t=$((t + CPU[$k])) ;; esac; done
		calc "$t * 1e6 / $HZ / ($ROUNDS * $N)" 0
	fi
}
cpu_line() {	# cpu_line KEY CHAIN FN [ns]
	local k line="$1 total=$(cpu_sum "$2" "${4:-}")"
	for k in $(printf '%s\n' "${!CPU[@]}" | grep "^$2\." | sort); do line="$line ${k#"$2".}=$($3 "$k")"; done
	for k in $(printf '%s\n' "${!CPU[@]}" | grep "@$2$" | sort); do line="$line $(sed 's/^shared\.//; s/@.*//' <<<"$k")=$($3 "$k")"; done
	echo "$line"
}
{
	echo "apdus_per_round $N"
	echo "rounds $ROUNDS"
	for c in "${CHAINS[@]}"; do
		echo "${c}_us p50=$(med "$c" p50) p90=$(med "$c" p90) p99=$(med "$c" p99)"
	done
	[ "${CHAINS[0]}" = osmo ] || echo "osmo_us not-measured"
	f50=$(med floor p50)
	echo "floor_rtt_us p50=$f50 p90=$(med floor p90) p99=$(med floor p99) oneway_p50=$(calc "$f50 / 2")"
	for c in osmo remsim; do
		[ "$c" = osmo ] && [ "${CHAINS[0]}" != osmo ] && continue
		cpu_line "cpu_us_per_apdu.$c" "$c" cpu_us
		cpu_line "cpu_exact_us_per_apdu.$c" "$c" ns_us ns
	done
	r50=$(med remsim p50)
	if [ "${CHAINS[0]}" = osmo ]; then
		o50=$(med osmo p50); o99=$(med osmo p99); r99=$(med remsim p99)
		echo "fat_us p50=$(calc "$r50 - $o50 - 2 * $f50") (remsim p50 - osmo p50 - 4 x floor one-way)"
		echo "ratio_remsim_osmo p50=$(calc "$r50 / $o50" 2) p99=$(calc "$r99 / $o99" 2) cpu=$(calc "$(cpu_sum remsim) / $(cpu_sum osmo)" 2) cpu_exact=$(calc "$(cpu_sum remsim ns) / $(cpu_sum osmo ns)" 2)"
	else
		echo "fat_us not-measured (no osmo-remsim); remsim p50 - 4 x floor one-way = $(calc "$r50 - 2 * $f50")"
	fi
	echo "ratio_remsim_direct p50=$(calc "$r50 / $(med direct p50)" 2)"
} >"$NEW"
bench_report "side-by-side bench (pcscd and vcard CPU shown per chain, not in total)"
