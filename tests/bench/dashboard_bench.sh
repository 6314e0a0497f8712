#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# dashboard_bench.sh: numbers for the operator dashboard (never asserts).
# A real server role with 32 bankds x 32 slots and 1,024 clients (one
# tests/tools/server-load process), every client slot mapped and ACTIVE; then
# headless chromium (the helpers of tests/integration/dashboard_browser.sh)
# loads the page and reports, from the browser's Performance API:
#  - first full render (grid of 1,024 cells, 1,024 client rows, 1,024 maps),
#    ms since navigation start, and the render itself;
#  - while 32 maps are removed and re-added 5 times (live updates by the 1 s
#    poll): renders seen, their median and max duration, long tasks (> 50 ms).
# Results in $BUILD/bench/dashboard.txt, shown beside the previous run's.
#   BUILD=build tests/bench/dashboard_bench.sh
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../integration/server_common.bash"
. "$TOP/tests/lib/bench.sh"
. "$TOP/tests/lib/dashboard.sh"
NBANK=32 NSLOT=32 NCLI=1024
dashboard_deps >"$T/deps.txt" || { echo "dashboard bench skipped: $(cat "$T/deps.txt")"; exit 0; }
ulimit -n 8192 2>/dev/null || ulimit -n "$(ulimit -Hn)"
bench_files dashboard

KA_INTERVAL=30000 KA_TIMEOUT=10000 dashboard_server "" || { echo "server did not start"; tail -20 "$T/remsimd.log"; exit 1; }
spawn load "$TBIN/server-load" -c "127.0.0.1:$P_RSPRO" -b $NBANK -s $NSLOT -n $NCLI -t 300
wait_log "$T/load.log" '^READY' 60 || { echo "peers did not connect"; tail "$T/load.log"; exit 1; }
DASH_NBANK=$NBANK DASH_NSLOT=$NSLOT DASH_NCLI=$NCLI DASH_NEW=$NEW \
	dashboard_py "$TOP/tests/bench/dashboard_bench.py" || { echo "browser part failed"; exit 1; }
bench_report "dashboard: $NBANK banks x $NSLOT slots, $NCLI clients"
