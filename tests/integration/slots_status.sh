#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# slots_status.sh: `remsim-ctl slots` during real traffic: the bankd's reader
# actors and the clients' usbslot actors each answer for their slot (state,
# peer, mapping, ATR, counters, TPDU round trip), gathered by the broker into
# one table or JSON array; a slot whose actor is restarting or given up is
# still listed, with that state.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/pcscd.sh"
. "$(dirname "$0")/../lib/system.sh"
. "$(dirname "$0")/../lib/recovery.sh"

pcscd_available || { skip "slots: pcscd/vpcd not usable here"; finish; }
recovery_rig || finish
BCTL=("$BIN/remsim-ctl" -e "ipc://$T/bankd-run/control")
C0CTL=("$BIN/remsim-ctl" -e "ipc://$T/c0-run/control")
sleep 1

"${BCTL[@]}" slots >"$T/bslots.txt" 2>&1
cat "$T/bslots.txt" | sed 's/^/# /' >&2
check "bankd slots: one row per reader" \
	eval "grep -qE '^reader/0 +B1:0 ' '$T/bslots.txt' && grep -qE '^reader/1 +B1:1 ' '$T/bslots.txt'"
check "bankd slots: reader/0 serves C0:0 with its card open" grep -qE '^reader/0 +B1:0 +OPEN, serving +127\.0\.0\.1:[0-9]+ +C0:0 ' "$T/bslots.txt"
"${BCTL[@]}" --json slots >"$T/bslots.json"
jq_ok() { python3 -c "
import json, sys
rows = json.load(open('$T/bslots.json'))
r = {x['actor']: x for x in rows}['reader/1']
sys.exit(0 if $1 else 1)"; }
check "bankd slots --json: counters of reader/1 (TPDUs both ways, no errors)" \
	jq_ok "r['tpdus_tx'] > 10 and r['tpdus_rx'] == r['tpdus_tx'] and r['errors'] == 0"
check "bankd slots --json: round trip p50 <= p99, in microseconds" \
	jq_ok "0 < r['rtt_p50_us'] <= r['rtt_p99_us'] < 10000000"
check "bankd slots --json: the card's ATR and the last TPDU's age" \
	jq_ok "r['atr'].startswith('3b') and 0 <= r['last_tpdu_s'] <= 2"

"${C0CTL[@]}" slots >"$T/cslots.txt" 2>&1
cat "$T/cslots.txt" | sed 's/^/# /' >&2
check "client slots: usbslot/0 OPERATIONAL with its bankd and bank slot" \
	grep -qE "^usbslot/0 +C0:0 +OPERATIONAL +127\.0\.0\.1:$BANKD_PORT +B1:0 " "$T/cslots.txt"
check "client slots: TPDUs counted both ways" grep -qE '^usbslot/0 .* [0-9]{2,}/[0-9]{2,} ' "$T/cslots.txt"

# a reader killed: listed while it restarts, serving again afterwards
recovery_kill "ipc://$T/bankd-run/control" reader/1
"${BCTL[@]}" slots >"$T/bslots2.txt" 2>&1
check "a killed reader is still listed" grep -qE '^reader/1 ' "$T/bslots2.txt"
serving_again() { "${BCTL[@]}" slots 2>/dev/null | grep -qE '^reader/1 +B1:1 +OPEN, serving'; }
check "... and serving again after its restart" wait_for 10 serving_again
c1_reset() { "$BIN/remsim-ctl" -e "ipc://$T/c1-run/control" --json slots 2>/dev/null |
	python3 -c "import json,sys; r=json.load(sys.stdin)[0]; sys.exit(0 if r['resets'] >= 1 else 1)"; }
check "client 1 counted the re-opened card as a reset" wait_for 5 c1_reset
sanitizer_check
finish
