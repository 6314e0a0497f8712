#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/run.sh: runs every test of the project and prints one closing line
# "N passed, N failed, N skipped".  Unit test programs and integration scripts
# print "PASS: name", "FAIL: name" or "SKIP: name" per case; a program that
# exits non-zero without a FAIL line counts as one failure of its own.
#   BUILD=build tests/run.sh [FILTER]   (FILTER: substring of test names)
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export BUILD
FILTER=${1:-}
LOGDIR=$BUILD/test-logs
mkdir -p "$LOGDIR"
pass=0 fail=0 skip=0 failed_names=()
# The system paths a role uses by default: tests never write there (they
# use their own temporary folders).  Those absent now must be absent after.
SYSTEM_PATHS=(/run/remsim /run/remsim-bankd /var/lib/remsim /etc/remsim)
absent_before=()
for p in "${SYSTEM_PATHS[@]}"; do [ -e "$p" ] || absent_before+=("$p"); done

run_one() {     # name, command...
	local name=$1; shift
	[ -n "$FILTER" ] && [[ "$name" != *"$FILTER"* ]] && return 0
	local log=$LOGDIR/$(echo "$name" | tr '/ ' '__').log
	local t0=$SECONDS
	"$@" >"$log" 2>&1
	local rc=$?
	local p f s
	p=$(grep -c '^PASS: ' "$log"); f=$(grep -c '^FAIL: ' "$log"); s=$(grep -c '^SKIP: ' "$log")
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then f=1; echo "FAIL: $name (exit status $rc)" >>"$log"; fi
	pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
	if [ "$f" != 0 ]; then
		failed_names+=("$name")
		printf '%-44s FAILED (%d passed, %d failed) [%ds] log: %s\n' "$name" "$p" "$f" $((SECONDS - t0)) "$log"
		grep -E '^(FAIL: |  )' "$log" | head -n 20 | sed 's/^/    /'
	else
		printf '%-44s ok (%d passed, %d skipped) [%ds]\n' "$name" "$p" "$s" $((SECONDS - t0))
	fi
}

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	run_one "unit/$(basename "$t")" "$t"
done
for t in "$BUILD"/tests/fuzz_*; do
	[ -x "$t" ] || continue
	n=$(basename "$t"); n=${n#fuzz_}
	run_one "fuzz-replay/$n" "$t" "tests/fuzz/corpus/$n"
done
for t in tests/integration/*.sh; do
	[ -f "$t" ] || continue
	run_one "integration/$(basename "$t" .sh)" bash "$t"
done

written=()
for p in "${absent_before[@]:-}"; do [ -n "$p" ] && [ -e "$p" ] && written+=("$p"); done
if [ "${#written[@]}" -gt 0 ] && [ -z "$FILTER" ]; then
	echo "FAIL: the suite created ${written[*]} outside its temporary folders (left in place to look at)"
	fail=$((fail + 1)); failed_names+=("system-paths")
else
	[ -z "$FILTER" ] && pass=$((pass + 1)) && echo "system paths untouched: ${SYSTEM_PATHS[*]}"
fi

echo
if [ "${#failed_names[@]}" -gt 0 ]; then
	echo "failed: ${failed_names[*]}"
fi
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
