#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# server_history_retention.sh: the mapping history stays bounded
# (docs/mapping-history.md "Retention"): with history.max_rows = 40 and a
# 1 s pruning period, 60 map/unmap cycles (120 history rows) shrink to at
# most 40 rows, oldest first, in batches, while the server keeps answering;
# `remsim-ctl history --prune` prunes at once and says so; rows older than
# keep_days go too; any other DELETE is still refused; the database file is
# not readable by others (0640).
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/server_common.bash"
command -v sqlite3 >/dev/null || { skip "sqlite3 not installed"; finish; }

server_cfg "$T/server.cfg"
cat >>"$T/server.cfg" <<'EOF'
history = { keep_days = 30; max_rows = 40; prune_interval_s = 1; prune_batch = 15; };
EOF
check "server role starts" server_start "$T/server.cfg"
check "retention announced in the log" \
	wait_log "$T/remsimd.log" 'history retention: 30 days, at most 40 rows; pruned every 1 s, 15 rows per transaction' 5
mode=$(stat -c %a "$DB")
[ $((0$mode & 027)) = 0 ] && pass "database file mode $mode (0640 less the umask)" || fail "database file mode $mode"

rows() { sqlite3 -readonly "$DB" 'SELECT count(*) FROM history'; }
fails=0
for i in $(seq 1 60); do
	rctl map "$i:0" "1:$i" >/dev/null && rctl unmap "B1:$i" >/dev/null || fails=$((fails + 1))
done
[ $fails = 0 ] && pass "60 map/unmap cycles answered while pruning runs" || fail "$fails cycles failed"
check "history pruned to at most 40 rows within 5 s" wait_for 5 bash -c "[ \$(sqlite3 -readonly '$DB' 'SELECT count(*) FROM history') -le 40 ]"
echo "# history rows after 60 cycles: $(rows)"
check "... the newest rows kept (the last unmap is there)" \
	bash -c "rctl history --bank 1:60 | grep -q ' deleted '"
check "... the oldest gone" bash -c "! rctl history --bank 1:1 | grep -q created"
check "... logged" grep -qE 'history: [0-9]+ old row\(s\) pruned \(keep 30 days, at most 40 rows\)' "$T/remsimd.log"

# rows older than keep_days: written by hand with an old timestamp
sqlite3 "$DB" "INSERT INTO history (ts, map_id, event, actor, client_id, client_slot, bank_id, bank_slot, state)
	VALUES ('2020-01-01 00:00:00.000', 9999, 'created', 'ctl', 9, 0, 9, 0, 'NEW')" 2>"$T/ins.err"
rctl history --prune >"$T/prune.out" 2>&1
echo "# $(cat "$T/prune.out")"
check "history --prune: prunes at once and reports it" grep -qE '^[0-9]+ history row\(s\) pruned, [0-9]+ left \(keep 30 days, at most 40 rows\)' "$T/prune.out"
check "... the row older than 30 days is gone" \
	bash -c "[ \$(sqlite3 -readonly '$DB' 'SELECT count(*) FROM history WHERE map_id = 9999') = 0 ]"
rctl history --prune --bank 1:1 >"$T/prune2.out" 2>&1; rc=$?
[ $rc != 0 ] && grep -q 'takes no other option' "$T/prune2.out" && pass "history --prune with a filter: usage error" \
	|| fail "history --prune --bank: rc $rc, $(cat "$T/prune2.out")"
sqlite3 "$DB" "DELETE FROM history WHERE seq = (SELECT max(seq) FROM history)" 2>"$T/del.err"
check "any other DELETE on history is refused" grep -q 'append-only' "$T/del.err"
check "the server still works after pruning (map ok)" rctl map 500:0 2:0

sanitizer_check
finish
