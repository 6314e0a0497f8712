# SPDX-License-Identifier: GPL-2.0-or-later
# tests/lib/bench.sh: where a benchmark keeps its numbers and how it shows
# them beside the previous run's.  Source after tests/lib/common.sh.
#   bench_files NAME     sets RES=$BUILD/bench/NAME.txt (kept across runs) and
#                        NEW (this run's lines, "KEY VALUE...", in $T)
#   bench_report TITLE   print NEW with the previous run's value of each KEY,
#                        then keep NEW as RES

bench_files() {
	local dir=$TOP/$BUILD/bench
	case "$BUILD" in /*) dir=$BUILD/bench ;; esac
	mkdir -p "$dir"
	RES=$dir/$1.txt
	NEW=$T/$1.new
	: >"$NEW"
}

bench_report() {
	local line k v prev
	echo "$1 ($(date -u +%FT%TZ), $(nproc) cores, build $BUILD)"
	while IFS= read -r line; do
		k=${line%% *}
		v=${line#"$k"}
		v=${v# }
		prev=""
		[ -f "$RES" ] && prev=$(awk -v k="$k" '$1 == k { sub(/^[^ ]+ */, ""); print; exit }' "$RES")
		if [ -n "$prev" ]; then
			printf '  %-30s %12s   (previous %s)\n' "$k" "$v" "$prev"
		else
			printf '  %-30s %12s\n' "$k" "$v"
		fi
	done <"$NEW"
	cp "$NEW" "$RES"
	echo "written to $RES"
}
