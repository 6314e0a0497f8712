#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# server_launcher.sh: remsim-server, the server role's launcher: osmo-remsim-
# server's options (-h, -V, -d MASK, -L, unknown options refused, positional
# argument -> exit 2), the built-in defaults (RSPRO 0.0.0.0:9998, REST 9997,
# /var/lib/remsim/server.db), a run with overrides on private ports, and
# etc/server.cfg (with paths/ports changed) run through -c.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/server_common.bash"
RS=$BIN/remsim-server

"$RS" -h >"$T/help" 2>&1; rc=$?
check "-h: exit 0, usage names -c, -d, -V" [ "$rc" = 0 ] && grep -q -- '-c, --config' "$T/help" && grep -q -- '--debug MASK' "$T/help"
OUT=$("$RS" -V); rc=$?
check "-V: 'remsim-server VERSION', exit 0" [ "$rc" = 0 ] && grep -qE '^remsim-server [0-9]' <<<"$OUT"
"$RS" extra >/dev/null 2>"$T/err"; rc=$?
check "positional argument: exit 2 with a message" [ "$rc" = 2 ] && grep -q "unexpected argument 'extra'" "$T/err"
"$RS" --print-config >"$T/default.cfg"; rc=$?
check "no options: RSPRO 0.0.0.0:9998 -> mapstore, side server" \
	grep -q 'bind = "0.0.0.0"; port = 9998; side = "server"; actor = "mapstore"' "$T/default.cfg"
check "... REST on 0.0.0.0:9997" grep -q 'listen = "0.0.0.0:9997"' "$T/default.cfg"
check "... state in /var/lib/remsim/server.db, run dir /run/remsim" \
	bash -c "grep -q 'state_dir = \"/var/lib/remsim\"' '$T/default.cfg' && grep -q '@STATE_DIR@/server.db' '$T/default.cfg' && grep -q 'run_dir = \"/run/remsim\"' '$T/default.cfg'"
sed "s|/run/remsim|$T/chk|" "$T/default.cfg" >"$T/default2.cfg"
check "... the generated config passes remsimd --check" "$BIN/remsimd" -c "$T/default2.cfg" --check
"$RS" -c x.cfg -p 1 >/dev/null 2>&1; rc=$?
check "-c with built-in overrides: exit 2" [ "$rc" = 2 ]
"$RS" -d nonsense >/dev/null 2>&1; rc=$?
check "-d with an unreadable mask: exit 2" [ "$rc" = 2 ]

# --- an unknown option: usage, exit 2, nothing started on the default paths -----------
"$RS" --bogus >/dev/null 2>"$T/bogus.err"; rc=$?
check "--bogus: exit 2 with usage (rc=$rc)" \
	eval '[ "$rc" = 2 ] && grep -q "unknown option .--bogus." "$T/bogus.err" && grep -q "^usage:" "$T/bogus.err"'

# --- a run with the built-in config on private ports ----------------------------------
spawn rs "$RS" -r "$RUN" --state-dir "$T/state" -b 127.0.0.1 -p "$P_RSPRO" \
	--rest-listen "127.0.0.1:$P_REST" -d DMAIN,1:DRSPRO,3 -L
RS_PID=$SPAWNED_PID
check "remsim-server runs (-L accepted)" wait_for 15 rctl status
# libosmocore's meaning: the mask names the categories that are on; the
# others (broker DBROKER, mapstore DSLOTMAP, rest DREST, remsimd DSUP) are
# down to errors, so no INFO line but DMAIN's and DRSPRO's
check "... -d DMAIN,1:DRSPRO,3: the categories it does not name log no INFO line" \
	bash -c "! grep ' INFO ' '$T/rs.log' | grep -qvE ' INFO +(DMAIN|DRSPRO) '"
check "... it is remsimd (exec), pid unchanged" bash -c "grep -q remsimd /proc/$RS_PID/cmdline"
bank_connect b1 1 4 >/dev/null
check "a bankd identifies on the RSPRO port" bash -c "rctl --json banks | grep -q '\"peer\": \"B1\"'"
check "remsim-ctl map via ipc://RUN_DIR/control" rctl map 3:0 1:2
check "... pushed to the bankd" peer_do b1 "expect createMappingReq client=C3:0 bank=B1:2" "send createMappingRes result=ok"
check "REST GET /slotmaps shows it ACTIVE" \
	bash -c "curl -s http://127.0.0.1:$P_REST/api/backend/v1/slotmaps | grep -q '\"state\":\"ACTIVE\"'"
check "database created at STATE_DIR/server.db" test -s "$T/state/server.db"
peer_close b1
kill -TERM "$RS_PID"; wait "$RS_PID"; rc=$?
check "SIGTERM: exit 0" [ "$rc" = 0 ]

# --- etc/server.cfg through -c -----------------------------------------------------------
P2=$(free_port); P3=$(free_port)
sed -e "s|\"/run/remsim\"|\"$T/run2\"|" -e "s|\"/var/lib/remsim\"|\"$T/state2\"|" \
    -e "s|bind = \"0.0.0.0\"; port = 9998|bind = \"127.0.0.1\"; port = $P2|" \
    -e "s|listen = \"0.0.0.0:9997\"|listen = \"127.0.0.1:$P3\"|" "$TOP/etc/server.cfg" >"$T/etc.cfg"
spawn rs2 "$RS" -c "$T/etc.cfg"
RS2=$SPAWNED_PID
check "etc/server.cfg (paths and ports changed) runs" wait_log "$T/rs2.log" 'rest .*listening on' 15
check "... no unknown-key warnings" bash -c "! grep -qiE 'unknown key|WARN' '$T/rs2.log'"
check "... remsim-ctl maps answers" "$BIN/remsim-ctl" -e "ipc://$T/run2/control" maps
check "... REST answers" bash -c "curl -s http://127.0.0.1:$P3/api/backend/v1/banks | grep -q banks"
kill -TERM "$RS2"; wait "$RS2"; rc=$?
check "... SIGTERM: exit 0" [ "$rc" = 0 ]

sanitizer_check
finish
