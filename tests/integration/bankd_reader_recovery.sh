#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bankd_reader_recovery.sh: the reader actor notices card removal and the
# loss of pcscd, reports both (log + BankSlotStatusInd(cardPresent=0) to the
# client, whose connection is kept), does not spin while waiting (CPU ticks
# sampled from /proc), and resumes by itself: card back / pcscd restarted ->
# BankSlotStatusInd(cardPresent=1) + a fresh SetAtrReq, APDUs work again.
# A TPDU that fails because the card vanished closes the connection
# (bankd.md §6.6) and a reconnecting client gets cardNotPresent, then the ATR.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/pcscd.sh"
. "$(dirname "$0")/bankd_reader_common.bash"

if ! pcscd_available || [ ! -x "$BIN/reader" ] || [ ! -x "$BIN/remsimd" ]; then
	skip "bankd_reader_recovery: pcscd/vpcd, reader or remsimd not available"
	finish
fi
ATR=3b1a1172656d73696d2053494d
SEL=a0a40000023f00

check "pcscd with 2 vpcd readers" multi_pcscd 1 || finish
slot_vcard 0
check "card present" slot_wait_card 0
bankd_config 1
check "bankd starts, reader found" start_bankd 1 || finish
RPID=$(reader_pid 0)

# ticks_while_waiting SECONDS: CPU ticks (1/100 s) reader/0 used meanwhile
ticks_while_waiting() {
	local a b
	a=$(cpu_ticks "$RPID"); sleep "$1"; b=$(cpu_ticks "$RPID")
	echo $((b - a))
}

# --- card removed while idle, then reinserted --------------------------------------
{
	hello 5:0 "$ATR"
	tpdu_lines 5:0 1:0 "$SEL" 9f17
	echo "await bankSlotStatusInd fromBankSlot=B1:0 toClientSlot=C5:0 rst=0 card=0"
	echo "await bankSlotStatusInd card=1"
	echo "expect setAtrReq slot=C5:0 atr=$ATR"
	tpdu_lines 5:0 1:0 "$SEL" 9f17
} >"$T/remove.script"
spawn peer_remove peer 0 "$T/remove.script" -t 15000
PR=$SPAWNED_PID
wait_log "$T/peer_remove.log" '< tpduCardToModem' 10
kill -USR1 "${SLOT_VCARD[0]}"
check "card removal noticed and reported" wait_log "$T/remsimd.log" 'reader/0 .*card lost' 5
ticks=$(ticks_while_waiting 3)
echo "# reader/0 used $ticks CPU ticks in 3 s without a card"
check "no busy loop without a card (< 15 ticks in 3 s)" test "$ticks" -lt 15
kill -USR2 "${SLOT_VCARD[0]}"
check "card back: cardPresent=1, fresh ATR, APDU works, same connection" wait "$PR"
check "removal logged clearly" grep -q "reader/0 \[B1:0 C5:0\] card lost .*client told" "$T/remsimd.log"

# --- pcscd killed and restarted ----------------------------------------------------
{
	hello 6:0 "$ATR"
	tpdu_lines 6:0 1:0 "$SEL" 9f17
	echo "await bankSlotStatusInd card=0"
	echo "await bankSlotStatusInd card=1"
	echo "expect setAtrReq slot=C6:0 atr=$ATR"
	tpdu_lines 6:0 1:0 "$SEL" 9f17
} >"$T/pcscd.script"
spawn peer_pcscd peer 0 "$T/pcscd.script" -t 20000
PP=$SPAWNED_PID
wait_log "$T/peer_pcscd.log" '< tpduCardToModem' 10
pcscd_kill
check "loss of pcscd noticed and reported" wait_log "$T/remsimd.log" 'reader/0 .*PC/SC service lost' 5
ticks=$(ticks_while_waiting 3)
echo "# reader/0 used $ticks CPU ticks in 3 s without pcscd"
check "no busy loop without pcscd (< 15 ticks in 3 s)" test "$ticks" -lt 15
check "reader did not die" kill -0 "$RPID"
t0=$(date +%s%N)
PCSCLITE_CSOCK_NAME=${SLOT_SOCK[0]} pcscd_restart
check "pcscd restarted" test $? = 0
check "service resumes by itself: cardPresent=1, fresh ATR, APDU works, same connection" wait "$PP"
echo "# pcscd restart -> client served again: $((($(date +%s%N) - t0) / 1000000)) ms"

# --- a TPDU after the card was pulled: connection closed (bankd.md §6.6) ------------
{
	hello 5:0 "$ATR"
	tpdu_lines 5:0 1:0 "$SEL" 9f17
	echo "sleep 600"
	echo "send tpduModemToCard client=5:0 bank=1:0 data=$SEL"
	echo "expect-close 5000"
} >"$T/pulled.script"
spawn peer_pulled peer 0 "$T/pulled.script" -t 15000
PU=$SPAWNED_PID
wait_log "$T/peer_pulled.log" '< tpduCardToModem' 10
kill -USR1 "${SLOT_VCARD[0]}"
check "TPDU without a card: connection closed, no answer" wait "$PU"
check "TPDU without a card: logged" grep -qE 'reader/0 .*(TPDU while the card is not available|SCardTransmit)' "$T/remsimd.log"

# --- no card at connect: cardNotPresent, connection kept, ATR when the card comes ------
slot_wait_empty() { ! slot_apdu 0 --wait present --timeout 0 >/dev/null 2>&1; }
wait_for 5 slot_wait_empty
{
	echo "send connectClientReq client=5:0"
	echo "expect connectClientRes result=cardNotPresent"
	echo "await setAtrReq slot=C5:0 atr=$ATR"
	tpdu_lines 5:0 1:0 "$SEL" 9f17
} >"$T/late.script"
spawn peer_late peer 0 "$T/late.script" -t 15000
PL=$SPAWNED_PID
sleep 0.5
kill -USR2 "${SLOT_VCARD[0]}"
check "no card at connect: cardNotPresent, connection kept, ATR when the card comes" wait "$PL"

check "reader/0 was never restarted" test "$(reader_pid 0)" = "$RPID"
kill -TERM "$REMSIMD_PID" 2>/dev/null
for _ in $(seq 1 100); do kill -0 "$REMSIMD_PID" 2>/dev/null || break; sleep 0.05; done
if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$T/remsimd.log"; then
	fail "sanitizer reports in remsimd.log"
else
	pass "no sanitizer reports at exit"
fi
finish
