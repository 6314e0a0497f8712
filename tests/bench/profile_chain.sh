#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# profile_chain.sh: where an APDU's time goes, per process, on the chains of
# sidebyside_bench.sh (remsim, and osmo-remsim with OSMO_REMSIM_PREFIX).
# Numbers only; not run by `make bench` (it needs perf and strace, and strace
# slows the chain down a lot).  For each process of a chain, per APDU:
#   cpu_us      CPU time (sum_exec_runtime of every thread, /proc/PID/task/*/schedstat)
#   wakeups     context switches (voluntary + involuntary, every thread)
#   syscalls    system calls (strace -c -f, a separate run), and the top ones
# then, with perf (cpu-clock sampling, call graphs), the hottest functions of
# each process (self time), and the whole report in $T (kept with KEEP_TMP=1).
#   tests/bench/profile_chain.sh [N]     (default 2000 STATUS APDUs per step)
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/chains.sh"
N=${1:-2000}
APDU=a0f2000016
for t in perf strace; do command -v $t >/dev/null || { echo "profile: $t missing (scripts/install-deps.sh)"; exit 1; }; done

chains_setup || exit 1
run_chain() { drive_run "$1" "$2" "$APDU" || { echo "$1: $DRIVE_DONE"; exit 1; }; }

# per-thread counters of a process: "TID:NAME ns switches" per line
counters() {
	local t a b
	for t in /proc/"$1"/task/*; do
		read -r a _ <"$t/schedstat" 2>/dev/null || continue
		b=$(awk '/ctxt_switches/ { s += $2 } END { print s + 0 }' "$t/status" 2>/dev/null)
		echo "${t##*/}:$(tr ' ' _ <"$t/comm") $a $b"
	done
}
pids_of() { awk -v c="$1" 'index($1, c ".") == 1 || $1 ~ /^shared\./' "$T/procs"; }

for c in "${CHAINS[@]}"; do
	[ "$c" = direct ] && continue
	run_chain "$c" 300	# warm up
	echo "=== $c: $N APDUs"

	# --- CPU and wake-ups ----------------------------------------------------------
	while read -r l p; do counters "$p" >"$T/cnt0.$l"; done < <(pids_of "$c")
	run_chain "$c" "$N"
	echo "  round trip: $DRIVE_DONE"
	echo "  per APDU: CPU us and wake-ups (context switches) per process, and per thread"
	while read -r l p; do
		counters "$p" >"$T/cnt1.$l"
		awk -v l="$l" -v n="$N" '
			NR == FNR { ns[$1] = $2; sw[$1] = $3; next }
			($1 in ns) { dn = ($2 - ns[$1]) / 1000 / n; ds = ($3 - sw[$1]) / n; tn += dn; ts += ds
				sub(/^[0-9]+:/, "", $1); th = th sprintf("  %s %.1f us %.2f", $1, dn, ds) }
			END { printf "  %-24s %6.1f us %5.2f wake-ups |%s\n", l, tn, ts, th }' "$T/cnt0.$l" "$T/cnt1.$l"
	done < <(pids_of "$c")

	# --- system calls (strace slows everything: a separate run) ---------------------
	spids=()
	while read -r l p; do
		strace -c -f -q -o "$T/strace.$l" -p "$p" &
		spids+=($!)
		SPAWNED_PIDS+=($!)	# (killed on exit if we fail before the end)
	done < <(pids_of "$c")
	sleep 1
	run_chain "$c" "$N"
	for p in "${spids[@]}"; do kill -INT "$p" 2>/dev/null; done
	for p in "${spids[@]}"; do wait "$p" 2>/dev/null; done
	echo "  system calls per APDU (strace -c -f), the top ones:"
	while read -r l p; do
		awk -v l="$l" -v n="$N" '
			$NF == "total" { tot = $4 }
			$1 ~ /^[0-9.]+$/ && $NF != "total" { calls[$NF] = $4 }
			END {
				printf "  %-24s %5.1f:  ", l, tot / n
				m = 0
				for (k in calls) { a[++m] = calls[k] " " k }
				# print the 6 largest
				for (i = 1; i <= 6 && i <= m; i++) {
					best = 0
					for (j = 1; j <= m; j++) { split(a[j], f, " "); if (f[1] + 0 > best) { best = f[1] + 0; bj = j } }
					split(a[bj], f, " "); printf "%s %.1f  ", f[2], f[1] / n; a[bj] = "0 x"
				}
				printf "\n"
			}' "$T/strace.$l"
	done < <(pids_of "$c")

	# --- perf: hottest functions per process -----------------------------------------
	plist=$(pids_of "$c" | awk '{ print $2 }' | paste -sd,)
	perf record -q -e cpu-clock -F 4999 -g -p "$plist" -o "$T/perf.$c.data" 2>"$T/perf.$c.err" &
	pp=$!
	SPAWNED_PIDS+=($pp)
	sleep 1
	run_chain "$c" "$N"
	kill -INT "$pp"; wait "$pp" 2>/dev/null
	perf report -i "$T/perf.$c.data" --stdio --no-children --sort pid,dso,sym 2>/dev/null >"$T/perf.$c.txt"
	echo "  perf (self time, share of all samples of these processes; whole report: $T/perf.$c.txt)"
	while read -r l p; do
		grep -E "^ +[0-9.]+% +$p:" "$T/perf.$c.txt" | head -n 8 |
			awk -v l="$l" '{ printf "    %-22s %6s  %-28s %s\n", l, $1, $3, $5 }'
	done < <(pids_of "$c")
done
