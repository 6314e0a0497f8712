#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# broker_badframes.sh: garbage, zero-length, oversized, truncated frames and
# wrong proto/ext cost only their own connection (a witness connection keeps
# echoing) and each is logged with its reason; keep-alive per side (PING at
# once, PONG timeout closes a silent peer in bounds; none on a bankd listener
# with keepalive = false, as osmo-remsim); CCM answers per side (PING, ID_ACK, ID_GET, ID_RESP); outgoing
# connections: keep-alive, ID_GET answered, re-established after a loss.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/broker_common.bash"

P_BK=$(free_port)
P_SRV=$(free_port)
P_OUT=$(free_port)
KA_INT=300
KA_TO=600
cat >"$T/role.cfg" <<EOF
run_dir = "$RUN";
broker = {
  listeners = (
    { name = "bk";  bind = "127.0.0.1"; port = $P_BK;  side = "bankd";  actor = "echo"; keepalive = false; },
    { name = "srv"; bind = "127.0.0.1"; port = $P_SRV; side = "server"; actor = "echo"; }
  );
  keepalive_interval_ms = $KA_INT;
  keepalive_timeout_ms = $KA_TO;
  connect_timeout_ms = 300;
  backoff_unit_ms = 100;
};
EOF
start_broker broker "$T/role.cfg" || fail "broker starts"
start_echo echo || fail "echo actor starts"

# a witness connection that must not notice anything
spawn witness "${PEER[@]}" --port "$P_BK" echo:3 touch:"$T/w1" wait:"$T/w2":60 echo:3 coalesce:10
WITNESS=$SPAWNED_PID
wait_for 10 test -e "$T/w1"

# bad NAME REGEX STEPS...: the broker must close that connection and log REGEX
bad() {
	local name=$1 re=$2; shift 2
	"${PEER[@]}" --port "$P_BK" "$@" >"$T/bad-$name.out" 2>&1
	if grep -q '^OK expect_close' "$T/bad-$name.out" && wait_log "$T/broker.log" "closed: .*$re" 5; then
		pass "$name: connection closed, reason logged"
	else
		fail "$name: connection closed, reason logged"
	fi
}
bad garbage 'IPA frame longer than the maximum' raw:474554202f20485454502f312e310d0a0d0a expect_close:3
bad zero-length 'zero-length IPA frame' raw:0000fe expect_close:3
bad oversized 'IPA frame longer than the maximum' raw:0800ee07$(printf 'ab%.0s' $(seq 1 64)) expect_close:3
bad wrong-proto 'unknown IPA stream identifier' raw:0002ab0000 expect_close:3
bad wrong-ext 'Osmocom extension is not RSPRO' raw:0003ee0800aa expect_close:3
bad empty-rspro 'empty RSPRO PDU' raw:0001ee07 expect_close:3
# truncated: the peer gives up mid-frame
"${PEER[@]}" --port "$P_BK" raw:0010ee07aabbcc >"$T/bad-trunc.out" 2>&1
check "truncated frame: logged as truncated" wait_log "$T/broker.log" 'closed: .*truncated frame' 5
check "every close line names conn id and peer" \
	bash -c "! grep 'closed: ' '$T/broker.log' | grep -vqE '\[conn [0-9]+ 127\.0\.0\.1:[0-9]+ -> echo\]'"

touch "$T/w2"
wait "$WITNESS"
check "witness connection undisturbed by the bad ones" grep -q '^OK coalesce:10' "$T/witness.log"
check "broker still running" kill -0 "$BROKER_PID"

# --- CCM per side -------------------------------------------------------------
"${PEER[@]}" --port "$P_BK" raw:0001fe00 expect:0001fe01 raw:0001fe06 expect:0001fe06 \
	raw:0005fe0401010108 alive:1 nopings echo:2 >"$T/ccm-bk.out" 2>&1
check "bankd side (keepalive = false): PING->PONG, ID_ACK->ID_ACK, ID_GET ignored, no PINGs sent" grep -q '^OK echo:2' "$T/ccm-bk.out"

"${PEER[@]}" --port "$P_SRV" expect:0001fe00:1 raw:0001fe00 expect:0001fe01 raw:0001fe06 expect:0001fe06 \
	echo:2 >"$T/ccm-srv.out" 2>&1
check "server side: PING at accept, PING->PONG, ID_ACK->ID_ACK" grep -q '^OK echo:2' "$T/ccm-srv.out"
"${PEER[@]}" --port "$P_SRV" raw:0005fe0401010108 expect_close:2 >"$T/ccm-srv2.out" 2>&1
check "server side: ID_GET closes the connection" grep -q '^OK expect_close' "$T/ccm-srv2.out"
"${PEER[@]}" --port "$P_SRV" raw:0004fe05000101 expect_close:2 >"$T/ccm-srv3.out" 2>&1
check "server side: ID_RESP without unit id closes" grep -q '^OK expect_close' "$T/ccm-srv3.out"
"${PEER[@]}" --port "$P_SRV" raw:000afe05000708302f302f3000 alive:0.3 echo:1 >"$T/ccm-srv4.out" 2>&1
check "server side: ID_RESP with unit id accepted" grep -q '^OK echo:1' "$T/ccm-srv4.out"
check "... and logged as unsolicited with its unit id" \
	grep -q 'unsolicited IPA ID_RESP (unit id "0/0/0"): we never ask for one, ignored' "$T/broker.log"

# --- keep-alive ---------------------------------------------------------------
"${PEER[@]}" --port "$P_SRV" alive:1.5 >"$T/ka-ok.out" 2>&1
check "answered keep-alive: connection stays up, PINGs every interval" \
	bash -c "grep -q '^OK alive' '$T/ka-ok.out' && [ \$(sed -n 's/^pings //p' '$T/ka-ok.out') -ge 3 ]"
t0=$(date +%s%N)
"${PEER[@]}" --no-pong --port "$P_SRV" expect:0001fe00:1 alive:0.$((KA_TO / 2 / 100)) expect_close:5 >"$T/ka-to.out" 2>&1
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check "silent peer: PING at once, not closed before the PONG timeout" grep -q '^OK alive' "$T/ka-to.out"
check "silent peer closed by the keep-alive within bounds (${ms} ms, timeout ${KA_TO} ms)" \
	bash -c "grep -q '^OK expect_close' '$T/ka-to.out' && [ $ms -ge $KA_TO ] && [ $ms -le $((KA_TO + 1500)) ]"
check "keep-alive timeout logged" wait_log "$T/broker.log" 'closed: keep-alive timeout' 3

# --- outgoing connections -------------------------------------------------------
ID_RESP=$(python3 -c 'print((b"\x00\x1f\xfe\x05\x00\x13\x01" + b"00-00-00-00-00-00\x00" + b"\x00\x07\x08" + b"0/0/0\x00").hex())')
spawn outpeer "${PEER[@]}" --listen --port "$P_OUT" expect:0001fe00:5 raw:0005fe0401010108 \
	expect:"$ID_RESP" expect:0001fe06 echo:3
OUTPEER=$SPAWNED_PID
sleep 0.3
start_echo out --open "srv:127.0.0.1:$P_OUT" || fail "outgoing echo actor starts"
wait "$OUTPEER"
check "outgoing: PING first, ID_GET answered with ID_RESP + ID_ACK, RSPRO echoed" grep -q '^OK echo:3' "$T/outpeer.log"
# the peer has gone: the broker must re-establish (connect_timeout 300 ms, unit 100 ms)
"${PEER[@]}" --listen --port "$P_OUT" expect:0001fe00:8 echo:1 >"$T/outpeer2.out" 2>&1
check "outgoing: re-established after the peer went away" grep -q '^OK echo:1' "$T/outpeer2.out"
check "outgoing: DOWN/UP reported to the owning actor" \
	bash -c "grep -q 'down (out:srv)' '$T/echo-out.log' && [ \$(grep -c 'up (out:srv)' '$T/echo-out.log') -ge 2 ]"
sanitizer_check
finish
