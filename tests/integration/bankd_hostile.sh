#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bankd_hostile.sh: hostile peers on the bankd's client port (docs/bankd.md
# "Hostile clients"), with short timeouts so that it stays quick:
#   - 300 connections that never identify (PINGs answered) are closed after
#     identify_timeout_ms, each logged (rate-limited) and counted in the summary
#   - an IPA header announcing 1000 octets, then silence: closed after
#     frame_timeout_ms with its reason
#   - keep-alive: a parked client that does not answer PINGs is closed, one that
#     does stays
#   - undecodable PDUs: the decoder's reason at INFO, rate-limited
#   - RSPRO version 99: ConnectClientRes unsupportedProtocolVersion, closed,
#     logged; version 2 still served
# and the bankd keeps serving a well-behaved client throughout.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/bankd_map_common.bash"

HOSTILE=$TOP/tests/tools/ipa-hostile.py
bankd_cfg "$T/bankd.cfg" 2 "identify_timeout_ms = 2000;"
# faster keep-alive and frame timeout on the bankd's broker (the server link is
# absent here: nobody listens on P_SRV, the bankd keeps trying)
sed -i -e 's/keepalive_interval_ms = 600000;.*/keepalive_interval_ms = 1000; frame_timeout_ms = 1500;/' \
	-e 's/keepalive_timeout_ms = 600000;/keepalive_timeout_ms = 1500;/' "$T/bankd.cfg"
check "bankd role starts" bankd_start "$T/bankd.cfg"

# a well-behaved client, parked (no mapping), answering PINGs all along
python3 "$HOSTILE" "$P_BK" pong --conns 1 --seconds 9 >"$T/good.out" 2>&1 &
GOOD=$!

python3 "$HOSTILE" "$P_BK" silent --conns 300 --seconds 6 >"$T/silent.out" 2>&1
echo "# $(cat "$T/silent.out")"
check "300 connections that never identify: all closed within 6 s" grep -q 'closed=300 ' "$T/silent.out"
check "... logged with the reason" wait_log "$T/remsimd.log" 'no ConnectClientReq within 2000 ms, closing' 2
n=$(grep -c 'no ConnectClientReq within' "$T/remsimd.log")
[ "$n" -le 25 ] && pass "... rate-limited ($n lines for 300)" || fail "$n log lines for 300 timeouts"
check "... counted in the activity summary" wait_log "$T/remsimd.log" '[1-9][0-9]* did not identify in time' 3

python3 "$HOSTILE" "$P_BK" partial --conns 5 --seconds 5 >"$T/partial.out" 2>&1
echo "# $(cat "$T/partial.out")"
check "header announcing 1000 octets then silence: closed" grep -q 'closed=5 ' "$T/partial.out"
check "... with the reason" grep -qE 'closed: partial frame not completed within 1500 ms \([0-9]+ octets pending\)' "$T/remsimd.log"

python3 "$HOSTILE" "$P_BK" nopong --conns 3 --seconds 6 >"$T/nopong.out" 2>&1
echo "# $(cat "$T/nopong.out")"
check "parked client that never answers PING: closed" grep -q 'closed=3 ' "$T/nopong.out"
check "... keep-alive timeout logged" grep -q 'closed: keep-alive timeout: no PONG within 1500 ms' "$T/remsimd.log"

python3 "$HOSTILE" "$P_BK" garbage --conns 40 --seconds 4 >"$T/garbage.out" 2>&1
check "40 undecodable PDUs: each connection closed" grep -q 'closed=40 ' "$T/garbage.out"
check "... the decoder's reason at INFO" grep -qE 'INFO .*undecodable RSPRO PDU \(4 octets\), closing: .+' "$T/remsimd.log"
n=$(grep -c 'undecodable RSPRO PDU (4 octets)' "$T/remsimd.log")
[ "$n" -le 20 ] && pass "... rate-limited ($n lines for 40)" || fail "$n log lines for 40 undecodable PDUs"

peer_open v -c "127.0.0.1:$P_BK"
check "ConnectClientReq with RSPRO version 99: unsupportedProtocolVersion, closed" \
	peer_do v "send connectClientReq client=9:0 version=99" \
	"expect connectClientRes result=unsupportedProtocolVersion" "expect-close 3000"
peer_close v
check "... logged" grep -q 'connectClientReq with RSPRO version 99 (we speak 2), closing' "$T/remsimd.log"
peer_open w -c "127.0.0.1:$P_BK"
check "version 2 still served (cardNotPresent: not mapped)" \
	peer_do w "send connectClientReq client=9:1" "expect connectClientRes result=cardNotPresent"
peer_close w

wait "$GOOD"
echo "# $(cat "$T/good.out")"
check "the well-behaved client stayed connected, answering PINGs" grep -qE '^pong conns=1 closed=0 .*pings=[2-9]' "$T/good.out"
check "bankmap never restarted" bash -c "! grep -qE 'bankmap (exited|killed)' '$T/remsimd.log'"

sanitizer_check
finish
