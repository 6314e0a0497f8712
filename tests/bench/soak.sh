#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# soak.sh: long run of the whole system (make soak; not part of `make test`
# nor `make bench`).  Four simulated modems (st2sim modem mode on ngff-cardem
# boards: card-insert output and modem reset) each do a realistic SIM
# session: power up after the client's modem reset, ATR of the real card,
# PPS, SELECT MF / DF GSM / EF IMSI, READ BINARY, RUN GSM ALGORITHM (with GET
# RESPONSE), then STATUS every 30 s and a re-authentication every 60 s, all
# in compressed time; through the real remsim-server, remsim-bankd, a private
# pcscd with vpcd and four virtual cards.  Numbers only: TPDUs, stalls, lost
# TPDUs (started by a modem and never completed), latency percentiles.
#   tests/bench/soak.sh [MINUTES] [COMPRESSION]   (default 10 simulated
#                        minutes, compressed 20 times: 30 s of wall time)
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/pcscd.sh"
. "$(dirname "$0")/../lib/system.sh"
MIN=${1:-10}
F=${2:-20}
N=4
. "$TOP/tests/lib/bench.sh"
bench_files soak
wall=$(awk -v m="$MIN" -v f="$F" 'BEGIN { printf "%.1f", m * 60 / f }')
status_ms=$(awk -v f="$F" 'BEGIN { printf "%.0f", 30000 / f }')
auth_ms=$(awk -v f="$F" 'BEGIN { printf "%.0f", 60000 / f }')
echo "soak: $N slots, $MIN simulated minutes compressed ${F}x = ${wall} s; STATUS every ${status_ms} ms, re-authentication every ${auth_ms} ms"

pcscd_available || { echo "pcscd/vpcd not usable"; exit 1; }
# A pcscd offers at most 2 vpcd readers and a bankd has one pcscd, and the
# server gives clients its bankds' address with one fixed port: so two
# stacks (server + bankd + pcscd + 2 virtual cards each) on loopback, slots
# 0 and 1 registered with server A, slots 2 and 3 with server B.
T0=$T
for st in a b; do
	T=$T0/$st; mkdir -p "$T"
	pcscd_start 2 || exit 1
	vcard_start 0; vcard_start 1
	pcsc_wait_card 0 10 && pcsc_wait_card 1 10 || exit 1
	system_server || { echo "server $st did not start"; exit 1; }
	system_bankd 2 || { echo "bankd $st did not start"; exit 1; }
	eval "SRV_PORT_$st=$SRV_PORT; CTL_$st=(\"\${CTL[@]}\")"
done
T=$T0
SIMS=()
for i in $(seq 0 $((N - 1))); do
	spawn "sim$i" "$TBIN/st2sim" --socket "$T/sim$i.sock" --board ngff --modem "$wall" \
		--status-ms "$status_ms" --resession-ms "$auth_ms" --timeout 10 --quiet
	SIMS+=("$SPAWNED_PID")
done
cat >"$T/client.cfg" <<EOC
run_dir = "$T/client-run";
broker = { connect_timeout_ms = 1000; backoff_unit_ms = 50; };
actors = ( { name = "broker"; }, { name = "usbslot"; count = $N; } );
client = {
  server_host = "127.0.0.1"; client_id = 0; reopen_min_ms = 50; reopen_max_ms = 200;
  slots = ( { client_slot = 0; server_port = $SRV_PORT_a; transport = "sim:$T/sim0.sock"; },
            { client_slot = 1; server_port = $SRV_PORT_a; transport = "sim:$T/sim1.sock"; },
            { client_slot = 2; server_port = $SRV_PORT_b; transport = "sim:$T/sim2.sock"; },
            { client_slot = 3; server_port = $SRV_PORT_b; transport = "sim:$T/sim3.sock"; } );
};
EOC
spawn client "$BIN/remsimd" -c "$T/client.cfg"
CLIENT_PID=$SPAWNED_PID
CTL=("${CTL_a[@]}")
system_map 0:0 1:0 && system_map 0:1 1:1 || { echo "maps on server a did not become ACTIVE"; exit 1; }
CTL=("${CTL_b[@]}")
system_map 0:2 1:0 && system_map 0:3 1:1 || { echo "maps on server b did not become ACTIVE"; exit 1; }
rcs=""
for p in "${SIMS[@]}"; do wait "$p"; rcs="$rcs $?"; done
kill -TERM "$CLIENT_PID"; wait "$CLIENT_PID"

sum() { awk -v k="$1" '/^SUMMARY/ { for (i = 1; i <= NF; i++) if (split($i, kv, "=") == 2 && kv[1] == k) s += kv[2] } END { print s + 0 }' "$T"/sim*.log; }
tpdus=$(sum tpdus); done_=$(sum completed); aborted=$(sum aborted); stalls=$(sum stalls)
lost=$((tpdus - done_))
cat "$T"/sim*.log | grep -h '^BENCH' | sed 's/^/  /'
{
	echo "simulated_min $MIN"
	echo "compression $F"
	echo "slots $N"
	echo "tpdus $tpdus"
	echo "completed $done_"
	echo "aborted_by_reset $aborted"
	echo "lost $lost"
	echo "stalls $stalls"
	echo "sessions $(sum sessions)"
	echo "protocol_errors $(sum protocol_errors)"
	echo "in_dropped $(sum in_dropped)"
	echo "simulator_exit$rcs"
	for i in $(seq 0 $((N - 1))); do
		echo "slot${i}_us $(sed -n 's/^BENCH tpdus=[0-9]* //p' "$T/sim$i.log")"
	done
	echo "usbslot_dropped $(grep -o 'responses, [0-9]* dropped' "$T/client.log" | awk '{ s += $2 } END { print s + 0 }')"
} >"$NEW"
bench_report "soak"
