#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# vcard_pcsc.sh: the PC/SC test rig itself: a private pcscd with 2 vpcd
# readers, 2 virtual cards (tests/tools/vcard), driven through pcsc-apdu.
# Checks ATR, SELECT/GET RESPONSE, READ BINARY, RUN GSM ALGORITHM, card
# removal and re-insertion, and recovery after pcscd is killed (-9) and
# restarted.  No timing is asserted (latency is only printed as a comment).
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/pcscd.sh"

if ! pcscd_available; then
	skip "vcard_pcsc: pcscd, vpcd driver, unshare or test tools not available"
	finish
fi

ATR_T0=3b1a1172656d73696d2053494d
ATR_T1=3b9a110172656d73696d2053494df0
KI1=f0e1d2c3b4a5968778695a4b3c2d1e0f

# content of EF.TEST 2F99: octet i = (i mod 256) xor (i div 256)
ef_test() {
	python3 -c 'import sys; o, n = int(sys.argv[1]), int(sys.argv[2])
print("".join("%02x" % ((i & 255) ^ (i >> 8)) for i in range(o, o + n)))' "$1" "$2"
}
# SRES||Kc of the vcard's documented algorithm (tests/tools/vcard/algo.c)
gsm_expect() {
	python3 -c 'import sys; r, k = bytes.fromhex(sys.argv[1]), bytes.fromhex(sys.argv[2])
t = [a ^ b for a, b in zip(r, k)]
sres = [t[j] ^ t[j+4] ^ t[j+8] ^ t[j+12] for j in range(4)]
kc = [(t[i] + t[15-i]) & 255 for i in range(8)]
print(bytes(sres + kc).hex())' "$1" "$2"
}
# eq NAME GOT WANT: PASS if equal, else FAIL with both values
eq() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1"; echo "  got:  $2"; echo "  want: $3"; fi
}

sys_run_before=$(ls -A /run/pcscd 2>/dev/null; echo "exists=$([ -e /run/pcscd ] && echo 1)")

check "pcscd starts with 2 vpcd readers" pcscd_start 2 || finish
vcard_start 0 --apdu-log "$T/apdu0.log"
vcard_start 1 --t1 --ki "$KI1"
check "reader 0 shows card" pcsc_wait_card 0
check "reader 1 shows card" pcsc_wait_card 1

eq "ATR reader 0 (T=0)" "$(pcsc_apdu 0 --atr)" "ATR: $ATR_T0"
eq "ATR reader 1 (T=1)" "$(pcsc_apdu 1 --atr)" "ATR: $ATR_T1"
check "T=1-only card refuses T=0 connect" eval '! pcsc_apdu 1 --protocol t0 --atr 2>/dev/null'

# GSM SELECT MF: 9F17, GET RESPONSE gives 23 octets describing 3F00 (MF)
set -- $(pcsc_apdu 0 --protocol t0 a0a40000023f00 a0c0000017)
eq "GSM SELECT MF + GET RESPONSE" "$1 ${2:8:6} ${#2} ${2: -4}" "9f17 3f0001 50 9000"

# SELECT EF.TEST, READ BINARY 256 octets at offsets 0 and 256
want="9f0f 000002002f9904000fff44010200009000 $(ef_test 0 256)9000 $(ef_test 256 256)9000 9402"
out=$(pcsc_apdu 0 a0a40000022f99 a0c000000f a0b0000000 a0b0010000 a0b0020001 | tr '\n' ' ')
eq "GSM SELECT EF + READ BINARY 256" "${out% }" "$want"

# UICC (CLA 00): FCP via 61xx + GET RESPONSE, path select, short read at EOF
out=$(pcsc_apdu 0 00a40004023f00 00c0000000 00a4080c047f206f07 00b0000009 00a4080c022f99 00b001f020 | tr '\n' ' ')
set -- $out
eq "UICC SELECT MF 61xx / 6Cxx" "$1 $2" "611a 6c1a"
eq "UICC SELECT by path + READ IMSI" "$3 $4" "9000 0809101000000000109000"
eq "UICC READ BINARY past EOF" "$5 $6" "9000 $(ef_test 496 16)6282"

# T=1 card answers a case-4 SELECT directly
out=$(pcsc_apdu 1 00a40004023f0000)
eq "T=1 SELECT returns FCP" "${out:0:2} ${out: -4}" "62 9000"

# RUN GSM ALGORITHM: deterministic, as documented, RAND reaches the card unchanged
RAND=$(python3 -c 'import os; print(os.urandom(16).hex())')
want="9f0c $(gsm_expect "$RAND" 000102030405060708090a0b0c0d0e0f)9000"
a1=$(pcsc_apdu 0 a0a40000027f20 a088000010"$RAND" a0c000000c | tail -n 2 | tr '\n' ' ')
a2=$(pcsc_apdu 0 a088000010"$RAND" a0c000000c | tr '\n' ' ')
eq "RUN GSM ALGORITHM matches documented function" "${a1% }" "$want"
eq "RUN GSM ALGORITHM deterministic" "$a2" "$a1"
check "C-APDU reached the card unchanged" grep -q "^a088000010$RAND 9f0c\$" "$T/apdu0.log"
b=$(pcsc_apdu 1 a088000010"$RAND" a0c000000c | tr '\n' ' ')
eq "reader 1 uses its own Ki" "${b% }" "9f0c $(gsm_expect "$RAND" "$KI1")9000"

eq "unknown INS / CLA / GET RESPONSE without data" "$(pcsc_apdu 0 a0ee000000 b0a4000000 a0c0000010 | tr '\n' ' ')" "6d00 6e00 6f00 "
eq "STATUS (GSM and UICC)" "$(pcsc_apdu 0 a0f2000002 80f2000c00 | tr '\n' ' ')" "00009000 9000 "

# card vanishes and comes back; the other reader is not disturbed
vcard_remove 0
check "removed card: reader 0 empty" pcsc_wait_empty 0
check "removed card: APDU fails" eval '! pcsc_apdu 0 a0a40000023f00 >/dev/null 2>&1'
eq "removed card: reader 1 still works" "$(pcsc_apdu 1 a0a40000023f00)" "9f17"
vcard_insert 0
check "re-inserted card: reader 0 shows card" pcsc_wait_card 0
eq "re-inserted card: SELECT MF" "$(pcsc_apdu 0 a0a40000023f00)" "9f17"

# pcscd crashes (kill -9 by PID) and is restarted; the cards reconnect
old_pid=$PCSCD_PID
pcscd_kill
check "pcscd killed: no service" eval '! "$TBIN/pcsc-apdu" --list >/dev/null 2>&1'
check "pcscd restarted" pcscd_restart
check "pcscd restart is a new process" test "$PCSCD_PID" != "$old_pid"
check "after restart: reader 0 shows card" pcsc_wait_card 0
check "after restart: reader 1 shows card" pcsc_wait_card 1
eq "after restart: reader 0 works" "$(pcsc_apdu 0 a0a40000023f00 a0b0000000 2>&1 | tr '\n' ' ')" "9f17 9400 "
eq "after restart: reader 1 works" "$(pcsc_apdu 1 a0a40000022f99 a0b0000010 | tr '\n' ' ')" "9f0f $(ef_test 0 16)9000 "
check "vcard 0 reconnected after pcscd restart" \
	test "$(grep -c 'connected to vpcd' "$T/vcard0.log")" -ge 3

# latency is informative only (no timed assert)
echo "# latency reader 0 (STATUS, 200x): $(pcsc_apdu 0 --stats --repeat 200 a0f2000016)"

pcscd_stop
check "pcscd stopped cleanly (socket removed)" test ! -e "$PCSCLITE_CSOCK_NAME"
sys_run_after=$(ls -A /run/pcscd 2>/dev/null; echo "exists=$([ -e /run/pcscd ] && echo 1)")
eq "system /run/pcscd untouched" "$sys_run_after" "$sys_run_before"
finish
