#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# client_modem.sh: what the modem sees (spec simtrace2-cardem.md §7, client.md
# §4): remsim-client on st2sim in modem mode (a modem that follows the
# board: card-insert control, modem reset, SIM select) on an ngff-cardem
# board (the one-slot board with both a card-insert output and a modem
# reset line).  A scripted server
# maps the slot to bankd 1 (ATR 1), bankd 1 goes away (bankd lost), the
# server remaps to bankd 2 (ATR 2), then unmaps (0.0.0.0:0).  Asserted at the
# board: card removed (CARDINSERT 0, SIM_SELECT local, MODEM_RESET) on bankd
# loss and on unmap; card inserted with the new ATR on the remap (SIM_SELECT
# remote, SET_ATR, CARDINSERT 1, MODEM_RESET, SET_ATR 2, the modem reads ATR 2);
# the modem's reboots (VCC/RST edges) reach the bankd as status indications;
# the event script gets each step.  The modem boots 0.5 s after its reset
# pulse, time enough for the new bankd's SetAtrReq to reach the board (a
# real modem takes seconds).
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/client_common.bash"

ATR1=3b9f96801fc78031a073be21136743200718000001a5
ATR2=3b9e95801fc78031e073fe211b66d0016a0f01b7
hexsp() { echo "$1" | sed 's/../& /g; s/ $//'; }
PS=$(free_port); PB1=$(free_port); PB2=$(free_port)
event_script
peer srv "$PS" 30000 <<EOS
$(server_lines "$PB1" 0)
sleep 3000
send configClientBankReq bank=2:4 ip=127.0.0.1 port=$PB2
expect configClientBankRes result=ok
sleep 2500
send configClientBankReq bank=2:4 ip=0.0.0.0 port=0
expect configClientBankRes result=ok
expect-close 20000
EOS
peer bkd1 "$PB1" <<EOS
$(bankd_lines 0)
serve-card 2000
EOS
BKD1=$PEER_PID
peer bkd2 "$PB2" 20000 <<EOS
expect connectClientReq type=remsimClient clientSlot=C7:0
send connectClientRes type=bankd software=remsim-bankd result=ok
send setAtrReq client=7:0 atr=$ATR2
expect setAtrRes result=ok
serve-card 20000
EOS
BKD2=$PEER_PID

sim_client sim "$PS" --board ngff --verify --modem 8 --status-ms 200 --boot-ms 500 --timeout 5
peer_wait "$SIM" 25; rc=$?
check "modem: the simulated modem's sessions ran without errors (rc=$rc)" \
	grep -q 'protocol_errors=0 verify_errors=0 .* stalls=0 .*result=OK' "$T/sim.log"
check "modem: mapped -> SIM remote, default ATR, card inserted, modem reset, the card's ATR, session" \
	in_order "$T/sim.log" '^# SIM_SELECT remote' '^# SET_ATR: 3b 00$' '^# CARDINSERT 1' \
	'^# MODEM_RESET 2 300 ms' "^# SET_ATR: $(hexsp $ATR1)\$" "^ATR: $(hexsp $ATR1)\$" '^PPS: ff 10 94 7b' \
	'^C-APDU: a0 a4 00 00 02 3f 00' '^C-APDU: a0 88 00 00 10' '^C-APDU: a0 f2 00 00 16'
check "modem: bankd lost -> card removed, SIM local, modem reset (the modem powers the card off)" \
	in_order "$T/sim.log" "^ATR: $(hexsp $ATR1)\$" '^# CARDINSERT 0' '^# modem: card removed: card off' \
	'^# SIM_SELECT local' '^# MODEM_RESET 2 300 ms'
check "modem: remapped -> card inserted again and the modem reads the new bankd's ATR" \
	in_order "$T/sim.log" '^# CARDINSERT 0' '^# SIM_SELECT remote' '^# CARDINSERT 1' '^# MODEM_RESET 2 300 ms' \
	"^# SET_ATR: $(hexsp $ATR2)\$" "^ATR: $(hexsp $ATR2)\$" '^C-APDU: a0 a4 00 00 02 3f 00'
check "modem: unmapped -> card removed again" \
	in_order "$T/sim.log" "^ATR: $(hexsp $ATR2)\$" '^# CARDINSERT 0' '^# SIM_SELECT local' '^# MODEM_RESET 2 300 ms'
check "modem: two sessions, two removals (summary)" grep -q 'sessions=2 reboots=[0-9]* removals=2 ' "$T/sim.log"
check "modem: the modem's reboot reached the bankd as a reset (clientSlotStatusInd rst=1)" \
	grep -q 'Tx clientSlotStatusInd(reset_act=1, vcc_act=1' "$T/client.log"
kill -TERM "$CL"; wait "$CL"
peer_wait "$BKD1" 5; peer_wait "$BKD2" 5
check "modem: bankd 1 and bankd 2 each answered TPDUs and got status indications" \
	eval 'grep -qE "serve-card: tpdus=[1-9][0-9]* status=[1-9]" "$T/bkd1.log" &&
	      grep -qE "serve-card: tpdus=[1-9][0-9]* status=[1-9]" "$T/bkd2.log"'
for c in request-sim-remote request-card-insert request-modem-reset request-card-remove request-sim-local \
	event-modem-status event-config-bankd event-bankd-connect; do
	check "modem: event script called for $c" ev_has "$c" "^REMSIM_CAUSE=$c\$"
done
check "modem: card-remove on bankd loss: bank slot 2:3, bankd re-establishing" \
	eval 'cat "$T"/ev/request-card-remove.* | grep -A1 "^REMSIM_BANKD_SLOT=2:3$" | grep -q "^REMSIM_BANKD_STATE=REESTABLISH$"'
check "modem: card-remove on unmap: bankd address 0.0.0.0:0" ev_has request-card-remove '^REMSIM_BANKD_ADDR=0\.0\.0\.0:0$'
check "modem: the event script gets the board's port path and the interface (not given: -1 as u32)" \
	eval 'ev_has request-card-remove "^REMSIM_USB_PATH=1-1\$" && ev_has request-card-remove "^REMSIM_USB_INTERFACE=4294967295\$"'
no_sanitizer_reports
finish
