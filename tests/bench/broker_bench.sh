#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# broker_bench.sh: numbers for the broker hop (never asserts).
#  - round-trip latency TCP peer -> broker -> echo actor -> broker -> peer,
#    p50/p90/p99 over N frames (default 10000), and the same peer against a
#    plain TCP echo, with the ratio;
#  - frames/s through one broker with 64 echo actors (one connection each,
#    8 frames in flight per connection);
#  - RSS of the broker and of an idle actor.
# Results go to $BUILD/bench/broker.txt; the previous run's numbers (if that
# file existed) are printed beside the new ones.
#   BUILD=build-broker tests/bench/broker_bench.sh [FRAMES] [SECONDS]
. "$(dirname "$0")/../lib/common.sh"
FRAMES=${1:-10000}
SECS=${2:-5}
NACT=64
. "$TOP/tests/lib/bench.sh"
bench_files broker
RUN=$T/run

ports=()
for i in $(seq 0 $((NACT - 1))); do ports+=("$(free_port)"); done
{
	echo "run_dir = \"$RUN\";"
	echo "broker = {"
	echo "  listeners = ("
	for i in $(seq 0 $((NACT - 1))); do
		sep=","; [ "$i" = $((NACT - 1)) ] && sep=""
		echo "    { name = \"l$i\"; bind = \"127.0.0.1\"; port = ${ports[$i]}; side = \"bankd\"; actor = \"echo/$i\"; }$sep"
	done
	echo "  );"
	echo "};"
} >"$T/bench.cfg"

spawn broker "$BIN/broker" --config "$T/bench.cfg"
BROKER=$SPAWNED_PID
wait_log "$T/broker.log" 'ready: generation [0-9]*, hub' 10 || { echo "broker did not start"; cat "$T/broker.log"; exit 1; }
for i in $(seq 0 $((NACT - 1))); do
	spawn "echo$i" "$TBIN/echo-actor" --hub "ipc://$RUN/hub" --name "echo/$i" --quiet
done
spawn idle "$TBIN/echo-actor" --hub "ipc://$RUN/hub" --name idle --quiet
IDLE=$SPAWNED_PID
wait_for 20 bash -c "[ \$(grep -c 'welcomed' '$T/broker.log') -ge $((NACT + 1)) ]" ||
	{ echo "actors did not all say hello"; exit 1; }

rss() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
new=$NEW
"$TBIN/broker-load" rtt --port "${ports[0]}" --frames "$FRAMES" >"$T/rtt.out" || { cat "$T/rtt.out"; exit 1; }
awk '/^rtt_broker_us/ {print "rtt_broker_p50_us", $3; print "rtt_broker_p90_us", $5; print "rtt_broker_p99_us", $7}
     /^rtt_plain_us/  {print "rtt_plain_p50_us", $3;  print "rtt_plain_p90_us", $5;  print "rtt_plain_p99_us", $7}
     /^rtt_ratio/     {print "rtt_ratio_p50", $3; print "rtt_ratio_p99", $7}' "$T/rtt.out" >>"$new"
echo "rtt_frames $FRAMES" >>"$new"
plist=$(IFS=,; echo "${ports[*]}")
"$TBIN/broker-load" tput --ports "$plist" --seconds "$SECS" --window 8 >"$T/tput.out" || { cat "$T/tput.out"; exit 1; }
awk '/^tput_frames_per_s/ {print "tput_64_actors_frames_per_s", $2}' "$T/tput.out" >>"$new"
echo "rss_broker_kib $(rss "$BROKER")" >>"$new"
echo "rss_idle_actor_kib $(rss "$IDLE")" >>"$new"
grep -o 'dropped.*' "$T/broker.log" | tail -n 1 | sed 's/^/note: broker /'

bench_report "broker bench"
