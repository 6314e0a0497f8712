#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# rest_slowloris_bench.sh: legitimate GETs answered by the REST actor while a
# slowloris runs (the attack of issue 12: 64 connections, one header line
# every 5 s; 70 GETs, one a second), default limits (request_timeout_ms 5000,
# 16 connections per address, 256 in all), against fake-mapstore on loopback.
# Two runs: the attack from another address (127.0.0.2) and from the same
# address as the legitimate client.  Never asserts.
#   BUILD=build tests/bench/rest_slowloris_bench.sh [SECONDS]   (default 70)
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/bench.sh"
. "$TOP/tests/lib/rest_fake.sh"
S=${1:-70}
bench_files rest_slowloris
start_fake fm --bank 1:8
start_rest rest --control "ipc://$T/fm.sock"
for from in 127.0.0.2 127.0.0.1; do
	out=$(python3 "$TOP/tests/tools/http-slowloris.py" "$PORT" "$API/banks" --conns 64 \
		--attacker "$from" --line-every 5 --seconds "$S" --gets "$S")
	echo "# attacker $from: $out"
	echo "legit_GETs_answered_attack_from_$from ${out##*legit_answered=} (attack: ${out#attack })" >>"$NEW"
done
echo "# rest log: $(grep -c 'closing connection from' "$T/rest.log") slow connections closed (logged, rate-limited)"
bench_report "REST under a slowloris (64 conns, a header line every 5 s, $S GETs in $S s)"
