#!/usr/bin/env bash
# server_bench.sh: numbers for the server role (never asserts).
# 32 bankds x 32 slots and 1,024 clients connected (one tests/tools/server-load
# process holding every connection, answering PINGs and CreateMappingReqs),
# then all 1,024 client slots mapped one by one with remsim-ctl:
#  - total time from the first `map` until every client was told its bankd
#    (= every map ACTIVE), and the maps ACTIVE in `remsim-ctl maps`;
#  - per-command latency of `remsim-ctl map` (process start to exit) p50/p99;
#  - RSS of the broker and the mapstore after it.
# Results go to $BUILD/bench/server.txt; the previous run's numbers (if that
# file existed) are printed beside the new ones.
#   BUILD=build-server tests/bench/server_bench.sh [CLIENTS]
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../integration/server_common.bash"
NCLI=${1:-1024}
NBANK=32
NSLOT=32
OUT_DIR=$TOP/$BUILD/bench
case "$BUILD" in /*) OUT_DIR=$BUILD/bench ;; esac
mkdir -p "$OUT_DIR"
RES=$OUT_DIR/server.txt
ulimit -n 8192 2>/dev/null || ulimit -n "$(ulimit -Hn)"

KA_INTERVAL=30000 KA_TIMEOUT=10000 server_cfg "$T/server.cfg"
server_start "$T/server.cfg" || { echo "server did not start"; tail -20 "$T/remsimd.log"; exit 1; }
MS=$(pid_of mapstore); BR=$(pid_of broker)
RSS0_MS=$(rss_kib "$MS"); RSS0_BR=$(rss_kib "$BR")

spawn load "$TBIN/server-load" -c "127.0.0.1:$P_RSPRO" -b $NBANK -s $NSLOT -n "$NCLI" -t 170
LOAD=$SPAWNED_PID
wait_log "$T/load.log" '^READY' 60 || { echo "peers did not connect"; tail "$T/load.log"; exit 1; }
echo "# $((NBANK + NCLI)) connections identified in $(awk '/^READY/ {print $2}' "$T/load.log") ms"
RSS1_MS=$(rss_kib "$MS"); RSS1_BR=$(rss_kib "$BR")

: >"$T/lat"
start=${EPOCHREALTIME/./}
for i in $(seq 0 $((NCLI - 1))); do
	t0=${EPOCHREALTIME/./}
	"$BIN/remsim-ctl" -e "$CTL" map "$i:0" "$((i / NSLOT + 1)):$((i % NSLOT))" >/dev/null || echo "map $i failed"
	t1=${EPOCHREALTIME/./}
	echo $((t1 - t0)) >>"$T/lat"
done
mapped=${EPOCHREALTIME/./}
wait_log "$T/load.log" "^CONFIGURED $NCLI " 60 || echo "not every client configured: $(grep CONFIGURED "$T/load.log" | tail -1)"
last_ms=$(awk -v n="$NCLI" '$1=="CONFIGURED" && $2==n {print $3}' "$T/load.log" | tail -1)
active=$(rctl --json maps 2>"$T/maps.err" | python3 -c 'import json,sys; print(sum(1 for m in json.load(sys.stdin) if m["state"]=="ACTIVE"))' 2>>"$T/maps.err"); [ -s "$T/maps.err" ] && head -3 "$T/maps.err"
RSS2_MS=$(rss_kib "$MS"); RSS2_BR=$(rss_kib "$BR")
kill "$LOAD" 2>/dev/null
read -r p50 p99 max < <(sort -n "$T/lat" | awk '{a[NR]=$1} END {printf "%.1f %.1f %.1f\n", a[int(NR*0.5)]/1000, a[int(NR*0.99)]/1000, a[NR]/1000}')
total_ms=$(( ${last_ms:-0} - start / 1000 ))
cmd_s=$(awk -v a="$start" -v b="$mapped" 'BEGIN {printf "%.2f", (b - a) / 1e6}')

NEW=$T/new.txt
{
	echo "connections                 $NBANK banks x $NSLOT slots + $NCLI clients"
	echo "maps ACTIVE                 $active / $NCLI"
	echo "total to all ACTIVE (ms)    $total_ms"
	echo "map commands (s)            $cmd_s"
	echo "map cmd p50 (ms)            $p50"
	echo "map cmd p99 (ms)            $p99"
	echo "map cmd max (ms)            $max"
	echo "RSS broker idle (KiB)       $RSS0_BR"
	echo "RSS broker loaded (KiB)     $RSS2_BR"
	echo "RSS mapstore idle (KiB)     $RSS0_MS"
	echo "RSS mapstore loaded (KiB)   $RSS2_MS"
	echo "RSS broker+mapstore (KiB)   $((RSS2_BR + RSS2_MS))"
} >"$NEW"
if [ -f "$RES" ]; then
	echo "server bench                                         new        previous"
	paste -d'|' "$NEW" "$RES" | awk -F'|' '{ split($2, p, /  +/); printf "%-50s  (%s)\n", $1, p[2] }'
else
	cat "$NEW"
fi
cp "$NEW" "$RES"
echo "# written to $RES"
