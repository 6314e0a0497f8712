#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# metrics_endpoint.sh: the opt-in Prometheus endpoint (metrics actor) of each
# role during real traffic: a server, a bankd (2 slots, private pcscd + vpcd
# + cards) and a client role on two simulated SIMtrace2 boards running
# TPDUs.  Each role's /metrics has the series of docs/metrics.md with the
# role and slot labels and values that move with the traffic; a role whose
# control socket is gone scrapes as remsim_up 0, not as an error; other
# paths are 404.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/pcscd.sh"
. "$(dirname "$0")/../lib/system.sh"
. "$(dirname "$0")/../lib/http.sh"

pcscd_available || { skip "metrics: pcscd/vpcd not usable here"; finish; }
check "metrics: private pcscd with 2 readers" pcscd_start 2
vcard_start 0; vcard_start 1
check "metrics: virtual cards present" eval "pcsc_wait_card 0 && pcsc_wait_card 1"
MS=$(free_port); MB=$(free_port); MC=$(free_port)
SYSTEM_SERVER_SED="s|{ name = \"rest\"; }|{ name = \"rest\"; }, { name = \"metrics\"; }|; \$a metrics = { listen = \"127.0.0.1:$MS\"; };"
check "metrics: server up" system_server
cat >"$T/bankd-m.cfg" <<CFG
actors = ( { name = "broker"; }, { name = "bankmap"; }, { name = "reader"; count = 2; }, { name = "metrics"; } );
metrics = { listen = "127.0.0.1:$MB"; };
reader = { slots = ( { slot = 0; reader = "${PCSC_READERS[0]}"; }, { slot = 1; reader = "${PCSC_READERS[1]}"; } ); };
CFG
SYSTEM_BANKD_CFG=$T/bankd-m.cfg
check "metrics: bankd registered" system_bankd 2
spawn sim0 "$TBIN/st2sim" --socket "$T/sim0.sock" --bench 100000 --quiet --timeout 60
spawn sim1 "$TBIN/st2sim" --socket "$T/sim1.sock" --bench 100000 --quiet --timeout 60
SYSTEM_CLIENT_ACTORS=', { name = "metrics"; }'
SYSTEM_CLIENT_CFG="metrics = { listen = \"127.0.0.1:$MC\"; role = \"client\"; };"
system_client 2
clients_up() { [ "$("${CTL[@]}" clients 2>/dev/null | grep -c 'CONNECTED_CLIENT')" = 2 ]; }
check "metrics: both client slots registered" wait_for 15 clients_up
check "metrics: map 0:0 -> 1:0 ACTIVE" system_map 0:0 1:0
check "metrics: map 0:1 -> 1:1 ACTIVE" system_map 0:1 1:1
sleep 1

scrape() { curl -s --max-time 5 "http://127.0.0.1:$1/metrics"; }
val() { awk -v k="$2" 'index($0, k " ") == 1 { print $NF; exit }' "$1"; }
scrape "$MB" >"$T/b1.txt"; scrape "$MS" >"$T/s1.txt"; scrape "$MC" >"$T/c1.txt"
sed 's/^/# /' "$T/b1.txt" | grep -v '^# #' | head -n 30 >&2
check "bankd: remsim_up 1" grep -qx 'remsim_up{role="bankd"} 1' "$T/b1.txt"
check "bankd: every actor up, restarts counted" \
	eval "grep -qx 'remsim_actor_up{role=\"bankd\",actor=\"reader/1\"} 1' '$T/b1.txt' && grep -q '^remsim_actor_restarts_total{role=\"bankd\",actor=\"broker\"} 0' '$T/b1.txt'"
check "bankd: both slots up" \
	eval "grep -qx 'remsim_slot_up{role=\"bankd\",slot=\"B1:0\",actor=\"reader/0\"} 1' '$T/b1.txt' && grep -qx 'remsim_slot_up{role=\"bankd\",slot=\"B1:1\",actor=\"reader/1\"} 1' '$T/b1.txt'"
k='remsim_tpdus_total{role="bankd",slot="B1:0",actor="reader/0",direction="to_card"}'
n1=$(val "$T/b1.txt" "$k"); sleep 1; scrape "$MB" >"$T/b2.txt"; n2=$(val "$T/b2.txt" "$k")
check "bankd: TPDUs to the card count up with the traffic ($n1 -> $n2)" [ "${n2:-0}" -gt "${n1:-0}" ] && [ "${n1:-0}" -gt 0 ]
check "bankd: TYPE and HELP lines" eval "grep -qx '# TYPE remsim_tpdus_total counter' '$T/b1.txt' && grep -q '^# HELP remsim_tpdu_errors_total ' '$T/b1.txt'"
check "bankd: round trip quantiles" grep -qE '^remsim_tpdu_rtt_microseconds\{role="bankd",slot="B1:1",actor="reader/1",quantile="0.99"\} [0-9]+$' "$T/b1.txt"
check "server: remsim_mappings ACTIVE 2" grep -qx 'remsim_mappings{role="server",state="ACTIVE"} 2' "$T/s1.txt"
check "server: its actors, no slots" eval "grep -q 'remsim_actor_up{role=\"server\",actor=\"mapstore\"} 1' '$T/s1.txt' && ! grep -q '^remsim_slot_up{' '$T/s1.txt'"
check "client: both slots OPERATIONAL, TPDUs both ways" \
	eval "grep -qx 'remsim_slot_up{role=\"client\",slot=\"C0:1\",actor=\"usbslot/1\"} 1' '$T/c1.txt' && grep -qE '^remsim_tpdus_total\{role=\"client\",slot=\"C0:0\",actor=\"usbslot/0\",direction=\"to_modem\"\} [1-9][0-9]*$' '$T/c1.txt'"
check "client: reconnects and errors are 0" \
	eval "grep -qx 'remsim_reconnects_total{role=\"client\",slot=\"C0:0\",actor=\"usbslot/0\"} 0' '$T/c1.txt' && grep -qx 'remsim_tpdu_errors_total{role=\"client\",slot=\"C0:0\",actor=\"usbslot/0\"} 0' '$T/c1.txt'"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$MB/other")
check "other paths: 404 ($code)" [ "$code" = 404 ]
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$MB/metrics")
check "POST: 405 ($code)" [ "$code" = 405 ]
# the bankd's broker killed: its metrics actor answers remsim_up 0 while it is away
BP=$("$BIN/remsim-ctl" -e "ipc://$T/bankd-run/control" --json status | python3 -c 'import json,sys; print(next(a["pid"] for a in json.load(sys.stdin) if a["name"]=="broker"))')
kill -STOP "$BP"
scrape "$MB" >"$T/b3.txt"
kill -CONT "$BP"
check "a silent control socket scrapes as remsim_up 0" grep -qx 'remsim_up{role="bankd"} 0' "$T/b3.txt"
check "the metrics actor logged why" grep -q 'metrics.*scrape: no answer to .status.' "$T/bankd.log"
sanitizer_check
finish
