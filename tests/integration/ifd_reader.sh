#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ifd_reader.sh: a remote bank card as a local PC/SC reader.  A private pcscd
# loads libifd_remsim.so for two readers: "remsim-svc" (DEVICENAME = the role
# config of a client role the test runs as a service) and "remsim-auto"
# (DEVICENAME 0:1:127.0.0.1:PORT, a role the driver starts itself).  Behind
# them: our server, our bankd on a second private pcscd with vpcd and our
# virtual cards.  PC/SC APDUs through pcscd -> driver -> usbslot (ifd
# frontend) -> bankd -> pcscd -> card; unmap/remap; a stopped and a killed
# usbslot (pcscd survives, bounded errors, the reader recovers); bad
# DEVICENAMEs.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/pcscd.sh"
. "$(dirname "$0")/../lib/system.sh"
. "$(dirname "$0")/../lib/ifd.sh"
trap 'ifd_kill_roles; cleanup_spawned' EXIT

[ -e "$IFD_LIB" ] || { fail "ifd: $IFD_LIB not built"; finish; }
check "ifd: the driver exports only the IFDH entry points" \
	eval '[ "$(nm -D --defined-only "$IFD_LIB" | grep -c " T ")" = "$(nm -D --defined-only "$IFD_LIB" | grep -c " T IFDH")" ]'

# launcher and settings
"$BIN/remsim-client" --ifd -c 3 -n 1 -i 192.0.2.1 --print-config >"$T/gen.cfg" 2>&1
check "ifd: remsim-client --ifd: run dir remsim-ifd-C3-1, socket in it, no usb group" \
	eval 'grep -qE "^run_dir = \".*/remsim-ifd-C3-1\";" "$T/gen.cfg" && grep -qE "transport = \"ifd:.*/remsim-ifd-C3-1/ifd.sock\";" "$T/gen.cfg" && ! grep -q "usb = {" "$T/gen.cfg"'
check "ifd: the generated config passes remsimd --check" eval '"$BIN/remsimd" -c "$T/gen.cfg" --check >/dev/null 2>&1'
"$BIN/usbslot" --hub "ipc://$T/none" --name usbslot/0 -- --transport ifd: >"$T/bad.out" 2>&1; rc=$?
check "ifd: usbslot --transport ifd: without a path is a usage error (rc=$rc)" \
	eval '[ "$rc" = 2 ] && grep -q "bad value .ifd:. for --transport" "$T/bad.out"'

pcscd_available || { skip "ifd: pcscd/vpcd not usable here"; finish; }
check "ifd: bank side (2 cards), server, client role 0:0 as a service" ifd_system 2

printf 'client = { transport = "usb"; };\n' >"$T/noifd.cfg"
printf 'client = {\n' >"$T/garbage.cfg"		# (pcscd itself refuses a missing file)
check "ifd: pcscd with our driver serves" ifd_pcscd_start "remsim-svc=$T/client.cfg" \
	"remsim-auto=0:1:127.0.0.1:$SRV_PORT" "remsim-bad=1:2:3:4:5" "remsim-noifd=$T/noifd.cfg" \
	"remsim-badnum=x:0" "remsim-garbage=$T/garbage.cfg"
list=$(ifd_apdu --list)
check "ifd: both good readers listed, empty before any mapping" \
	eval 'grep -qP "^remsim-svc.*\tempty" <<<"$list" && grep -qP "^remsim-auto.*\tempty" <<<"$list"'
check "ifd: bad DEVICENAME refused with its reason" \
	grep -q "DEVICENAME '1:2:3:4:5': more than ClientID:SlotNr:ServerIp:ServerPort" "$IFD_PCSCD_LOG"
check "ifd: config without an ifd transport refused" \
	grep -q "DEVICENAME '$T/noifd.cfg': no slot with transport = \"ifd:PATH\"" "$IFD_PCSCD_LOG"
check "ifd: non-numeric ClientID refused" grep -q "DEVICENAME 'x:0': ClientID and SlotNr must be 0..1023" "$IFD_PCSCD_LOG"
check "ifd: broken config file refused with its line" grep -q "DEVICENAME '$T/garbage.cfg': syntax error at line 2" "$IFD_PCSCD_LOG"
check "ifd: bad readers not served" eval '! grep -qE "^remsim-(bad|noifd|badnum|garbage)" <<<"$list"'
check "ifd: driver started the role for 0:1 itself" wait_log "$IFD_PCSCD_LOG" 'starting the client role: .*remsim-client --ifd'
check "ifd: auto-started role 0:1 registered with the server" wait_for 20 ifd_client_up 0:1

# the frontend's own answers to bad requests (tests/tools/zreq speaks REQ)
FE="ipc://$T/ifd0.sock"
check "ifd: frontend: unknown request -> E unknown request" [ "$("$TBIN/zreq" "$FE" X)" = "Eunknown request" ]
check "ifd: frontend: APDU while unmapped -> E no card" [ "$("$TBIN/zreq" "$FE" Ta0a4000002)" = "Eno card" ]
"$TBIN/zreq" -d intruder "$FE" S
check "ifd: frontend: a request without REQ envelope is dropped with a log line" \
	wait_log "$T/client.log" 'usbslot/0 .*reader: malformed request dropped' 5

# the bank cards' own answers, read before the bankd holds the readers
RAND=00112233445566778899aabbccddeeff
APDUS=(a0a40000023f00 a0c0000017 a0a40000022fe2 a0b000000a
       a0a40000027f20 a0a40000026f07 a0b0000009 a088000010$RAND a0c000000c
       00a40004023f00 00c0000000)
direct_atr=$(pcsc_apdu 0 --atr)
want=$(pcsc_apdu 0 "${APDUS[@]}" | tr '\n' ' ')
want_case1=$(pcsc_apdu 0 a0f20000)
want_auto=$(pcsc_apdu 1 a0a40000022fe2 a0b000000a | tr '\n' ' ')

# map: the remote card appears with its ATR
check "ifd: map 0:0 -> 1:0 ACTIVE" system_map 0:0 1:0
check "ifd: remsim-svc shows the card" ifd_apdu --reader remsim-svc --wait present --timeout 15
remote_atr=$(ifd_apdu --reader remsim-svc --atr)
check "ifd: remote ATR = the bank card's ($remote_atr)" [ "$remote_atr" = "$direct_atr" ]
scan=$(ifd_scan 2)
check "ifd: pcsc_scan shows the remote card's ATR" grep -qi "${direct_atr#ATR: }" <<<"$(tr -d ' ' <<<"$scan")"

# APDUs through the remote reader = the same APDUs on the bank reader directly
got=$(ifd_apdu --reader remsim-svc "${APDUS[@]}" | tr '\n' ' ')
check "ifd: SELECT MF, GET RESPONSE, ICCID, IMSI, RUN GSM ALGORITHM, 61xx/6Cxx as on the bank reader" \
	[ "$got" = "$want" ]
echo "# remote: $got"
R=($got)
check "ifd: SELECT MF 9f17, ICCID read, GSM algorithm 9f0c" \
	eval '[ "${R[0]}" = 9f17 ] && [ "${R[3]: -4}" = 9000 ] && [ ${#R[3]} = 24 ] && [ "${R[7]}" = 9f0c ]'
check "ifd: case-4 APDU (Le dropped for T=0) answered 61xx" [ "$(ifd_apdu --reader remsim-svc 00a40004023f0000)" = "${R[9]}" ]
check "ifd: frontend: a 2-octet APDU -> E APDU length" [ "$("$TBIN/zreq" "$FE" Tab)" = "EAPDU length must be 4..261" ]
check "ifd: 4-octet case-1 APDU sent with P3=0" [ "$(ifd_apdu --reader remsim-svc a0f20000)" = "$want_case1" ]
check "ifd: reset disposition (power edges -> bankd reset)" eval 'ifd_apdu --reader remsim-svc --disposition reset a0a40000023f00 >/dev/null'
check "ifd: bankd saw the reset" wait_log "$T/bankd.log" 'reader/0 .*(warm|cold) reset' 5

# unmap -> no card; remap -> card back with its ATR
"${CTL[@]}" unmap 0:0 >/dev/null
check "ifd: unmap -> reader reports no card" ifd_apdu --reader remsim-svc --wait empty --timeout 15
ifd_apdu_within 15 --reader remsim-svc a0a40000023f00 >/dev/null 2>"$T/unmapped.err"; rc=$?
check "ifd: unmapped: APDU fails at once, no hang (rc=$rc)" eval '[ "$rc" = 1 ] && grep -q "SCardConnect(remsim-svc" "$T/unmapped.err"'
check "ifd: remap 0:0 -> 1:0" system_map 0:0 1:0
check "ifd: remap -> card back" ifd_apdu --reader remsim-svc --wait present --timeout 15
check "ifd: remap -> same ATR" [ "$(ifd_apdu --reader remsim-svc --atr)" = "$direct_atr" ]
check "ifd: remap -> SELECT MF" [ "$(ifd_apdu --reader remsim-svc a0a40000023f00)" = 9f17 ]

# a stopped usbslot: calls fail within their timeout with a log line, never hang
PID0=$(sed -n 's/.*hello from usbslot\/0 (pid \([0-9]*\)).*/\1/p' "$T/client.log" | tail -n 1)
check "ifd: usbslot/0 pid known ($PID0)" [ -n "$PID0" ]
# (an APDU loop is in flight when the usbslot stops: that transmit times out)
spawn loop env PCSCLITE_CSOCK_NAME="$IFD_SOCK" "$TBIN/pcsc-apdu" --reader remsim-svc -q -n 1000000 a0f2000016
LOOP=$SPAWNED_PID
sleep 0.5
kill -STOP "$PID0"
check "ifd: stopped usbslot: the APDU loop ends with an error, bounded" wait_for 15 eval '! kill -0 $LOOP 2>/dev/null'
wait "$LOOP"; rc=$?
check "ifd: stopped usbslot: the program got a PC/SC error (rc=$rc)" eval '[ "$rc" = 1 ] && grep -q "SCardTransmit: " "$T/loop.log"'
check "ifd: stopped usbslot: driver logs the transmit timeout" \
	grep -qE 'ifd_remsim .*link to .*ifd0.sock: no reply after 2000 ms' "$IFD_PCSCD_LOG"
check "ifd: stopped usbslot: reader goes empty" ifd_apdu --reader remsim-svc --wait empty --timeout 10
ifd_apdu_within 20 --reader remsim-svc a0a40000023f00 >/dev/null 2>&1; rc=$?
check "ifd: stopped usbslot: a new APDU fails, bounded (rc=$rc)" [ "$rc" = 1 ]
kill -CONT "$PID0"
check "ifd: resumed usbslot: card back" ifd_apdu --reader remsim-svc --wait present --timeout 15
check "ifd: driver logs the link back" wait_log "$IFD_PCSCD_LOG" 'link to .*ifd0.sock is back' 5

# kill -9 of the usbslot: pcscd survives, the reader recovers
kill -9 "$PID0"
check "ifd: remsimd restarts the killed usbslot/0" wait_log "$T/client.log" 'usbslot/0 .*killed by signal 9' 5
check "ifd: killed usbslot: card back" ifd_apdu --reader remsim-svc --wait present --timeout 20
got=$(ifd_apdu --reader remsim-svc a0a40000023f00 a0c0000017 2>&1 | tr '\n' ' ')
check "ifd: killed usbslot: APDUs work again (got: $got)" [ "$got" = "${R[0]} ${R[1]} " ]
check "ifd: pcscd survived" kill -0 "$IFD_PCSCD_PID"

# the bankd goes away: no card; it comes back: the card with it
kill -TERM "$BANKD_PID"; wait "$BANKD_PID" 2>/dev/null
check "ifd: bankd gone -> reader reports no card" ifd_apdu --reader remsim-svc --wait empty --timeout 15
mv "$T/bankd.log" "$T/bankd.1.log"
check "ifd: bankd restarted" system_bankd 2
check "ifd: bankd back -> card back" ifd_apdu --reader remsim-svc --wait present --timeout 30
check "ifd: bankd back -> SELECT MF" [ "$(ifd_apdu --reader remsim-svc a0a40000023f00)" = 9f17 ]

# the auto-started role's reader
check "ifd: map 0:1 -> 1:1 ACTIVE" system_map 0:1 1:1
check "ifd: remsim-auto shows the card" ifd_apdu --reader remsim-auto --wait present --timeout 15
check "ifd: remsim-auto SELECT MF + READ ICCID" \
	[ "$(ifd_apdu --reader remsim-auto a0a40000022fe2 a0b000000a | tr '\n' ' ')" = "$want_auto" ]
check "ifd: both readers at once" eval '[ "$(ifd_apdu --reader remsim-svc a0a40000023f00)" = 9f17 ] && [ "$(ifd_apdu --reader remsim-auto a0a40000023f00)" = 9f17 ]'
check "ifd: pcscd still running at the end" kill -0 "$IFD_PCSCD_PID"

# pcscd restarts: the role the driver started is still there and reused
ifd_pcscd_stop; rc=$?
check "ifd: pcscd with our driver stops cleanly (rc=$rc)" [ "$rc" = 0 ]
mv "$IFD_PCSCD_LOG" "$T/ifd-pcscd.1.log"
check "ifd: pcscd started again" ifd_pcscd_start "remsim-svc=$T/client.cfg" "remsim-auto=0:1:127.0.0.1:$SRV_PORT"
check "ifd: restarted pcscd: the running role is reused, none started" \
	eval '! grep -q "starting the client role" "$IFD_PCSCD_LOG"'
check "ifd: restarted pcscd: both cards there" eval 'ifd_apdu --reader remsim-auto --wait present --timeout 15 >/dev/null &&
	ifd_apdu --reader remsim-svc --wait present --timeout 15 >/dev/null'
check "ifd: restarted pcscd: remsim-auto SELECT MF" [ "$(ifd_apdu --reader remsim-auto a0a40000023f00)" = 9f17 ]
ifd_kill_roles
check "ifd: no sanitizer reports in the role the driver started" \
	eval '! grep -qE "ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:" "$T"/remsim-ifd-C0-1/*.log'
sanitizer_check
finish
