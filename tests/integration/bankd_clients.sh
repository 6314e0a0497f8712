#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bankd_clients.sh: `remsim-ctl clients` on a bankd during real traffic
# (private pcscd + vpcd + virtual cards, two shell clients pumping APDUs):
# every reader slot that serves a client is listed with the client id:slot,
# its peer address, since when and the TPDUs served (growing while APDUs
# flow), in the table and with --json; a restarted bankmap lists them again;
# a client whose role stops is no longer listed; an unmapped client is
# listed as parked.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/pcscd.sh"
. "$(dirname "$0")/../lib/system.sh"
. "$(dirname "$0")/../lib/recovery.sh"
. "$(dirname "$0")/../lib/peer.sh"

pcscd_available || { skip "bankd clients: pcscd/vpcd not usable here"; finish; }
recovery_rig || finish
BCTL=("$BIN/remsim-ctl" -e "ipc://$T/bankd-run/control")

# the readers report within their card watch period (0.5 s)
listed() { "${BCTL[@]}" clients 2>/dev/null | grep -qE "^1:$1 +$2 +127\.0\.0\.1:[0-9]+ +served "; }
check "bankd clients: B1:0 serves 0:0" wait_for 5 listed 0 0:0
check "bankd clients: B1:1 serves 1:0" wait_for 5 listed 1 1:0
"${BCTL[@]}" clients >"$T/clients.txt" 2>&1
sed 's/^/# /' "$T/clients.txt" >&2
check "bankd clients: a table with bank slot, client, peer, state, since, TPDUs" \
	grep -qE '^BANK SLOT +CLIENT +PEER +STATE +SINCE +TPDUS +CONN$' "$T/clients.txt"
check "bankd clients: not '(no clients connected)' while clients are served" \
	bash -c "! grep -q 'no clients connected' '$T/clients.txt'"

# the first sample once the readers have reported a TPDU (they report on
# their poll tick, so right after connecting the count may still be 0)
_c1_counted() {
	"${BCTL[@]}" --json clients >"$T/c1.json" 2>/dev/null &&
		python3 -c 'import json, sys; r = {x["bank_slot"]: x for x in json.load(open(sys.argv[1]))}; sys.exit(0 if r.get("1:0", {}).get("tpdus", 0) > 0 else 1)' "$T/c1.json"
}
wait_for 10 _c1_counted
sleep 1.5
"${BCTL[@]}" --json clients >"$T/c2.json"
rows_ok() { python3 - "$T/c1.json" "$T/c2.json" "$1" <<'PY'
import json, sys, time, calendar
a = {r["bank_slot"]: r for r in json.load(open(sys.argv[1]))}
b = {r["bank_slot"]: r for r in json.load(open(sys.argv[2]))}
r0, r1 = a["1:0"], b["1:0"]
since = calendar.timegm(time.strptime(r0["since"], "%Y-%m-%dT%H:%M:%SZ"))
ok = {
 "shape": r0["client"] == "0:0" and a["1:1"]["client"] == "1:0" and r0["state"] == "served"
          and r0["peer"].startswith("127.0.0.1:") and r0["reader"] == "reader/0" and r0["conn"] > 0,
 "since": 0 <= time.time() - since < 120,
 "tpdus": r0["tpdus"] > 0 and r1["tpdus"] > r0["tpdus"],
}[sys.argv[3]]
sys.exit(0 if ok else 1)
PY
}
check "bankd clients --json: client, peer, state, reader, conn of each served slot" rows_ok shape
check "bankd clients --json: since is a recent UTC time" rows_ok since
check "bankd clients --json: TPDUs served grow while APDUs flow" rows_ok tpdus

# bankmap killed: the restarted one re-tells the readers their mappings and
# they report what they serve again
recovery_kill "ipc://$T/bankd-run/control" bankmap
check "bankd clients: after a kill -9 of bankmap, B1:0 is listed again" wait_for 10 listed 0 0:0
check "bankd clients: ... and B1:1" wait_for 5 listed 1 1:0

# the client of B1:1 goes away: its row goes too
kill -TERM "$PUMP1_PID"
gone() { ! "${BCTL[@]}" clients 2>/dev/null | grep -qE '^1:1 '; }
check "bankd clients: a stopped client is no longer listed" wait_for 10 gone
check "bankd clients: the other one still is" listed 0 0:0

# an unmapped client identifying on the bankd listener is parked (cardNotPresent)
peer_fifo_open p9 -c "127.0.0.1:$BANKD_PORT"
check "an unmapped client C9:0 gets cardNotPresent" \
	peer_do p9 "send connectClientReq client=9:0" "expect connectClientRes result=cardNotPresent"
parked() { "${BCTL[@]}" clients 2>/dev/null | grep -qE '^- +9:0 +127\.0\.0\.1:[0-9]+ +parked '; }
check "bankd clients: an unmapped client is listed as parked" wait_for 5 parked
peer_close p9
sanitizer_check
finish
