#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# log_usbslot.sh: the client side of per-category logging.  remsim-client-shell
# (remsimd + broker + usbslot/0) against scripted server and bankd peers:
# with REMSIM_LOG_MASK naming DTPDU every TPDU is one INFO line (command and
# response, hex) with the slot context; without, none; DRSPRO Rx/Tx lines on
# and off by the mask, independently of the usbslot's own DMAIN lines.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/client_common.bash"

# run NAME MASK: one client session relaying a SELECT (log $T/NAME.log)
run() {
	local name=$1 mask=$2 ps pb
	ps=$(free_port); pb=$(free_port)
	peer "${name}_srv" "$ps" <<EOS
$(server_lines "$pb" 0)
expect-close 30000
EOS
	peer "${name}_bkd" "$pb" <<EOS
$(bankd_lines 0)
expect tpduModemToCard fromClientSlot=C7:0 toBankSlot=B2:3 flags=---- data=a0a40000023f00
send tpduCardToModem bank=2:3 client=7:0 data=9f17
expect-close 30000
EOS
	mkdir -p "$T/$name.run"
	mkfifo "$T/$name.in"
	REMSIM_LOG_MASK=$mask REMSIM_LOG_TIMESTAMPS=0 "$BIN/remsim-client-shell" -i 127.0.0.1 -p "$ps" -c 7 -n 0 \
		--run-dir "$T/$name.run" <"$T/$name.in" >"$T/$name.out" 2>"$T/$name.log" &
	local cl=$!
	SPAWNED_PIDS+=("$cl")
	exec 7>"$T/$name.in"
	check "$name: ATR shown" wait_log "$T/$name.out" '^SET_ATR:' 10
	printf 'a0a40000023f00\n' >&7
	check "$name: C-APDU relayed, R-APDU printed" wait_log "$T/$name.out" '^R-APDU: 9f 17 $' 5
	exec 7>&-
	for _ in $(seq 1 100); do kill -0 "$cl" 2>/dev/null || break; sleep 0.05; done
}

run tpdu "DMAIN,info:DTPDU,info"
check "DTPDU on: the command line with the slot context" \
	grep -q '^INFO   DTPDU usbslot/0 \[C7:0 B2:3\] cmd a0a40000023f00$' "$T/tpdu.log"
check "DTPDU on: the response line" grep -q '^INFO   DTPDU usbslot/0 \[C7:0 B2:3\] rsp 9f17$' "$T/tpdu.log"
check "DMAIN info: the usbslot's state lines" grep -q 'usbslot/0 \[C7:0 B2:3\] state WAIT_BANKD -> OPERATIONAL' "$T/tpdu.log"
check "DRSPRO not named: no Rx/Tx lines" eval '! grep -q "DRSPRO usbslot/0" "$T/tpdu.log"'

run rspro "DMAIN,error:DRSPRO,debug"
check "DTPDU not named: no TPDU lines" eval '! grep -q "DTPDU" "$T/rspro.log"'
check "DRSPRO debug: Tx of the TPDU to the bankd" \
	grep -q '^DEBUG  DRSPRO usbslot/0 \[C7:0 B2:3\] Tx tpduModemToCard to the bankd' "$T/rspro.log"
check "DRSPRO debug: Rx of its response" \
	grep -q '^DEBUG  DRSPRO usbslot/0 \[C7:0 B2:3\] Rx tpduCardToModem from the bankd' "$T/rspro.log"
check "DMAIN error: the usbslot's own info lines off" eval '! grep -q "state WAIT_BANKD -> OPERATIONAL" "$T/rspro.log"'
no_sanitizer_reports
finish
