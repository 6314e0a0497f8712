#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# server_bench.sh: numbers for the server role (never asserts).
# 32 bankds x 32 slots and 1,024 clients connected (one tests/tools/server-load
# process holding every connection, answering PINGs and CreateMappingReqs),
# then all 1,024 client slots mapped with ONE `remsim-ctl map --batch FILE`
# (one control request, one transaction):
#  - time of the command, and from its start until every client was told
#    its bankd (= every map ACTIVE); the maps ACTIVE in `remsim-ctl maps`;
#  - then `reset` and the same 1,024 maps again over REST, 64 HTTP clients
#    at once (the REST actor's group commit): time until all were answered
#    201 and until every client was told its bankd;
#  - RSS of the broker and the mapstore after it.
# Results go to $BUILD/bench/server.txt; the previous run's numbers (if that
# file existed) are printed beside the new ones.
#   BUILD=build-server tests/bench/server_bench.sh [CLIENTS]
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../integration/server_common.bash"
NCLI=${1:-1024}
NBANK=32
NSLOT=32
. "$TOP/tests/lib/bench.sh"
bench_files server
ulimit -n 8192 2>/dev/null || ulimit -n "$(ulimit -Hn)"

REST_EXTRA="max_per_address = 128;" KA_INTERVAL=30000 KA_TIMEOUT=10000 server_cfg "$T/server.cfg"
server_start "$T/server.cfg" || { echo "server did not start"; tail -20 "$T/remsimd.log"; exit 1; }
MS=$(pid_of mapstore); BR=$(pid_of broker)
RSS0_MS=$(rss_kib "$MS"); RSS0_BR=$(rss_kib "$BR")

spawn load "$TBIN/server-load" -c "127.0.0.1:$P_RSPRO" -b $NBANK -s $NSLOT -n "$NCLI" -t 170
LOAD=$SPAWNED_PID
wait_log "$T/load.log" '^READY' 60 || { echo "peers did not connect"; tail "$T/load.log"; exit 1; }
echo "# $((NBANK + NCLI)) connections identified in $(awk '/^READY/ {print $2}' "$T/load.log") ms"
RSS1_MS=$(rss_kib "$MS"); RSS1_BR=$(rss_kib "$BR")

: >"$T/pairs"
for i in $(seq 0 $((NCLI - 1))); do echo "$i:0 $((i / NSLOT + 1)):$((i % NSLOT))" >>"$T/pairs"; done
start=${EPOCHREALTIME/./}
"$BIN/remsim-ctl" -e "$CTL" -t 60000 map --batch "$T/pairs" >"$T/batch.out" 2>&1 || { echo "map --batch failed:"; tail -n 3 "$T/batch.out"; }
mapped=${EPOCHREALTIME/./}
wait_log "$T/load.log" "^CONFIGURED $NCLI " 60 || echo "not every client configured: $(grep CONFIGURED "$T/load.log" | tail -1)"
last_ms=$(awk -v n="$NCLI" '$1=="CONFIGURED" && $2==n {print $3}' "$T/load.log" | tail -1)
active=$(rctl --json maps 2>"$T/maps.err" | python3 -c 'import json,sys; print(sum(1 for m in json.load(sys.stdin) if m["state"]=="ACTIVE"))' 2>>"$T/maps.err"); [ -s "$T/maps.err" ] && head -3 "$T/maps.err"
total_ms=$(( ${last_ms:-0} - start / 1000 ))
cmd_ms=$(( (mapped - start) / 1000 ))

# --- the same maps over REST, 64 at a time (group commit) ------------------------
rctl reset >/dev/null
_no_maps() { [ "$(rctl --json maps 2>/dev/null | tr -d ' \n')" = "[]" ]; }
wait_for 60 _no_maps || echo "reset: maps still listed"
sleep 0.5	# the clients' ConfigClientBankReq 0.0.0.0:0 (server-load reports in 10% steps)
ncfg=$(grep -c '^CONFIGURED' "$T/load.log")
# 64 HTTP/1.1 keep-alive connections, 16 POSTs each (one thread per connection)
rstart=${EPOCHREALTIME/./}
python3 - "$P_REST" "$NCLI" "$NSLOT" >"$T/rest.codes" 2>&1 <<'PY'
import http.client, json, sys, threading
port, n, nslot = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
codes = []
def worker(k):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for i in range(k, n, 64):
        body = json.dumps({"bank": {"bankId": i // nslot + 1, "slotNr": i % nslot},
                           "client": {"clientId": i, "slotNr": 0}})
        c.request("POST", "/api/backend/v1/slotmaps", body, {"Content-Type": "application/json"})
        r = c.getresponse(); r.read(); codes.append(r.status)
threads = [threading.Thread(target=worker, args=(k,)) for k in range(64)]
for t in threads: t.start()
for t in threads: t.join()
print("\n".join(str(c) for c in codes))
PY
rdone=${EPOCHREALTIME/./}
rest_ok=$(grep -c '^201$' "$T/rest.codes")
_reconfigured() { [ "$(grep -c '^CONFIGURED' "$T/load.log")" -gt "$ncfg" ] && awk -v n="$NCLI" '$1=="CONFIGURED" && $2==n {c++} END {exit !(c >= 2)}' "$T/load.log"; }
wait_for 60 _reconfigured || echo "REST: not every client configured again"
rlast_ms=$(awk -v n="$NCLI" '$1=="CONFIGURED" && $2==n {print $3}' "$T/load.log" | tail -1)
rest_cmd_ms=$(( (rdone - rstart) / 1000 ))
rest_total_ms=$(( ${rlast_ms:-0} - rstart / 1000 ))
RSS2_MS=$(rss_kib "$MS"); RSS2_BR=$(rss_kib "$BR")
kill "$LOAD" 2>/dev/null
server_stop	# (the actors' logs are complete only then)
groups=$(grep -c 'map batch of .*(each on its own)' "$T/remsimd.log")

{
	echo "connections ${NBANK}x${NSLOT}_bank_slots+${NCLI}_clients"
	echo "maps_active $active/$NCLI"
	echo "batch_to_all_active_ms $total_ms"
	echo "batch_command_ms $cmd_ms"
	echo "rest_201 $rest_ok/$NCLI"
	echo "rest_all_answered_ms $rest_cmd_ms"
	echo "rest_to_all_active_ms $rest_total_ms"
	echo "rest_grouped_requests $groups"
	echo "rss_kib broker_idle=$RSS0_BR broker_loaded=$RSS2_BR mapstore_idle=$RSS0_MS mapstore_loaded=$RSS2_MS sum_loaded=$((RSS2_BR + RSS2_MS))"
} >"$NEW"
bench_report "server bench"
