#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# client_shell.sh: remsim-client-shell against a scripted server and bankd:
# registration, ConfigClientBankReq -> bankd connect -> SetAtr, TPDU relay,
# the stdin line buffering (LF, CR, CRLF, several lines per write, a line
# split across writes, parse errors), RESET -> ClientSlotStatusInd on edges
# only, wrong-slot responses and ATRs dropped, the event script and its
# environment, and exit status 0 on EOF.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/client_common.bash"

PS=$(free_port); PB=$(free_port)
LONG=$(printf 'a5%.0s' $(seq 1 300))		# a 300-octet TPDU (beyond 5..260)
TOO_LONG=$(printf '5a%.0s' $(seq 1 1025))	# beyond RSPRO_DATA_MAX
event_script
peer srv "$PS" <<EOS
$(server_lines "$PB" 0)
expect-close 30000
EOS
SRV=$PEER_PID
peer bkd "$PB" <<EOS
$(bankd_lines 0)
expect tpduModemToCard fromClientSlot=C7:0 toBankSlot=B2:3 flags=---- data=a0a40000023f00
send tpduCardToModem bank=2:3 client=7:0 data=9f17
expect tpduModemToCard data=a0f2000016
send tpduCardToModem bank=2:3 client=7:0 data=000102039000
expect tpduModemToCard data=a0b0000004
send tpduCardToModem bank=2:3 client=7:1 data=dead9000
send tpduCardToModem bank=2:4 client=7:0 data=beef9000
send tpduCardToModem bank=9:3 client=7:0 data=beef9000
send setAtrReq client=7:1 atr=3b01
send tpduCardToModem bank=2:3 client=7:0 data=01029000
expect tpduModemToCard data=0102
send tpduCardToModem bank=2:3 client=7:0 data=6d00
expect tpduModemToCard data=0001000000
send tpduCardToModem bank=2:3 client=7:0 data=9001
expect tpduModemToCard data=0002000000
send tpduCardToModem bank=2:3 client=7:0 data=9002
expect tpduModemToCard data=0003000000
send tpduCardToModem bank=2:3 client=7:0 data=9003
expect tpduModemToCard data=0004000000
send tpduCardToModem bank=2:3 client=7:0 data=9004
expect clientSlotStatusInd fromClientSlot=C7:0 toBankSlot=B2:3 rst=1 vcc=0 clk=0 card=1
expect tpduModemToCard data=00a40004023f00
send tpduCardToModem bank=2:3 client=7:0 data=6a82
expect tpduModemToCard data=$LONG
send tpduCardToModem bank=2:3 client=7:0 data=6c00
expect-close 30000
EOS
BKD=$PEER_PID

mkfifo "$T/in"
"$BIN/remsim-client-shell" -i 127.0.0.1 -p "$PS" -c 7 -n 0 -e "$T/ev.sh" --run-dir "$RUN" \
	<"$T/in" >"$T/out" 2>"$T/client.log" &
CL=$!
SPAWNED_PIDS+=("$CL")
exec 7>"$T/in"

check "shell: registration, bankd assigned and connected, card ATR shown" \
	wait_log "$T/out" '^SET_ATR: 3b 9f 96 80 1f c7 80 31 a0 73 be 21 13 67 43 20 07 18 00 00 01 a5 $' 10
check "shell: no placeholder SET_ATR on entering OPERATIONAL: the card's ATR is the first line" \
	bash -c "head -1 '$T/out' | grep -qx 'SET_ATR: 3b 9f 96 80 1f c7 80 31 a0 73 be 21 13 67 43 20 07 18 00 00 01 a5 '"
check "... and the only SET_ATR line" bash -c "[ \$(grep -c '^SET_ATR:' '$T/out') = 1 ]"

printf 'a0a40000023f00\n' >&7
check "shell: LF-terminated C-APDU relayed, R-APDU printed" wait_log "$T/out" '^R-APDU: 9f 17 $' 5
printf 'a0f200' >&7; sleep 0.3; printf '0016\r\n' >&7
check "shell: a line split across two writes, CRLF" wait_log "$T/out" '^R-APDU: 00 01 02 03 90 00 $' 5
printf 'a0 b0 00 00 04\r' >&7
check "shell: CR-terminated line with spaces between octets" wait_log "$T/out" '^R-APDU: 01 02 90 00 $' 5
check "shell: responses for another client slot or bank slot are not shown" \
	bash -c "! grep -qE 'de ad|be ef' '$T/out'"
check "shell: wrong-slot tpduCardToModem dropped and logged (3x)" \
	bash -c "[ \$(grep -c 'tpduCardToModem .* is not for this slot: dropped' '$T/client.log') = 3 ]"
check "shell: setAtrReq for another client slot dropped and logged" \
	grep -q 'setAtrReq for C7:1 is not for this slot: dropped' "$T/client.log"
check "shell: wrong-slot setAtrReq not shown" bash -c "! grep -q 'SET_ATR: 3b 01' '$T/out'"
printf 'zz\n0102\n0001000000\n0002000000\r\n0003000000\r0004000000\n' >&7
check "shell: several lines in one write, all answered" wait_log "$T/out" '^R-APDU: 90 04 $' 5
check "shell: answers in order" \
	bash -c "grep -E '^R-APDU: 90 0[1-4]' '$T/out' | tr -d '\n' | grep -q '90 01 .*90 02 .*90 03 .*90 04'"
check "shell: parse error reported on stderr" grep -q "ERROR parsing C-APDU 'zz'!" "$T/client.log"
check "shell: a 2-octet TPDU is relayed as it is (the bankd's reader judges lengths)" \
	grep -q '^R-APDU: 6d 00 $' "$T/out"
printf 'RESET\nreset\n00a40004023f00\n' >&7
check "shell: RESET -> one clientSlotStatusInd (edge only), then the next TPDU" \
	wait_log "$T/out" '^R-APDU: 6a 82 $' 5
printf '%s\n%s\n' "$TOO_LONG" "$LONG" >&7
check "shell: a 300-octet TPDU is relayed" wait_log "$T/out" '^R-APDU: 6c 00 $' 5
check "shell: a 1025-octet one cannot be carried: dropped with a log line" \
	grep -q 'TPDU of 1025 octets cannot be carried (1..1024): dropped' "$T/client.log"
check "shell: stdout has only SET_ATR/R-APDU lines" bash -c "! grep -vqE '^(SET_ATR|R-APDU): ' '$T/out'"

# event script
check "shell: event-server-connect with the server address" \
	wait_for 5 ev_has event-server-connect "^REMSIM_SERVER_ADDR=127.0.0.1:$PS\$"
check "shell: event-config-bankd with the bankd address" ev_has event-config-bankd "^REMSIM_BANKD_ADDR=127.0.0.1:$PB\$"
check "shell: event-config-bankd with bank and client slot" \
	eval 'ev_has event-config-bankd "^REMSIM_BANKD_SLOT=2:3\$" && ev_has event-config-bankd "^REMSIM_CLIENT_SLOT=7:0\$"'
check "shell: event-bankd-connect with bankd state CONNECTED" ev_has event-bankd-connect '^REMSIM_BANKD_STATE=CONNECTED$'
check "shell: event-bankd-connect with server state CONNECTED" ev_has event-bankd-connect '^REMSIM_SERVER_STATE=CONNECTED$'
check "shell: REMSIM_CLIENT_VERSION set" ev_has event-bankd-connect '^REMSIM_CLIENT_VERSION=[0-9]'
for c in request-sim-remote request-card-insert request-modem-reset; do
	check "shell: event script called for $c" ev_has "$c" "^REMSIM_CAUSE=$c\$"
done
check "shell: event-modem-status with RST=1 VCC=0 CLK=0" \
	eval 'ev_has event-modem-status "^REMSIM_SIM_RST=1\$" && ev_has event-modem-status "^REMSIM_SIM_VCC=0\$" && ev_has event-modem-status "^REMSIM_SIM_CLK=0\$"'
check "shell: event-modem-status called once (edges only)" [ "$(ls "$T/ev" | grep -c event-modem-status)" = 1 ]
check "shell: the script environment is filtered" bash -c "! cat '$T'/ev/* | grep -q SECRET_PROBE"

# EOF: exit 0, the peers see their connections close
exec 7>&-
wait "$CL"; rc=$?
check "shell: EOF on stdin -> exit status 0 (rc=$rc)" [ "$rc" = 0 ]
peer_wait "$BKD" 10; rc=$?
check "shell: the scripted bankd saw every expected message (rc=$rc)" [ "$rc" = 0 ]
peer_wait "$SRV" 10; rc=$?
check "shell: the scripted server saw the registration and ConfigClientBankRes (rc=$rc)" [ "$rc" = 0 ]
check "shell: log lines carry the slot context" grep -q 'usbslot/0 \[C7:0 B2:3\] Rx setAtrReq' "$T/client.log"
no_sanitizer_reports
finish
