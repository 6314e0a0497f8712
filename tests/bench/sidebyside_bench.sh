#!/usr/bin/env bash
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
# in each round also the ZeroMQ floor (tests/tools/zmq-floor: DEALER ->
# ROUTER echo over ipc, the hub's sockets and transport).  Per chain: the
# median over rounds of each round's p50/p90/p99, and CPU per APDU per
# process (utime+stime from /proc/PID/stat, summed over the rounds).  Then
#   fat = remsim p50 - osmo p50 - 4 x floor one-way p50
# (an APDU crosses the hub four times: usbslot -> client broker -> usbslot,
# bankd broker -> reader -> bankd broker).
# Without OSMO_REMSIM_PREFIX (an osmo-remsim 1.0.0 install prefix) it says
# so and measures remsim, the floor and direct PC/SC only.
#   tests/bench/sidebyside_bench.sh [N [ROUNDS]]    (default 2000 3;
#   also BENCH_APDUS / BENCH_ROUNDS)
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/pcscd.sh"
. "$(dirname "$0")/../lib/system.sh"
. "$(dirname "$0")/../lib/osmo.sh"
. "$(dirname "$0")/../lib/shelldrive.sh"
N=${1:-${BENCH_APDUS:-2000}}
ROUNDS=${2:-${BENCH_ROUNDS:-3}}
APDU=a0f2000016		# GSM STATUS: 22 octets + 9000
FLOOR_N=$((N * 2))
. "$TOP/tests/lib/bench.sh"
bench_files sidebyside
HZ=$(getconf CLK_TCK)

pcscd_available || { echo "pcscd/vpcd or test tools missing"; exit 1; }
pcscd_start 1 || exit 1
vcard_start 0
pcsc_wait_card 0 10 || { echo "no card in reader 0"; exit 1; }

chains=(remsim direct)
if osmo_available; then
	chains=(osmo remsim direct)
else
	echo "osmo-remsim: not measured: $OSMO_WHY"
fi

# --- remsim chain ---------------------------------------------------------------
system_server server || { echo "server did not start"; exit 1; }
system_bankd 1 -s || { echo "remsim bankd did not start"; exit 1; }
system_map 0:0 1:0 || { echo "remsim map did not become ACTIVE"; exit 1; }
drive_start remsim -- "$BIN/remsim-client-shell" -i 127.0.0.1 -p "$SRV_PORT" -c 0 -n 0 \
	--run-dir "$T/client-run"
drive_ready remsim || { echo "remsim client-shell not ready: $(tail -n 3 "$T/remsim.out" "$T/remsim.log")"; exit 1; }
REMSIM_SHELL=$DRIVE_PID

# --- osmo-remsim chain: its own server (it announces its own bankd port) ---------
if [ "${chains[0]}" = osmo ]; then
	system_server server-osmo || { echo "second server did not start"; exit 1; }
	osmo_bankd osmo-bankd 2 "$SRV_PORT" "$BANKD_PORT" "${PCSC_READERS[0]}"
	_bank2_up() { "${CTL[@]}" --json banks 2>/dev/null | grep -q '"bankId": *2'; }
	wait_for 15 _bank2_up || { echo "osmo-remsim-bankd did not register: $(tail -n 3 "$T/osmo-bankd.log")"; exit 1; }
	system_map 0:0 2:0 || { echo "osmo map did not become ACTIVE"; exit 1; }
	drive_start osmo -- "${OSMO_CLIENT_SHELL[@]}" -i 127.0.0.1 -p "$SRV_PORT" -c 0 -n 0
	drive_ready osmo || { echo "osmo client-shell not ready: $(tail -n 3 "$T/osmo.out" "$T/osmo.log")"; exit 1; }
	OSMO_SHELL=$DRIVE_PID
fi

# --- the processes whose CPU is counted, "label pid" per line --------------------
children() { pgrep -P "$1"; }
comm() { cat "/proc/$1/comm" 2>/dev/null; }
{
	echo "remsim.usbslot $REMSIM_SHELL"
	for p in $(children "$REMSIM_SHELL"); do echo "remsim.client_$(comm "$p") $p"; done
	echo "remsim.remsimd $BANKD_PID"
	for p in $(children "$BANKD_PID"); do echo "remsim.bankd_$(comm "$p") $p"; done
	if [ "${chains[0]}" = osmo ]; then
		echo "osmo.client_shell $OSMO_SHELL"
		echo "osmo.bankd $OSMO_BANKD_PID"
	fi
	echo "shared.pcscd $PCSCD_PID"
	echo "shared.vcard ${VCARD_PIDS[0]}"
} >"$T/procs"
ticks() { local s; s=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }; s=${s##*) }; set -- $s; echo $((${12} + ${13})); }
declare -A CPU
snap() { local l p; while read -r l p; do echo "$l $(ticks "$p")"; done <"$T/procs"; }
account() {	# account CHAIN BEFORE-FILE: add the deltas of CHAIN's (and shared) processes
	local l v b
	while read -r l v; do
		b=$(awk -v l="$l" '$1 == l { print $2 }' "$2")
		case "$l" in "$1".*) ;; shared.*) l="$l@$1" ;; *) continue ;; esac
		CPU[$l]=$((${CPU[$l]:-0} + v - b))
	done < <(snap)
}

# --- rounds -------------------------------------------------------------------
: >"$T/results"
for ((r = 1; r <= ROUNDS; r++)); do
	order=("${chains[@]:$(((r - 1) % ${#chains[@]}))}" "${chains[@]:0:$(((r - 1) % ${#chains[@]}))}")
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
	line=$("$TBIN/zmq-floor" -n "$FLOOR_N" --dir "$T") || { echo "zmq-floor failed"; exit 1; }
	echo "round $r floor $line"
	echo "floor $line" >>"$T/results"
done
echo "# floor variants (once, for reference):"
for v in "--poll" "--poll -f 3" "--socketpair"; do echo "#   $("$TBIN/zmq-floor" -n "$FLOOR_N" --dir "$T" $v)"; done
echo

# --- summary --------------------------------------------------------------------
med() {	# med CHAIN KEY: median over rounds of KEY=value
	grep "^$1 " "$T/results" | grep -o " $2=[0-9.]*" | cut -d= -f2 | sort -g |
		awk '{ a[NR] = $1 } END { if (NR) printf "%.1f", (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'
}
calc() { awk "BEGIN { printf \"%.${2:-1}f\", $1 }"; }
cpu_us() { calc "${CPU[$1]:-0} * 1e6 / $HZ / ($ROUNDS * $N)" 0; }
cpu_sum() {	# cpu_sum CHAIN: us per APDU of CHAIN's role processes
	local k t=0
	for k in "${!CPU[@]}"; do case "$k" in "$1".*) t=$((t + CPU[$k])) ;; esac; done
	calc "$t * 1e6 / $HZ / ($ROUNDS * $N)" 0
}
{
	echo "apdus_per_round $N"
	echo "rounds $ROUNDS"
	for c in "${chains[@]}"; do
		echo "${c}_us p50=$(med "$c" p50) p90=$(med "$c" p90) p99=$(med "$c" p99)"
	done
	[ "${chains[0]}" = osmo ] || echo "osmo_us not-measured"
	f50=$(med floor p50)
	echo "floor_rtt_us p50=$f50 p90=$(med floor p90) p99=$(med floor p99) oneway_p50=$(calc "$f50 / 2")"
	for c in osmo remsim; do
		[ "$c" = osmo ] && [ "${chains[0]}" != osmo ] && continue
		line="cpu_us_per_apdu.$c total=$(cpu_sum "$c")"
		for k in $(printf '%s\n' "${!CPU[@]}" | grep "^$c\." | sort); do line="$line ${k#"$c".}=$(cpu_us "$k")"; done
		for k in $(printf '%s\n' "${!CPU[@]}" | grep "@$c$" | sort); do line="$line $(sed 's/^shared\.//; s/@.*//' <<<"$k")=$(cpu_us "$k")"; done
		echo "$line"
	done
	r50=$(med remsim p50)
	if [ "${chains[0]}" = osmo ]; then
		o50=$(med osmo p50); o99=$(med osmo p99); r99=$(med remsim p99)
		echo "fat_us p50=$(calc "$r50 - $o50 - 2 * $f50") (remsim p50 - osmo p50 - 4 x floor one-way)"
		echo "ratio_remsim_osmo p50=$(calc "$r50 / $o50" 2) p99=$(calc "$r99 / $o99" 2) cpu=$(calc "$(cpu_sum remsim) / $(cpu_sum osmo)" 2)"
	else
		echo "fat_us not-measured (no osmo-remsim); remsim p50 - 4 x floor one-way = $(calc "$r50 - 2 * $f50")"
	fi
	echo "ratio_remsim_direct p50=$(calc "$r50 / $(med direct p50)" 2)"
} >"$NEW"
bench_report "side-by-side bench (pcscd and vcard CPU shown per chain, not in total)"
