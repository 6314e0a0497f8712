#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# recovery_bench.sh: how long each fault interrupts the APDU flow.  The
# system of tests/lib/recovery.sh (server, bankd with 2 slots behind a
# private pcscd + cards, two pumped shell clients); each fault is done
# ROUNDS times (default 3): kill -9 of the bankd's, client 0's and the
# server's broker, and of reader/0; the number is the longest gap between
# two answers on the slot hit (the modem's outage: kill -> first good APDU,
# including the pump's re-send of an APDU lost in the fault, every 20 ms
# here: RECOVERY_RETRY_MS), median and worst over the rounds; the other
# slot's gap beside it.  (Before 2026-12-05 the pump re-sent every 100 ms,
# so the outages fell on multiples of 100 ms and read up to 100 ms long.)
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/pcscd.sh"
. "$(dirname "$0")/../lib/system.sh"
. "$(dirname "$0")/../lib/recovery.sh"
. "$(dirname "$0")/../lib/bench.sh"

ROUNDS=${ROUNDS:-3}
export RECOVERY_RETRY_MS=${RECOVERY_RETRY_MS:-20}
pcscd_available || { echo "recovery bench: pcscd/vpcd not usable here"; exit 0; }
recovery_rig >"$T/rig.txt" || { cat "$T/rig.txt"; exit 1; }
bench_files recovery

stats() { sort -n | awk '{ v[NR] = $1 } END { if (NR) printf "p50 %d ms, max %d ms", v[int((NR + 1) / 2)], v[NR]; else printf "n/a" }'; }

# fault KEY CTL_EP ACTOR HIT OTHER
fault() {
	local key=$1 ep=$2 actor=$3 hit=$4 other=$5 r o1 o2
	: >"$T/$key.hit"; : >"$T/$key.other"
	for r in $(seq 1 "$ROUNDS"); do
		recovery_kill "$ep" "$actor" || { echo "$key: $actor not found"; return; }
		sleep 2.5
		o1=$(recovery_outage "$hit" "$KILL_T0"); o2=$(recovery_outage "$other" "$KILL_T0")
		[ "$o1" = none ] && o1=99999
		[ "$o2" = none ] && o2=99999
		echo "$o1" >>"$T/$key.hit"; echo "$o2" >>"$T/$key.other"
		wait_for 10 recovery_flowing 0 1 || true
	done
	echo "$key $(stats <"$T/$key.hit") (other slot $(stats <"$T/$key.other"))" >>"$NEW"
}

fault bankd_broker_kill "ipc://$T/bankd-run/control" broker 0 1
fault client_broker_kill "ipc://$T/c0-run/control" broker 0 1
fault server_broker_kill "ipc://$T/server-run/control" broker 0 1
fault reader_kill "ipc://$T/bankd-run/control" reader/0 0 1
bench_report "Recovery: outage of the APDU flow per fault ($ROUNDS rounds each)"
