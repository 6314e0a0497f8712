#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# server_conformance.sh: mapping corners a conformance suite for osmo-remsim
# checks (docs/mapping-history.md): a bankd's maps do not outlive its
# connection, so maps being deleted when it disconnects are deleted, a map
# deleted while its bankd is away is gone at once, and the returning bankd gets
# the CreateMappingReq it expects first (no stale RemoveMappingReq); a global
# reset empties the table at once and says how many maps it deleted.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/server_common.bash"

server_cfg "$T/server.cfg"
check "server role starts" server_start "$T/server.cfg"

bank_connect b1 1
rctl map 1:0 1:0 >/dev/null
rctl map 2:0 1:1 >/dev/null
check "two maps pushed and acknowledged" peer_do b1 \
	"expect createMappingReq client=C1:0 bank=B1:0" "send createMappingRes result=ok" \
	"expect createMappingReq client=C2:0 bank=B1:1" "send createMappingRes result=ok"
rctl unmap B1:0 >/dev/null
check "unmap B1:0: removeMappingReq (left unanswered)" peer_do b1 "expect removeMappingReq client=C1:0 bank=B1:0"
peer_close b1
check "bankd gone: the map being deleted is deleted (history: deleted by bankd)" \
	wait_for 5 bash -c "rctl history --bank 1:0 | grep -E ' deleted ' | grep -q bankd"
check "... the other one waits as NEW" wait_state 2:0 NEW
check "unmap B1:1 while its bankd is away: gone at once" \
	bash -c "rctl unmap B1:1 >/dev/null && [ -z \"\$(map_state 2:0)\" ]"
rctl map 3:0 1:2 >/dev/null
check "... nothing left for bank 1 but the new map" \
	bash -c "[ \"\$(rctl --json maps | grep -o '\"bank\"' | wc -l)\" = 1 ]"

peer_open b1b
check "bankd B1 back: its first message is the createMappingReq it expects" \
	peer_do b1b "send connectBankReq bankid=1 slots=8" "expect connectBankRes result=ok" \
	"expect createMappingReq client=C3:0 bank=B1:2" "send createMappingRes result=ok" "expect-silence 500"
check "... no removeMappingReq was sent to it" bash -c "! grep -q 'removeMappingReq' '$T/b1b.log'"

# global reset: the connected bankd's map is removed from it, one that waits
# for an absent bankd is gone at once; the table is empty right away
rctl map 4:0 2:0 >/dev/null
rctl reset >"$T/reset.out" 2>&1
check "global reset: the table is empty at once" bash -c "[ \"\$(rctl --json maps)\" = '[]' ]"
check "... it reports both maps deleted" grep -q 'global reset by ctl: 2 maps deleted' "$T/remsimd.log"
check "... the connected bankd is told to remove its map" \
	peer_do b1b "expect removeMappingReq client=C3:0 bank=B1:2" "send removeMappingRes result=ok"
check "... the history records the reset of both" \
	bash -c "[ \$(rctl history | grep -c ' reset ') -ge 2 ]"
bank_connect b2 2
check "bankd B2 connects after the reset: nothing for it" peer_do b2 "expect-silence 500"

sanitizer_check
finish
