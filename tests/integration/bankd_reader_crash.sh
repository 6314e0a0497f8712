#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bankd_reader_crash.sh: kill -9 of reader/1 while slots 0 and 2 exchange
# APDUs continuously (3 slots on 2 private pcscd instances, under remsimd):
# slots 0 and 2 see no error at all; slot 1's client keeps its TCP
# connection, gets a fresh SetAtrReq from the restarted reader and its next
# APDU works.  The time from the kill to slot 1's first good APDU is printed
# as a comment (not asserted).
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/pcscd.sh"
. "$(dirname "$0")/bankd_reader_common.bash"

if ! pcscd_available || [ ! -x "$BIN/reader" ] || [ ! -x "$BIN/remsimd" ]; then
	skip "bankd_reader_crash: pcscd/vpcd, reader or remsimd not available"
	finish
fi
ATR=3b1a1172656d73696d2053494d
SEL=a0a40000023f00

check "2 pcscd instances with 2 vpcd readers each" multi_pcscd 2 || finish
for i in 0 1 2; do slot_vcard "$i"; done
check "cards present on slots 0..2" eval 'slot_wait_card 0 && slot_wait_card 1 && slot_wait_card 2'
bankd_config 3
check "bankd with 3 readers starts" start_bankd 3 || finish

# slots 0 and 2: continuous APDUs; any error fails the whole exchange
N=${CRASH_APDUS:-6000}
for i in 0 2; do
	{ hello "1$i:0" "$ATR"; echo "tpdu-bench $N tpduModemToCard client=1$i:0 bank=1:$i data=a0f2000016"; } >"$T/bench$i.script"
	spawn "peer$i" peer "$i" "$T/bench$i.script" -t 5000
	eval "P$i=\$SPAWNED_PID"
done

# slot 1: an interactive client fed through a FIFO
mkfifo "$T/p1.fifo"
exec 7<>"$T/p1.fifo"	# read-write: does not block; the peer must not inherit it
spawn peer1 sh -c 'exec 7>&-; exec "$0" -c "$1" -t 10000 <"$2"' "$PEER" "127.0.0.1:${CLIENT_PORT[1]}" "$T/p1.fifo"
P1=$SPAWNED_PID
{ hello 11:0 "$ATR"; tpdu_lines 11:0 1:1 "$SEL" 9f17; } >&7
check "slot 1: ok, ATR, first APDU" wait_log "$T/peer1.log" '< tpduCardToModem' 10
wait_log "$T/remsimd.log" 'reader/0 .*SetAtrReq sent' 5
wait_log "$T/remsimd.log" 'reader/2 .*SetAtrReq sent' 5
sleep 0.3		# slots 0 and 2 are in the middle of their APDU streams
OLD=$(reader_pid 1)
kill -0 "$P0" 2>/dev/null && kill -0 "$P2" 2>/dev/null
OVERLAP=$?
t0=$(date +%s%N)
kill -9 "$OLD"
{ echo "await setAtrReq slot=C11:0 atr=$ATR"; tpdu_lines 11:0 1:1 "$SEL" 9f17; } >&7
got2() { [ "$(grep -c '< tpduCardToModem' "$T/peer1.log")" -ge 2 ]; }
if wait_for 10 got2; then
	echo "# slot 1: kill -9 reader/1 -> first good APDU after $((($(date +%s%N) - t0) / 1000000)) ms"
	pass "slot 1: fresh SetAtrReq and a good APDU after the crash"
else
	fail "slot 1: fresh SetAtrReq and a good APDU after the crash"
fi
echo "close" >&7
exec 7>&-
check "slot 1's client kept its TCP connection (script passed on one connection)" wait "$P1"
NEW=$(reader_pid 1)
check "reader/1 was restarted under a new pid" test -n "$NEW" -a "$NEW" != "$OLD"
check "restarted reader/1 restored the connection" grep -q 'reader/1 .*restored after a restart' "$T/remsimd.log"
check "slot 0: $N APDUs, zero errors" wait "$P0"
check "slot 2: $N APDUs, zero errors" wait "$P2"
grep -h '^tpdu-bench' "$T/peer0.log" "$T/peer2.log" | sed 's/^/# slots 0,2: /'
check "slots 0 and 2 were exchanging APDUs when reader/1 was killed" test "$OVERLAP" = 0
check "readers 0 and 2 were never restarted" eval '! grep -q "reader/[02] .*restored" "$T/remsimd.log"'
check "slots 0 and 2 never lost their card or connection" \
	eval '! grep -E "reader/[02] .*(card lost|closing client)" "$T/remsimd.log" | grep -q .'

kill -TERM "$REMSIMD_PID" 2>/dev/null
for _ in $(seq 1 100); do kill -0 "$REMSIMD_PID" 2>/dev/null || break; sleep 0.05; done
if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$T/remsimd.log"; then
	fail "sanitizer reports in remsimd.log"
else
	pass "no sanitizer reports at exit"
fi
finish
