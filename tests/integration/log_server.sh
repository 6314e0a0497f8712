#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# log_server.sh: per-category logging in the real server role (broker,
# mapstore, rest): the config's `log` group turns DRSPRO on for the
# mapstore's Rx/Tx lines; `remsim-ctl log` lists every process with its
# default category (the rest actor, not on the hub, says so, and follows
# run-time changes through RUN_DIR/log-levels within a second); a run-time
# level survives a kill -9 of the mapstore and of the broker.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/server_common.bash"

pid_of() { rctl --json status | python3 -c '
import json, sys
for a in json.load(sys.stdin):
    if a["name"] == sys.argv[1]: print(a["pid"])' "$1"; }
# row NAME: NAME's row of `remsim-ctl log` (squeezed)
row() { rctl log 2>/dev/null | grep "^$1 " | tr -s ' '; }

server_cfg "$T/server.cfg"
printf 'log = { categories = { DRSPRO = "debug"; }; timestamps = false; };\n' >>"$T/server.cfg"
check "server role with a log group starts" server_start "$T/server.cfg"
bank_connect b1 1 8 >/dev/null
check "config DRSPRO debug: the mapstore's Rx line" \
	wait_log "$T/remsimd.log" '^DEBUG  DRSPRO mapstore \[.*\] Rx connectBankReq' 5
check "... and its Tx line" wait_log "$T/remsimd.log" '^DEBUG  DRSPRO mapstore \[.*\] Tx connectBankRes' 5
check "timestamps = false" eval '! grep -qE "^[0-9]{4}-" "$T/remsimd.log"'

remsimd_row() { [ -n "$(row remsimd)" ] && ! row remsimd | grep -q "not connected"; }
wait_for 10 remsimd_row
check "remsim-ctl log: broker DBROKER, DRSPRO debug" eval '[[ "$(row broker)" == "broker DBROKER info info debug "* ]]'
check "... mapstore DSLOTMAP" eval '[[ "$(row mapstore)" == "mapstore DSLOTMAP "* ]]'
check "... remsimd DSUP" eval '[[ "$(row remsimd)" == "remsimd DSUP "* ]]'
check "... rest: not on the hub" eval 'row rest | grep -q "not on the hub"'

# the rest actor follows run-time changes through RUN_DIR/log-levels
rest_get() { curl -s -o /dev/null "http://127.0.0.1:$P_REST/api/backend/v1/clients"; }
rest_access_lines() { grep -c 'INFO   rest .*GET /api/backend/v1/clients 200' "$T/remsimd.log"; }
check "rest logs its requests at INFO" eval 'rest_get; wait_log "$T/remsimd.log" "INFO   rest .*GET /api/backend/v1/clients 200" 5'
check "remsim-ctl log DREST warn" eval 'rctl log DREST warn >/dev/null'
quiet_after_get() { local n; n=$(rest_access_lines); rest_get; sleep 0.2; [ "$(rest_access_lines)" = "$n" ]; }
check "... the rest actor applies it within a second or two: its INFO request lines stop" \
	wait_for 5 quiet_after_get
N1=$(rest_access_lines)
check "remsim-ctl log DREST info" eval 'rctl log DREST info >/dev/null'
check "... applied again" wait_log "$T/remsimd.log" 'NOTICE rest .*run-time log levels changed: .*DREST,INFO' 5
rest_get
check "... request lines are back" wait_for 5 eval '[ "$(rest_access_lines)" -gt "$N1" ]'

check "remsim-ctl log DSLOTMAP debug" eval 'rctl log DSLOTMAP debug >/dev/null'
check "... the mapstore's own debug lines follow" eval 'bank_connect b2 2 4 >/dev/null; wait_log "$T/remsimd.log" "^DEBUG  mapstore " 5'
MS=$(pid_of mapstore)
kill -KILL "$MS"
ms_back() { local p; p=$(pid_of mapstore); [ -n "$p" ] && [ "$p" != "$MS" ] && [ -n "$(row mapstore | grep DSLOTMAP)" ]; }
check "mapstore killed (-9) and back" wait_for 10 ms_back
check "... with DSLOTMAP debug* (run time, kept)" eval 'row mapstore | grep -qE "^mapstore DSLOTMAP (\S+ ){4}debug\* "'
BR=$(pid_of broker)
kill -KILL "$BR"
br_back() { local p; p=$(pid_of broker); [ -n "$p" ] && [ "$p" != "$BR" ] && [ -n "$(row broker)" ]; }
check "broker killed (-9) and back" wait_for 15 br_back
check "... with DSLOTMAP debug* too" eval 'row broker | grep -qE "^broker DBROKER (\S+ ){4}debug\* "'
server_stop
sanitizer_check
finish
