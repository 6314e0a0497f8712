#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# history_bench.sh: size of the mapping database after many create/delete
# cycles (tests/tools/mapdb-bench --history: the mapstore's storage path, two history
# rows per cycle), without retention, with the default retention
# (history.keep_days = 400, history.max_rows = 200000) and with a small row
# cap, at CYCLES (default 100,000) and three times as many.  Never asserts.
#   BUILD=build tests/bench/history_bench.sh [CYCLES]
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/bench.sh"
N=${1:-100000}
HB=$TBIN/mapdb-bench
[ -x "$HB" ] || { echo "missing $HB (build first)"; exit 1; }
bench_files history

# run NAME CYCLES KEEP ROWS: one line "NAME MiB (rows pruned, s)"
run() {
	local out
	out=$("$HB" --history "$2" "$3" "$4" "$T") || echo "# $1: failures"
	echo "# $out"
	awk -v k="$1" '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
		END { printf "%s %.1f MiB (%d bytes/cycle, %s rows pruned, %s s)\n", k, v["db_bytes"] / 1048576,
		      v["bytes_per_cycle"], v["rows_pruned"], v["seconds"] }' <<<"$out" >>"$NEW"
}
run "no_retention_${N}" "$N" 0 0
run "default_retention_${N}" "$N" 400 200000
run "max_rows_20000_${N}" "$N" 400 20000
run "default_retention_$((3 * N))" $((3 * N)) 400 200000
bench_report "history bench: database size after create/delete cycles"
