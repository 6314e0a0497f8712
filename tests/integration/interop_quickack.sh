#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# interop_quickack.sh: no Nagle stall with osmo-remsim peers.  osmo-remsim
# does not set TCP_NODELAY on its client connections: when its bankd sends
# ConnectClientRes and SetAtrReq back to back, or its client sends SetAtrRes
# and then the first TPDU, the second segment waits for our ACK of the first
# (~40 ms of delayed ACK) unless our broker acknowledges at once
# (TCP_QUICKACK re-armed after each read).  Checked both ways:
#   remsim client-shell -> osmo-remsim-bankd: entering OPERATIONAL (default
#     ATR) to the card's ATR, and the card's ATR to the first R-APDU;
#   osmo-remsim-client-shell -> remsim-bankd: the same two times.
# Each must be below 20 ms (the stall is >= 40 ms; the rest is < 2 ms).  A
# connection is tried up to 3 times and the best one counts, so that a
# scheduling hiccup on a busy machine does not fail the test; the stall, when
# there, is on every connection.  Needs OSMO_REMSIM_PREFIX (else SKIP).
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/pcscd.sh"
. "$(dirname "$0")/../lib/system.sh"
. "$(dirname "$0")/../lib/osmo.sh"
. "$(dirname "$0")/../lib/shelldrive.sh"
APDU=a0f2000016
LIMIT_US=20000

if ! osmo_available; then
	skip "no Nagle stall with osmo-remsim peers: $OSMO_WHY"
	finish
fi
pcscd_available || { skip "no Nagle stall with osmo-remsim peers: pcscd/vpcd not usable"; finish; }
pcscd_start 1 || { fail "pcscd start"; finish; }
vcard_start 0
pcsc_wait_card 0 10 || { fail "card in reader 0"; finish; }

# best_of NAME CMD...: connect up to 3 times (a fresh shell each time), keep
# the connection with the smallest connect->ATR + ATR->first R-APDU
best_of() {
	local name=$1 i best=-1 c f; shift
	for i in 1 2 3; do
		drive_start "$name$i" --first "$APDU" -- "$@"
		if ! drive_ready "$name$i" 30; then
			echo "# $name$i: $(cat "$T/$name$i.out") $(tail -n 5 "$T/$name$i.log")"
			drive_stop "$name$i"
			continue
		fi
		c=$(drive_val "$DRIVE_READY" connect_to_atr_us); f=$(drive_val "$DRIVE_READY" first_us)
		echo "# $name try $i: connect->ATR ${c} us, ATR->first R-APDU ${f} us, sw $(drive_val "$DRIVE_READY" sw)"
		if [ "$best" -lt 0 ] || [ $((c + f)) -lt $((BEST_C + BEST_F)) ]; then best=$i BEST_C=$c BEST_F=$f; fi
		drive_stop "$name$i"
		[ $((c + f)) -lt $LIMIT_US ] && [ "$c" -lt $LIMIT_US ] && [ "$f" -lt $LIMIT_US ] && break
	done
	[ "$best" -ge 0 ]
}

# --- remsim client -> osmo-remsim bankd ------------------------------------------
system_server server || { fail "server start"; finish; }
osmo_bankd osmo-bankd 1 "$SRV_PORT" "$BANKD_PORT" "${PCSC_READERS[0]}"
OBANKD=$OSMO_BANKD_PID
_bank_up() { "${CTL[@]}" --json banks 2>/dev/null | grep -q '"bankId": *1'; }
check "osmo-remsim-bankd registers with our server" wait_for 15 _bank_up
system_map 0:0 1:0 || fail "map C0:0 -> B1:0 ACTIVE"
if best_of r2o "$BIN/remsim-client-shell" -i 127.0.0.1 -p "$SRV_PORT" -c 0 -n 0 --run-dir "$T/client-run"; then
	check "remsim client + osmo bankd: card ATR ${BEST_C} us after entering OPERATIONAL (< $LIMIT_US)" \
		test "$BEST_C" -lt $LIMIT_US
	check "remsim client + osmo bankd: first R-APDU ${BEST_F} us after the ATR (< $LIMIT_US)" \
		test "$BEST_F" -lt $LIMIT_US
else
	fail "remsim client + osmo bankd: no card ATR"
fi
kill "$OBANKD"
wait "$OBANKD" 2>/dev/null

# --- osmo-remsim client -> remsim bankd -------------------------------------------
system_server server2 || { fail "second server start"; finish; }
system_bankd 1 || fail "remsim bankd registers"
system_map 0:0 1:0 || fail "map C0:0 -> B1:0 ACTIVE (second server)"
if best_of o2r "${OSMO_CLIENT_SHELL[@]}" -i 127.0.0.1 -p "$SRV_PORT" -c 0 -n 0; then
	check "osmo client + remsim bankd: card ATR ${BEST_C} us after entering OPERATIONAL (< $LIMIT_US)" \
		test "$BEST_C" -lt $LIMIT_US
	check "osmo client + remsim bankd: first R-APDU ${BEST_F} us after the ATR (< $LIMIT_US)" \
		test "$BEST_F" -lt $LIMIT_US
else
	fail "osmo client + remsim bankd: no card ATR"
fi
sanitizer_check
finish
