#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bankd_map_card.sh: the mapping rules end to end with the real reader actor,
# a private pcscd with 2 vpcd readers and two virtual SIMs: an unmapped
# client is parked with cardNotPresent, then the mapping arrives and it gets
# ok + SetAtrReq with the card's ATR and working APDUs; a busy slot remapped
# disconnects the old client within 5 s and serves the new one; the server
# link dropped and restored: mappings re-pushed (client undisturbed) and a
# mapping pushed after the reconnect is used; removed mapping -> client
# disconnected; ResetStateReq -> clients disconnected.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/pcscd.sh"
if [ ! -x "$BIN/reader" ] || ! pcscd_available; then
	skip "bankd_map_card: reader actor or pcscd/vpcd not available"
	finish
fi
. "$(dirname "$0")/bankd_map_common.bash"
ATR=3b1a1172656d73696d2053494d

check "pcscd with 2 vpcd readers" pcscd_start 2 || finish
vcard_start 0; vcard_start 1
pcsc_wait_card 0 && pcsc_wait_card 1 || fail "cards not ready"
READER_PROG=$BIN/reader
READER_SLOTS="{ slot = 0; reader = \"$PCSC_READER_0\"; }, { slot = 1; reader = \"$PCSC_READER_1\"; }"
bankd_cfg "$T/bankd.cfg" 2
check "bankd role with real readers starts" bankd_start "$T/bankd.cfg"
check "server link connected" server_connect srv
sel() { peer_do "$1" "send tpduModemToCard client=$2 bank=1:$3 data=a0a40000023f00" "expect tpduCardToModem data=9f"; }

peer_open c3 -c "127.0.0.1:$P_BK"
check "unmapped C3:0: cardNotPresent, connection kept" \
	peer_do c3 "send connectClientReq client=3:0" "expect connectClientRes result=cardNotPresent" "expect-silence 500"
t0=$(date +%s%N)
check "mapping C3:0 -> B1:0 ok" peer_do srv "send createMappingReq client=3:0 bank=1:0" "expect createMappingRes result=ok"
check "parked C3:0 gets ok + SetAtrReq with the card's ATR" \
	peer_do c3 "expect connectClientRes result=ok" "expect setAtrReq slot=C3:0 atr=$ATR"
echo "# mapping -> ATR at the parked client: $(( ($(date +%s%N) - t0) / 1000000 )) ms"
check "C3:0: SELECT MF through the card" sel c3 3:0 0

t0=$SECONDS
check "busy slot B1:0 remapped to C4:0: ok" peer_do srv "send createMappingReq client=4:0 bank=1:0" "expect createMappingRes result=ok"
check "old client C3:0 disconnected within 5 s" peer_do c3 "expect-close 5000"
echo "# busy slot remapped: old client disconnected after $((SECONDS - t0)) s"
peer_close c3
peer_open c4 -c "127.0.0.1:$P_BK"
check "new client C4:0 gets ok + ATR and works" \
	peer_do c4 "send connectClientReq client=4:0" "expect connectClientRes result=ok" "expect setAtrReq atr=$ATR" \
	"send tpduModemToCard client=4:0 bank=1:0 data=a0a40000023f00" "expect tpduCardToModem data=9f"

peer_do srv close >/dev/null; peer_close srv
check "server link down: C4:0 keeps working" sel c4 4:0 0
peer_open srv2 -l "127.0.0.1:$P_SRV"
check "server link restored" peer_do srv2 "expect connectBankReq" "send connectBankRes result=ok"
check "mapping re-pushed: ok" peer_do srv2 "send createMappingReq client=4:0 bank=1:0" "expect createMappingRes result=ok"
check "re-pushed mapping: C4:0 undisturbed" peer_do c4 "expect-silence 1000" \
	"send tpduModemToCard client=4:0 bank=1:0 data=a0a40000023f00" "expect tpduCardToModem data=9f"
check "mapping C5:0 -> B1:1 pushed after the reconnect" \
	peer_do srv2 "send createMappingReq client=5:0 bank=1:1" "expect createMappingRes result=ok"
peer_open c5 -c "127.0.0.1:$P_BK"
check "... used: C5:0 gets card 1 (ok + ATR, SELECT)" \
	peer_do c5 "send connectClientReq client=5:0" "expect connectClientRes result=ok" "expect setAtrReq atr=$ATR" \
	"send tpduModemToCard client=5:0 bank=1:1 data=a0a40000023f00" "expect tpduCardToModem data=9f"

check "removeMapping C4:0 B1:0 ok" peer_do srv2 "send removeMappingReq client=4:0 bank=1:0" "expect removeMappingRes result=ok"
check "removed mapping: C4:0 disconnected within 10 s" peer_do c4 "expect-close 10000"
peer_close c4
check "ResetStateReq ok" peer_do srv2 "send resetStateReq" "expect resetStateRes result=ok"
check "reset: C5:0 disconnected within 5 s" peer_do c5 "expect-close 5000"
peer_close c5
peer_close srv2
sanitizer_check
finish
