#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench.sh: runs every benchmark under tests/bench/ (make bench).  Each prints
# numbers (latency percentiles, throughput, memory, recovery time) and keeps
# them in $BUILD/bench/NAME.txt, showing the previous run beside the new one.
# Nothing here asserts: benchmarks measure, tests decide.
#   scripts/bench.sh [NAME...]     e.g. scripts/bench.sh broker bankd
set -u
cd "$(dirname "$0")/.."
export BUILD=${BUILD:-build}
names=("$@")
if [ "${#names[@]}" = 0 ]; then
	for f in tests/bench/*_bench.sh; do n=$(basename "$f"); names+=("${n%_bench.sh}"); done
fi
rc=0
for n in "${names[@]}"; do
	echo "=== $n"
	bash "tests/bench/${n}_bench.sh" || { echo "($n bench failed with status $?)"; rc=1; }
	echo
done
exit $rc
