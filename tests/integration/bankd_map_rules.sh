#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bankd_map_rules.sh: Create/RemoveMappingReq and ResetStateReq from a scripted
# server, with clients on fake readers (bankd.md §7): illegalBankId,
# illegalSlotId, unknownSlotmap, identical re-create (ok, client undisturbed,
# reader not told), client moved to another slot, busy slot remapped (old
# client disconnected within 5 s), removed mapping (client disconnected),
# ResetStateReq (ok, every reader told, clients disconnected).
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/bankd_map_common.bash"

bankd_cfg "$T/bankd.cfg" 3
check "bankd role starts" bankd_start "$T/bankd.cfg"
check "server link connected" server_connect srv

# connect_ok NAME C:S: open a client, expect ok + SetAtrReq from its reader
connect_ok() {
	peer_open "$1" -c "127.0.0.1:$P_BK"
	peer_do "$1" "send connectClientReq client=$2" "expect connectClientRes result=ok" "expect setAtrReq slot=C$2"
}
# closed_within NAME SEC: the client's connection is closed by the bankd within SEC
closed_within() {
	local t0=$SECONDS
	peer_do "$1" "expect-close $(($2 * 1000))" || return 1
	echo "# $1 disconnected after $((SECONDS - t0)) s"
}
srv() { peer_do srv "$@"; }

# --- refused requests -------------------------------------------------------------
check "createMapping for bank 200: illegalBankId" \
	srv "send createMappingReq client=1:0 bank=200:0" "expect createMappingRes result=illegalBankId"
check "createMapping for slot 200: illegalSlotId" \
	srv "send createMappingReq client=1:0 bank=1:200" "expect createMappingRes result=illegalSlotId"
check "createMapping for slot 3 of 3: illegalSlotId" \
	srv "send createMappingReq client=1:0 bank=1:3" "expect createMappingRes result=illegalSlotId"
check "removeMapping for bank 200: illegalBankId" \
	srv "send removeMappingReq client=1:0 bank=200:0" "expect removeMappingRes result=illegalBankId"
check "removeMapping for slot 200: illegalSlotId" \
	srv "send removeMappingReq client=1:0 bank=1:200" "expect removeMappingRes result=illegalSlotId"
check "removeMapping of an unmapped slot: unknownSlotmap" \
	srv "send removeMappingReq client=1:0 bank=1:0" "expect removeMappingRes result=unknownSlotmap"
check "nothing was mapped by refused requests" ctl_has maps '"result":\[\]'

# --- create, identical re-create --------------------------------------------------------
check "createMapping C1:0 -> B1:0 ok" srv "send createMappingReq client=1:0 bank=1:0" "expect createMappingRes result=ok"
check "reader/0 told C1:0" told 0 'mapping C1:0'
check "client C1:0 served by reader/0" connect_ok c1 1:0
n0=$(told_count 0 mapping)
check "identical re-create: ok" srv "send createMappingReq client=1:0 bank=1:0" "expect createMappingRes result=ok"
check "identical re-create: client undisturbed" \
	peer_do c1 "expect-silence 1500" "send tpduModemToCard client=1:0 bank=1:0 data=a0a40000023f00" "expect tpduCardToModem data=9000"
check "identical re-create: reader/0 not told" test "$(told_count 0 mapping)" = "$n0"
check "removeMapping with another client: unknownSlotmap (not removed)" \
	srv "send removeMappingReq client=9:9 bank=1:0" "expect removeMappingRes result=unknownSlotmap"
check "... client still undisturbed" peer_do c1 "send tpduModemToCard client=1:0 bank=1:0 data=a0a40000023f00" "expect tpduCardToModem data=9000"

# --- client moved to another slot ----------------------------------------------------
check "createMapping C1:0 -> B1:1 (client moves) ok" \
	srv "send createMappingReq client=1:0 bank=1:1" "expect createMappingRes result=ok"
check "reader/0 told none" told 0 'mapping none'
check "reader/1 told C1:0" told 1 'mapping C1:0'
check "client on the old slot disconnected within 5 s" closed_within c1 5
peer_close c1
check "reconnecting client is served by reader/1" connect_ok c1b 1:0
check "reader/1 holds it" wait_log "$T/remsimd.log" 'reader/1 .*ConnectClientReq C1:0 .*mapped, ok' 3
check "maps: exactly B1:1 <- C1:0" ctl_has maps '^\{"ok":true,"result":\[\{"bank":"1:1","client":"1:0"\}\]\}$'

# --- busy bank slot remapped ---------------------------------------------------------------
t0=$SECONDS
check "createMapping C2:0 -> B1:1 (busy slot) ok" \
	srv "send createMappingReq client=2:0 bank=1:1" "expect createMappingRes result=ok"
check "old client C1:0 disconnected within 5 s" \
	peer_do c1b "expect-close 5000"
echo "# busy slot remapped: old client disconnected after $((SECONDS - t0)) s"
peer_close c1b
check "new client C2:0 served by reader/1" connect_ok c2 2:0

# --- removed mapping ------------------------------------------------------------------------
check "removeMapping C2:0 B1:1 ok" srv "send removeMappingReq client=2:0 bank=1:1" "expect removeMappingRes result=ok"
check "removed mapping: client disconnected within 10 s" closed_within c2 10
peer_close c2
peer_open c2b -c "127.0.0.1:$P_BK"
check "... cardNotPresent, connection kept" \
	peer_do c2b "send connectClientReq client=2:0" "expect connectClientRes result=cardNotPresent" "expect-silence 500"

# --- ResetStateReq --------------------------------------------------------------------------
srv "send createMappingReq client=5:0 bank=1:0" "expect createMappingRes result=ok" \
	"send createMappingReq client=6:0 bank=1:2" "expect createMappingRes result=ok" >/dev/null
check "clients on two slots" connect_ok c5 5:0
connect_ok c6 6:0 >/dev/null
check "ResetStateReq answered ok" srv "send resetStateReq" "expect resetStateRes result=ok"
check "every reader told reset" wait_for 5 bash -c "for i in 0 1 2; do grep -qE \"reader/\$i .*told reset\" '$T/remsimd.log' || exit 1; done"
closed_within c5 5 >/dev/null && closed_within c6 5 >/dev/null
check "reset: both clients disconnected within 5 s" test $? = 0
check "reset: no mappings left" ctl_has maps '"result":\[\]'
check "parked C2:0 still parked after the reset" peer_alive c2b
check "a mapping after the reset reaches the parked client (ok + SetAtrReq)" \
	srv "send createMappingReq client=2:0 bank=1:2" "expect createMappingRes result=ok"
check "... parked C2:0 handed to reader/2" peer_do c2b "expect connectClientRes result=ok" "expect setAtrReq slot=C2:0"
peer_close c2b

sanitizer_check
finish
