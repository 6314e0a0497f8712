#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# server_map_batch.sh: `remsim-ctl map --batch FILE|-` (all pairs in one
# control request, one transaction) and the "each" form the REST actor uses
# for its group commit, against the real server role:
#  - a good batch: every map created, pushed to its bankd, in the history;
#  - a batch with one bad pair (conflict with an existing map, the same slot
#    twice, bad syntax, out of range): a clear error naming the pair, exit 1,
#    and nothing applied (maps and history unchanged, nothing pushed);
#  - file errors (shape of a line, missing file, no pairs): exit 2 naming
#    file:line, nothing sent;
#  - durability: kill -9 of the mapstore right after the ok: all maps back;
#  - "each": per-pair answers, the good ones stored together;
#  - REST: concurrent POST /slotmaps (grouped or not) all answered, a
#    conflicting one 400, and all 201 ones survive kill -9 of the mapstore.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/server_common.bash"

# 25 concurrent POSTs from one address: above the REST guard's default per-address cap
REST_EXTRA="max_per_address = 64;" server_cfg "$T/server.cfg"
check "server role starts" server_start "$T/server.cfg"
bank_connect b1 1 8 >/dev/null
hist_count() { sqlite3 -readonly "$DB" 'SELECT count(*) FROM history' 2>/dev/null; }

# --- a good batch --------------------------------------------------------------------
printf '# client bank\n3:0 1:0\n\n  4:0   1:1\nC5:0 B1:2\n' >"$T/good.txt"
OUT=$(rctl map --batch "$T/good.txt"); rc=$?
echo "$OUT" | sed 's/^/#   /'
check "map --batch FILE: exit 0, one line per map and a count" \
	[ "$rc" = 0 -a "$(grep -c '^mapped C' <<<"$OUT")" = 3 ] && grep -qx '3 mapping(s) created' <<<"$OUT"
check "... all three listed by maps" \
	bash -c "[ \"\$(rctl maps | grep -cE '^C[345]:0 +B1:[012] ')\" = 3 ]"
check "... pushed to the bankd in file order" peer_do b1 \
	"expect createMappingReq client=C3:0 bank=B1:0" "expect createMappingReq client=C4:0 bank=B1:1" \
	"expect createMappingReq client=C5:0 bank=B1:2" \
	"send createMappingRes result=ok" "send createMappingRes result=ok" "send createMappingRes result=ok"
check "... all three ACTIVE after the bankd's answers" wait_state 5:0 ACTIVE 5
check "... one 'created' history event each, actor ctl" \
	[ "$(sqlite3 -readonly "$DB" "SELECT count(*) FROM history_v WHERE event = 'created' AND actor = 'ctl'")" = 3 ]
check "... logged as one transaction" wait_log "$T/remsimd.log" 'map batch of 3 pair\(s\) by ctl: one transaction' 5
OUT=$(printf '6:0 1:3\n' | rctl --json map --batch -); rc=$?
check "map --batch - (stdin), --json: an array of <slotmap>" [ "$rc" = 0 ] && python3 -c '
import json,sys
m=json.loads(sys.argv[1])
assert m==[{"bank":{"bankId":1,"slotNr":3},"client":{"clientId":6,"slotNr":0},"state":"UNACKNOWLEDGED"}], m' "$OUT"
peer_do b1 "expect createMappingReq client=C6:0 bank=B1:3" "send createMappingRes result=ok" >/dev/null

# --- a batch with one bad pair: nothing applied ------------------------------------------
MAPS0=$(maps_json); H0=$(hist_count)
bad_batch() {	# bad_batch NAME ERROR-REGEX LINES...
	local name=$1 re=$2; shift 2
	printf '%s\n' "$@" >"$T/bad.txt"
	rctl map --batch "$T/bad.txt" >"$T/bad.out" 2>"$T/bad.err"; local rc=$?
	echo "#   $(cat "$T/bad.err")"
	check "$name: exit 1, the error names the pair" [ "$rc" = 1 ] && grep -qE "$re" "$T/bad.err"
	check "$name: nothing applied (maps and history unchanged)" \
		[ "$(maps_json)" = "$MAPS0" -a "$(hist_count)" = "$H0" ]
}
bad_batch "conflict with an existing map" \
	'pair 2 \(8:0 1:0\): bank slot B1:0 is already mapped; nothing applied' '7:0 1:4' '8:0 1:0' '9:0 1:5'
bad_batch "client slot already mapped" \
	'pair 3 \(3:0 1:6\): client slot C3:0 is already mapped; nothing applied' '7:0 1:4' '8:0 1:5' '3:0 1:6'
bad_batch "the same bank slot twice in the batch" \
	'pair 2 \(8:0 1:4\): bank slot B1:4 is in the batch twice; nothing applied' '7:0 1:4' '8:0 1:4'
bad_batch "the same client slot twice in the batch" \
	'pair 3 \(7:0 1:6\): client slot C7:0 is in the batch twice' '7:0 1:4' '8:0 1:5' '7:0 1:6'
bad_batch "a pair that is not ID:SLOT" \
	"pair 2 \\(8:x 1:5\\): client slot '8:x' is not ID:SLOT; nothing applied" '7:0 1:4' '8:x 1:5'
bad_batch "an id out of range" \
	'pair 1 \(7:0 2000:1\): bank slot 2000:1: ids and slot numbers are 0..1023' '7:0 2000:1' '8:0 1:5'
check "... and nothing was pushed to the bankd" peer_do b1 "expect-silence 500"

# --- file errors: nothing sent ---------------------------------------------------------
printf '7:0 1:4\n8:0 1:5 extra\n' >"$T/shape.txt"
OUT=$(rctl map --batch "$T/shape.txt" 2>&1); rc=$?
check "a line with 3 fields: exit 2 naming file:line" [ "$rc" = 2 ] && grep -qF "$T/shape.txt:2: want 'CLIENT:SLOT BANK:SLOT'" <<<"$OUT"
OUT=$(rctl map --batch "$T/none.txt" 2>&1); rc=$?
check "a missing file: exit 2, 'cannot open'" [ "$rc" = 2 ] && grep -qF "cannot open $T/none.txt" <<<"$OUT"
OUT=$(printf '# nothing\n\n' | rctl map --batch - 2>&1); rc=$?
check "no pairs: exit 2, '(stdin): no pairs'" [ "$rc" = 2 ] && grep -qF '(stdin): no pairs' <<<"$OUT"
check "... maps and history unchanged" [ "$(maps_json)" = "$MAPS0" -a "$(hist_count)" = "$H0" ]

# --- durability: kill -9 of the mapstore right after the ok ------------------------------
for i in $(seq 0 39); do echo "$((100 + i)):0 2:$i"; done >"$T/dur.txt"
MS_PID=$(pid_of mapstore)
check "a batch of 40 (bankd 2 absent): ok" bash -c "rctl map --batch '$T/dur.txt' >/dev/null"
kill -KILL "$MS_PID"
check "mapstore killed (-9) right after the ok, restarted by remsimd" \
	wait_for 10 bash -c "p=\$(pid_of mapstore); [ -n \"\$p\" ] && [ \"\$p\" != $MS_PID ] && [ \"\$p\" != 0 ]"
check "... all 40 maps of the batch are back" \
	wait_for 10 bash -c "[ \"\$(rctl maps | grep -cE '^C1[0-3][0-9]:0 +B2:')\" = 40 ]"

# --- "each": per-pair answers, one transaction ---------------------------------------------
OUT=$(ctl '{"cmd":"map","args":["20:0","3:0","21:0","3:1","22:0","1:0","20:0","3:2"],"each":true}')
echo "#   $OUT"
check "each: ok, one answer per pair: ok, ok, conflict (B1:0 in use), conflict (C20:0 twice)" python3 -c '
import json,sys
r=json.loads(sys.argv[1]); a=r["result"]
assert r["ok"] and len(a)==4, r
assert a[0]["ok"] and a[0]["result"]["client"]=={"clientId":20,"slotNr":0}, a[0]
assert a[1]["ok"] and a[1]["result"]["bank"]=={"bankId":3,"slotNr":1}, a[1]
assert not a[2]["ok"] and a[2]["code"]=="conflict" and "B1:0" in a[2]["error"], a[2]
assert not a[3]["ok"] and a[3]["code"]=="conflict" and "C20:0" in a[3]["error"], a[3]' "$OUT"
check "... the two good ones stored" bash -c "rctl maps | grep -qE '^C20:0 +B3:0 ' && rctl maps | grep -qE '^C21:0 +B3:1 '"
check "... logged as one transaction" wait_log "$T/remsimd.log" 'map batch of 4 pair\(s\) by ctl \(each on its own\): one transaction' 5

# --- REST: concurrent POSTs (group commit) -------------------------------------------------
python3 - "$P_REST" >"$T/rest.out" 2>&1 <<'PY'
import http.client, json, sys, threading
port = int(sys.argv[1]); res = {}
def post(i, bank, slot):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("POST", "/api/backend/v1/slotmaps", json.dumps({"bank": {"bankId": bank, "slotNr": slot},
              "client": {"clientId": i, "slotNr": 0}}), {"Content-Type": "application/json"})
    r = c.getresponse(); res[i] = (r.status, r.read().decode())
ts = [threading.Thread(target=post, args=(200 + k, 4, k)) for k in range(24)]
ts.append(threading.Thread(target=post, args=(299, 1, 0)))	# B1:0 is mapped: 400
for t in ts: t.start()
for t in ts: t.join()
for i in sorted(res): print(i, res[i][0], res[i][1])
PY
check "REST: 25 concurrent POSTs: 24 answered 201" [ "$(awk '$2 == 201' "$T/rest.out" | wc -l)" = 24 ]
check "... the one for a mapped bank slot 400" grep -qE '^299 400' "$T/rest.out"
sleep 0.2
echo "# REST requests grouped (more than one POST per control request): $(grep -c 'by rest (each on its own)' "$T/remsimd.log")"
MS_PID=$(pid_of mapstore)
kill -KILL "$MS_PID"
check "... after kill -9 of the mapstore all 24 are back" \
	wait_for 10 bash -c "p=\$(pid_of mapstore); [ -n \"\$p\" ] && [ \"\$p\" != $MS_PID ] && [ \"\$(rctl maps | grep -cE '^C2[0-2][0-9]:0 +B4:')\" = 24 ]"
check "... and C299:0 was not mapped" bash -c "! rctl maps | grep -q '^C299:0 '"
sanitizer_check
finish
