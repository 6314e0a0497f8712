#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bankd_reader_relay.sh: the reader actor through a real pcscd + vpcd + vcard:
# ConnectClientReq -> ok + SetAtrReq with the card's ATR; 10 SELECTs and a
# 256-octet READ BINARY match what the card answers directly over PC/SC; a
# T=1 card; illegal TPDU lengths and wrong slots refused (connection closed,
# never passed to the card, logged) with the next connection fine; reset
# edges from ClientSlotStatusInd (VCC falling -> cold, RST rising -> warm,
# repeated indications do nothing); a client without a client slot.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/pcscd.sh"
. "$(dirname "$0")/bankd_reader_common.bash"

if ! pcscd_available || [ ! -x "$BIN/reader" ] || [ ! -x "$BIN/remsimd" ]; then
	skip "bankd_reader_relay: pcscd/vpcd, reader or remsimd not available"
	finish
fi

ATR_T0=3b1a1172656d73696d2053494d
ATR_T1=3b9a110172656d73696d2053494df0

check "pcscd with 2 vpcd readers" multi_pcscd 1 || finish
slot_vcard 0 --apdu-log "$T/apdu0.log" -v
slot_vcard 1 --t1 --apdu-log "$T/apdu1.log"
check "cards present" eval 'slot_wait_card 0 && slot_wait_card 1'

# --- direct answers first (the bankd is not running yet) ----------------------
APDUS=(a0a40000023f00 a0a40000027f20 a0a40000026f07 a0a40000023f00 a0a40000027f10
       a0a40000022fe2 a0a40000023f00 00a40004023f00 a0a40000023f00 a0a40000022f99 a0b0000000)
mapfile -t DIRECT < <(slot_apdu 0 "${APDUS[@]}")
eq "direct: 11 answers, READ BINARY 256 octets + 9000" "${#DIRECT[@]} ${#DIRECT[10]} ${DIRECT[10]: -4}" "11 516 9000"
T1_DIRECT=$(slot_apdu 1 00a40004023f00)
: >"$T/apdu0.log"

# GSMTAP sink on a private loopback address (port 4729 is fixed): a pcap for
# tshark plus one "SUBTYPE HEX" line per packet
GT_ADDR=127.$((RANDOM % 200 + 20)).$((RANDOM % 250 + 1)).$((RANDOM % 250 + 1))
cat >"$T/gsmtap_sink.py" <<'PY'
import signal, socket, struct, sys, time
addr, pcap, txt = sys.argv[1:4]
signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((addr, 4729))
f, t = open(pcap, "wb"), open(txt, "w")
f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 101))   # LINKTYPE_RAW
f.flush()
print("ready", flush=True)
end = time.time() + 120
while time.time() < end:
    data, src = s.recvfrom(65535)
    udp = struct.pack("!HHHH", src[1], 4729, 8 + len(data), 0)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 28 + len(data), 0, 0, 64, 17, 0,
                     socket.inet_aton(src[0]), socket.inet_aton(addr))
    now = time.time()
    pkt = ip + udp + data
    f.write(struct.pack("<IIII", int(now), int((now % 1) * 1e6), len(pkt), len(pkt)) + pkt)
    f.flush()
    t.write("%d %s\n" % (data[12] if len(data) > 12 else -1, data[16:].hex()))
    t.flush()
PY
spawn gsmtap_sink python3 "$T/gsmtap_sink.py" "$GT_ADDR" "$T/gsmtap.pcap" "$T/gsmtap.txt"
GT_PID=$SPAWNED_PID
wait_log "$T/gsmtap_sink.log" ready 5

bankd_config 2 "  gsmtap_host = \"$GT_ADDR\"; gsmtap_slot = 0;"
check "bankd (remsimd + broker + 2 readers) starts, readers found" start_bankd 2 || finish

# --- connect, ATR, relay ------------------------------------------------------
{
	hello 23:0 "$ATR_T0"
	for ((k = 0; k < ${#APDUS[@]}; k++)); do tpdu_lines 23:0 1:0 "${APDUS[k]}" "${DIRECT[k]}"; done
} >"$T/relay.script"
peer 0 "$T/relay.script" >"$T/relay.out" 2>&1
check "ConnectClientRes ok, SetAtrReq with the card's ATR, 10 SELECTs + READ BINARY 256 as direct" \
	test $? = 0
check "ConnectClientRes carries the bankd identity" \
	grep -q 'connectClientRes ok "remsim-bankd"' "$T/relay.out"
eq "the card saw the same 11 C-APDUs, unchanged" "$(cut -d' ' -f1 "$T/apdu0.log" | tr '\n' ' ')" "${APDUS[*]} "

# --- T=1 card ----------------------------------------------------------------------
{ hello 7:1 "$ATR_T1"; tpdu_lines 7:1 1:1 00a40004023f00 "$T1_DIRECT"; } >"$T/t1.script"
peer_ok "T=1 card: ok, its ATR, SELECT with FCP as direct" 1 t1
check "T=1 card opened with T=1" grep -q 'reader/1 .*card connected T=1' "$T/remsimd.log"

# --- illegal lengths and slots -----------------------------------------------------
: >"$T/apdu0.log"
{ hello 23:0 "$ATR_T0"; echo "send tpduModemToCard client=23:0 bank=1:0 data=a0a40000"; echo "expect-close 3000"; } >"$T/short.script"
peer_ok "4-octet TPDU: connection closed" 0 short
check "4-octet TPDU: log line" grep -q 'illegal TPDU length 4 ' "$T/remsimd.log"
LONG=a0d6000000$(printf '%0510d' 0)ab
{ hello 23:0 "$ATR_T0"; echo "send tpduModemToCard client=23:0 bank=1:0 data=$LONG"; echo "expect-close 3000"; } >"$T/long.script"
peer_ok "261-octet TPDU: connection closed" 0 long
check "261-octet TPDU: log line" grep -q 'illegal TPDU length 261 ' "$T/remsimd.log"
{ hello 23:0 "$ATR_T0"; echo "send tpduModemToCard client=23:0 bank=1:0 data=a0a40000023f00 version=99"; echo "expect-close 3000"; } >"$T/v99.script"
peer_ok "TPDU with RSPRO version 99: connection closed" 0 v99
check "... log line" grep -q 'tpduModemToCard with RSPRO version 99 (we speak 2), closing' "$T/remsimd.log"
check "refused TPDUs never reached the card" test ! -s "$T/apdu0.log"
{ hello 23:0 "$ATR_T0"; tpdu_lines 23:0 1:0 a0a40000023f00 "${DIRECT[0]}"; } >"$T/next.script"
peer_ok "next connection: ok, ATR, APDU fine" 0 next
{ hello 23:0 "$ATR_T0"; echo "send tpduModemToCard client=23:0 bank=1:1 data=a0a40000023f00"; echo "expect-close 3000"; } >"$T/wrongbank.script"
peer_ok "TPDU for another bank slot: connection closed" 0 wrongbank
{ hello 23:0 "$ATR_T0"; echo "send tpduModemToCard client=24:0 bank=1:0 data=a0a40000023f00"; echo "expect-close 3000"; } >"$T/wrongclient.script"
peer_ok "TPDU from another client slot: connection closed" 0 wrongclient
check "mismatching TPDUs never reached the card" eval '! grep -q . <(grep -v "^a0a40000023f00 " "$T/apdu0.log")'
printf 'send connectClientReq\nexpect connectClientRes result=illegalClientId\nexpect-close 3000\n' >"$T/noslot.script"
peer_ok "ConnectClientReq without clientSlot: illegalClientId, closed" 0 noslot

# --- reset edges ---------------------------------------------------------------------
ind() { echo "send clientSlotStatusInd client=23:0 bank=1:0 rst=$1 vcc=$2 clk=1"; }
sync_apdu() { tpdu_lines 23:0 1:0 "$1" "$2"; }
{
	hello 23:0 "$ATR_T0"
	sync_apdu a0a40000023f00 "${DIRECT[0]}"
	ind 0 1; ind 0 1                      # VCC on, RST off: no edge
	sync_apdu a0a40000027f20 "${DIRECT[1]}"
	ind 0 0                               # VCC falls: cold reset
	sync_apdu a0a40000023f00 "${DIRECT[0]}"
	ind 0 0; ind 0 0                      # repeated: nothing
	sync_apdu a0a40000027f20 "${DIRECT[1]}"
	ind 1 1                               # RST rises (VCC back on): warm reset
	sync_apdu a0a40000023f00 "${DIRECT[0]}"
	ind 1 1; ind 1 1                      # repeated: nothing
	sync_apdu a0a40000027f20 "${DIRECT[1]}"
	ind 0 1                               # RST falls: nothing
	sync_apdu a0a40000023f00 "${DIRECT[0]}"
	echo "close"
} >"$T/reset.script"
N0=$(wc -l <"$T/vcard0.log")
peer_ok "reset script runs (APDUs answered around every indication)" 0 reset
# what the card saw between the APDUs: P = power off (cold), R = reset (warm)
sleep 0.3	# the release (unpower) after the close
seen=$(tail -n +$((N0 + 1)) "$T/vcard0.log" | awk '/C-APDU|apdu|APDU/ { if (match($0, /a0a4000002(3f00|7f20)/)) printf "|" }
	/power off/ { printf "P" } / reset$/ { printf "R" }')
eq "card saw: nothing, cold, nothing, warm, nothing, nothing; unpowered at the end" "${seen}" "||P||R|||P"
eq "reader log: one cold and one warm reset" \
	"$(grep -c 'reader/0 .*cold reset done' "$T/remsimd.log") $(grep -c 'reader/0 .*warm reset done' "$T/remsimd.log")" "1 1"
check "log lines carry bank and client slot" grep -q 'reader/0 \[B1:0 C23:0\] clientSlotStatusInd(RST=ACTIVE, VCC=PRESENT, CLK=ACTIVE)' "$T/remsimd.log"

# --- messages from the bankmap (a fake one: echo-actor named bankmap) -------------------
spawn bankmap "$TBIN/echo-actor" --hub "$HUB" --name bankmap --quiet
wait_log "$T/remsimd.log" 'welcomed bankmap' 5
# map_case NAME JSON: a served client gets JSON told to its reader mid-session
map_case() {
	{ hello 23:0 "$ATR_T0"; tpdu_lines 23:0 1:0 "$SEL0" "${DIRECT[0]}"; echo "expect-close 5000"; } >"$T/map.script"
	spawn "map_$1" peer 0 "$T/map.script" -t 8000
	local p=$SPAWNED_PID
	wait_log "$T/map_$1.log" '< tpduCardToModem' 5
	tell_reader 0 "$2" >/dev/null
	if wait "$p" && ! grep -q '^< ' <(sed -n '/< tpduCardToModem/,$p' "$T/map_$1.log" | tail -n +2); then
		pass "$1: connection closed within 5 s, nothing sent before"
	else
		fail "$1: connection closed within 5 s, nothing sent before"
	fi
}
SEL0=a0a40000023f00
map_case "mapping changed to another client" '{"op":"mapping","client":"C99:0"}'
map_case "mapping removed" '{"op":"mapping","client":null}'
map_case "reset state" '{"op":"reset"}'
{ hello 23:0 "$ATR_T0"; tpdu_lines 23:0 1:0 "$SEL0" "${DIRECT[0]}"; echo "sleep 700"; tpdu_lines 23:0 1:0 "$SEL0" "${DIRECT[0]}"; } >"$T/same.script"
spawn map_same peer 0 "$T/same.script"
PS=$SPAWNED_PID
wait_log "$T/map_same.log" '< tpduCardToModem' 5
tell_reader 0 '{"op":"mapping","client":"C23:0"}' >/dev/null
check "mapping of the served client repeated: connection undisturbed" wait "$PS"
kill -9 "$(reader_pid 1)"
# (all the last messages: the reader also reports whom it serves)
told_query() { "$TBIN/zreq" -t 3000 "$CTL" '{"cmd":"echo-told-all"}' | grep -qF 'reader/1 {\"op\":\"query\",\"slot\":1}'; }
check "a restarted reader asks the bankmap for its mapping" wait_for 5 told_query

# --- GSMTAP ---------------------------------------------------------------------------
sleep 0.2
kill -TERM "$GT_PID" 2>/dev/null
check "GSMTAP: the ATR traced (sub-type 1)" grep -q "^1 $ATR_T0\$" "$T/gsmtap.txt"
check "GSMTAP: an APDU traced as command + response (sub-type 0)" grep -q "^0 a0a40000023f00${DIRECT[0]}\$" "$T/gsmtap.txt"
check "GSMTAP: READ BINARY 256 traced whole" grep -q "^0 a0b0000000${DIRECT[10]}\$" "$T/gsmtap.txt"
check "GSMTAP: slot 1 not traced (gsmtap_slot = 0)" eval '! grep -q "$ATR_T1" "$T/gsmtap.txt"'
if command -v tshark >/dev/null; then
	tshark -r "$T/gsmtap.pcap" -T fields -e frame.protocols -e _ws.col.Protocol -e _ws.col.Info >"$T/tshark.txt" 2>"$T/tshark.err"
	npk=$(wc -l <"$T/gsmtap.txt")
	nsim=$(grep -c $':gsmtap:gsm_sim\tGSM SIM' "$T/tshark.txt")
	eq "tshark decodes every GSMTAP packet as GSM SIM" "$nsim" "$npk"
	check "tshark shows SELECT and READ BINARY" eval 'grep -q "SELECT" "$T/tshark.txt" && grep -q "READ BINARY" "$T/tshark.txt"'
else
	skip "GSMTAP decode: tshark not installed"
fi

ST=$("$TBIN/zreq" -t 3000 "$CTL" '{"cmd":"reader-status"}')
check "reader-status answers" grep -q '"bank_slot":"1:0"' <<<"$ST"
sanitizer_check() {
	kill -TERM "$REMSIMD_PID" 2>/dev/null
	for _ in $(seq 1 100); do kill -0 "$REMSIMD_PID" 2>/dev/null || break; sleep 0.05; done
	if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$T"/remsimd.log; then
		fail "sanitizer reports in remsimd.log"
	else
		pass "no sanitizer reports at exit"
	fi
}
sanitizer_check
finish
