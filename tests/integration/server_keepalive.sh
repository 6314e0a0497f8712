#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# server_keepalive.sh: IPA keep-alive on the server role with short timers
# (PING every 300 ms, PONG within 1000 ms): a silent client or bankd is
# dropped, its identity is accepted again on reconnect (osmo-remsim 1.1.0-1.1.2
# crashed here, OS#6957), a dropped bankd's maps go back to NEW and are pushed
# again when it returns; peers that answer PINGs stay.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/server_common.bash"

KA_INTERVAL=300 KA_TIMEOUT=1000 server_cfg "$T/server.cfg"
check "server role starts (keep-alive 300/1000 ms)" server_start "$T/server.cfg"
MS_PID=$(pid_of mapstore)

# a well-behaved bankd that answers PINGs while it waits
peer_open good
check "bankd B1 (answers PINGs) identifies" \
	peer_do good "send connectBankReq bankid=1 slots=4" "expect connectBankRes result=ok"

# --- a client that never answers PING ------------------------------------------------
rctl map 5:0 1:0 >/dev/null
peer_do good "expect createMappingReq client=C5:0 bank=B1:0" "send createMappingRes result=ok" >/dev/null
peer_feed good "expect-silence 2500"	# answers PINGs meanwhile
peer_open mute --no-pong
check "client C5:0 without PONGs identifies" \
	peer_do mute "send connectClientReq client=5:0" "expect connectClientRes result=ok" \
	"expect configClientBankReq bankSlot=B1:0 bankd=127.0.0.1:9999"
t0=$(date +%s%N)
check "... and is dropped by the keep-alive" peer_do mute "expect-close 5000"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check "... within the PONG timeout plus a ping interval (${ms} ms)" [ "$ms" -le 3000 ]
check "... no longer listed" wait_for 3 bash -c "! rctl --json clients | grep -q 'C5:0'"
peer_open back
check "reconnect with the same ClientSlot after the drop: ok" \
	peer_do back "send connectClientReq client=5:0" "expect connectClientRes result=ok"
check "... and configured again" peer_do back "expect configClientBankReq bankSlot=B1:0 bankd=127.0.0.1:9999"
check "well-behaved peers stay connected for 3 s of keep-alives" \
	peer_do good "expect-silence 3000"
check "... B1 still listed" bash -c "rctl --json banks | grep -q '\"peer\": \"B1\"'"

# --- a bankd that never answers PING --------------------------------------------------
rctl map 6:0 2:0 >/dev/null
peer_feed good "expect-silence 4000"
peer_feed back "expect-silence 4000"
peer_open mb --no-pong
check "bankd B2 without PONGs identifies and gets the map" \
	peer_do mb "send connectBankReq bankid=2 slots=4" "expect connectBankRes result=ok" \
	"expect createMappingReq client=C6:0 bank=B2:0" "send createMappingRes result=ok"
check "... map ACTIVE" wait_for 3 bash -c '[ "$(map_state 6:0)" = ACTIVE ]'
check "... B2 dropped by the keep-alive" peer_do mb "expect-close 5000"
check "... its map is NEW again" wait_for 3 bash -c '[ "$(map_state 6:0)" = NEW ]'
peer_open mb2
check "B2 reconnects (same bankId accepted) and the map is pushed again" \
	peer_do mb2 "send connectBankReq bankid=2 slots=4" "expect connectBankRes result=ok" \
	"expect createMappingReq client=C6:0 bank=B2:0" "send createMappingRes result=ok"
check "... ACTIVE again" wait_for 3 bash -c '[ "$(map_state 6:0)" = ACTIVE ]'
check "history shows bank_lost for C6:0" \
	bash -c "rctl --json history --client 6:0 | grep -q '\"event\": \"bank_lost\"'"
check "mapstore never restarted" bash -c "[ \"\$(pid_of mapstore)\" = $MS_PID ]"
peer_do good "expect-silence 100" >/dev/null
peer_do back "expect-silence 100" >/dev/null
peer_do mb2 "expect-silence 100" >/dev/null

sanitizer_check
finish
