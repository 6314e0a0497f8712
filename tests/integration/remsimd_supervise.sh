#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# remsimd_supervise.sh: the supervisor with real processes and signals.
# The broker is played by tests/tools/fake-hub (it binds the hub and records
# every EVENT remsimd sends); the other actors are tests/tools/crashy-actor.
# Covers: start order and actor argv/env, restart after kill -9 with growing
# back-off, give-up on restart intensity, a missing program, broker restart
# (state re-sent), SIGTERM (reverse order, SIGKILL after stop timeout, exit 0,
# nothing left), SIGKILL of remsimd (children die too), config errors.
. "$(dirname "$0")/../lib/common.sh"

for b in "$BIN/remsimd" "$TBIN/fake-hub" "$TBIN/crashy-actor"; do
	[ -x "$b" ] || { fail "missing $b (build first)"; finish; }
done

RUN=$T/run
EV=$T/events
cat >"$T/role.cfg" <<CFG
# remsimd test role
run_dir = "/nonexistent/overridden-by-r";
hub = "ipc://@RUN_DIR@/hub";
control = "ipc://@RUN_DIR@/control";
supervisor: {
  restart_intensity = 3; restart_period_s = 20;
  backoff_initial_ms = 200; backoff_max_ms = 3000;
  stop_timeout_ms = 700;
};
actors = (
  { name = "reader"; program = "$TBIN/crashy-actor"; count = 2; args = [ "--slot", "@INDEX@" ]; },
  { name = "broker"; program = "$TBIN/fake-hub"; args = [ "--events", "$EV", "--control", "ipc://@RUN_DIR@/control" ]; },
  { name = "flaky"; program = "$TBIN/crashy-actor"; args = [ "--exit-after", "50", "--status", "3" ]; },
  { name = "ghost"; program = "$T/no-such-program"; },
  { name = "stubborn"; program = "$TBIN/crashy-actor"; args = [ "--ignore-term" ]; }
);
CFG

# helpers over the events file: "ms<TAB>name<TAB>kind<TAB>pid<TAB>detail<TAB>restarts"
ev_count() { awk -F'\t' -v n="$1" -v k="$2" '$2==n && $3==k' "$EV" 2>/dev/null | wc -l; }
ev_last_pid() { awk -F'\t' -v n="$1" -v k="${2:-started}" '$2==n && $3==k {p=$4} END {print p}' "$EV"; }
ev_has() { [ "$(ev_count "$1" "$2")" -ge "${3:-1}" ]; }
alive() { kill -0 "$1" 2>/dev/null && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }
all_dead() { local p; for p in "$@"; do alive "$p" && return 1; done; return 0; }
no_zombies() { ! ps -o stat= --ppid "$1" 2>/dev/null | grep -q Z; }

# --- config validation -------------------------------------------------------
printf 'run_dir = "/tmp/x";\nactors = (\n  { name = "a" }\n  { name = "b"; }\n);\n' >"$T/syntax.cfg"
out=$("$BIN/remsimd" -c "$T/syntax.cfg" 2>&1); rc=$?
check "syntax error: non-zero exit" [ "$rc" != 0 ]
check "syntax error names file:line" grep -q "$T/syntax.cfg:4:" <<<"$out"
printf 'actors = (\n  { name = "a"; },\n  { name = "b"; count = "many"; }\n);\n' >"$T/type.cfg"
out=$("$BIN/remsimd" -c "$T/type.cfg" 2>&1); rc=$?
check "bad count: non-zero exit and file:line" [ "$rc" != 0 -a -n "$(grep "$T/type.cfg:3:.*count" <<<"$out")" ]
printf 'supervisor: {\n  backoff_initial_ms = 500;\n  backoff_max_ms = 100;\n};\nactors = ( { name = "a"; } );\n' >"$T/range.cfg"
out=$("$BIN/remsimd" -c "$T/range.cfg" 2>&1); rc=$?
check "backoff_max < initial: names file:line" [ "$rc" != 0 -a -n "$(grep "$T/range.cfg:3:" <<<"$out")" ]
printf 'actors = ( { name = "a"; }, { name = "a"; } );\n' >"$T/dup.cfg"
out=$("$BIN/remsimd" -c "$T/dup.cfg" 2>&1); rc=$?
check "duplicate name rejected" [ "$rc" != 0 -a -n "$(grep "dup.cfg:1:.*duplicate" <<<"$out")" ]
out=$("$BIN/remsimd" -c "$T/missing.cfg" 2>&1); rc=$?
check "missing config file: non-zero exit, named" [ "$rc" != 0 -a -n "$(grep "$T/missing.cfg" <<<"$out")" ]
"$BIN/remsimd" >/dev/null 2>&1; check "no -c: usage exit 2" [ $? = 2 ]
out=$("$BIN/remsimd" -c "$T/role.cfg" -r "$RUN" --check 2>&1)
check "--check lists broker first, readers expanded" \
	[ "$(grep '^actor' <<<"$out" | awk '{print $2}' | tr '\n' ' ')" = "broker reader/0 reader/1 flaky ghost stubborn " ]

# --- start ------------------------------------------------------------------
spawn remsimd "$BIN/remsimd" -c "$T/role.cfg" -r "$RUN"
SUP=$SPAWNED_PID
LOG=$T/remsimd.log
wait_for 10 ev_has stubborn started || fail "actors did not all start"
check "run dir created 0700" [ "$(stat -c %a "$RUN")" = 700 ]
order=$(awk -F'\t' '$3=="started" && !seen[$2]++ {print $2}' "$EV" | tr '\n' ' ')
check "start order: broker, reader/0, reader/1, flaky, stubborn ($order)" \
	[ "$order" = "broker reader/0 reader/1 flaky stubborn " ]
# the broker's hub was up before the first other actor was started
hub_line=$(grep -n 'hub .* is up' "$LOG" | head -n1 | cut -d: -f1)
r0_line=$(grep -n '\[reader/0\] started' "$LOG" | head -n1 | cut -d: -f1)
check "others started after the hub was up" [ "${hub_line:-9999}" -lt "${r0_line:-0}" ]
check "actor argv: --hub --name --config + args" \
	grep -q "crashy-actor reader/1 pid [0-9]* argv: --hub ipc://$RUN/hub --name reader/1 --config $T/role.cfg --slot 1\$" "$LOG"
check "actor env: REMSIM_INDEX / REMSIM_RUN_DIR" \
	grep -q "reader/1 env REMSIM_INDEX=1" "$LOG"
check "actor env: REMSIM_RUN_DIR" grep -q "reader/0 env REMSIM_RUN_DIR=$RUN\$" "$LOG"
check "actor in its own process group" [ "$(ps -o pgid= -p "$(ev_last_pid reader/0)" | tr -d ' ')" = "$(ev_last_pid reader/0)" ]

# --- missing program -----------------------------------------------------------
check "missing program reported as gaveup" \
	grep -qP "\tghost\tgaveup\t0\tcannot exec $T/no-such-program: No such file or directory\t0" "$EV"
check "missing program logged with its name" grep -q '\[ghost\] giving up: cannot exec' "$LOG"

# --- kill -9 -> restarted under the same name with growing back-off ----------
pids=()
for i in 1 2 3; do
	old=$(ev_last_pid reader/0)
	pids+=("$old")
	kill -KILL "$old"
	wait_for 10 ev_has reader/0 started $((i + 1)) || { fail "reader/0 not restarted after kill $i"; break; }
done
new=$(ev_last_pid reader/0)
check "reader/0 restarted with a new pid" alive "${new:-0}"
check "the killed pids are gone" all_dead "${pids[@]}"
check "restarted actor has the same name" grep -q -- "--name reader/0" <(tr '\0' ' ' <"/proc/$new/cmdline")
check "exit events say 'killed by signal 9'" [ "$(awk -F'\t' '$2=="reader/0" && $3=="exited" && $5=="killed by signal 9"' "$EV" | wc -l)" = 3 ]
check "restart counter in events goes 1,2,3" \
	[ "$(awk -F'\t' '$2=="reader/0" && $3=="started" {print $6}' "$EV" | tr '\n' ' ')" = "0 1 2 3 " ]
delays=$(grep -o '\[reader/0\] restarting in [0-9]* ms' "$LOG" | awk '{print $4}' | tr '\n' ' ')
check "announced back-off doubles: 200 400 800 ($delays)" [ "$delays" = "200 400 800 " ]
gaps=$(awk -F'\t' '$2=="reader/0" && $3=="exited" {t=$1} $2=="reader/0" && $3=="started" && t {print $1 - t; t=0}' "$EV" | tr '\n' ' ')
read -r g1 g2 g3 <<<"$gaps"
check "measured delays grow and respect back-off ($gaps ms)" \
	[ "${g1:-0}" -ge 180 -a "${g2:-0}" -ge 380 -a "${g3:-0}" -ge 780 -a "${g2:-0}" -gt "${g1:-0}" -a "${g3:-0}" -gt "${g2:-0}" ]
check "no zombies after restarts" no_zombies "$SUP"

# --- restart intensity ------------------------------------------------------
wait_for 10 ev_has flaky gaveup || true
check "flaky: gave up after 3 restarts" \
	grep -qP "\tflaky\tgaveup\t[0-9]+\trestart intensity exceeded: 3 restarts within 20 s, last exit status 3\t3" "$EV"
check "flaky: 4 exits, 4 starts" [ "$(ev_count flaky exited)" = 4 -a "$(ev_count flaky started)" = 4 ]
sleep 0.5
check "flaky: not restarted after give-up" [ "$(ev_count flaky started)" = 4 ]
check "others keep running after a give-up" alive "$(ev_last_pid reader/1)"
check "remsimd itself still running" alive "$SUP"

# --- broker restart: the state is re-sent ---------------------------------------
b_old=$(ev_last_pid broker)
r1_pid=$(ev_last_pid reader/1)
r1_before=$(ev_count reader/1 started)
fg_before=$(ev_count flaky gaveup)
kill -KILL "$b_old"
wait_for 10 ev_has broker started 2 || fail "broker not restarted"
wait_for 10 ev_has reader/1 started $((r1_before + 1)) || true
check "after broker restart: 'started' re-sent for reader/1" [ "$(ev_count reader/1 started)" -gt "$r1_before" ]
check "re-sent event carries the same, running pid" [ "$(ev_last_pid reader/1)" = "$r1_pid" ]
check "reader/1 was not disturbed by the broker restart" alive "$r1_pid"
check "after broker restart: 'gaveup' re-sent for flaky" [ "$(ev_count flaky gaveup)" -gt "$fg_before" ]

# --- SIGTERM: reverse order, SIGKILL for the stubborn one, exit 0 ------------
children=$(pgrep -P "$SUP" | tr '\n' ' ')
known="$(ev_last_pid broker) $(ev_last_pid reader/0) $(ev_last_pid reader/1) $(ev_last_pid stubborn)"
check "remsimd has 4 children (broker, 2 readers, stubborn)" [ "$(wc -w <<<"$children")" = 4 ]
t0=$SECONDS
kill -TERM "$SUP"
rc=124
for _ in $(seq 1 100); do alive "$SUP" || break; sleep 0.1; done
if ! alive "$SUP"; then wait "$SUP"; rc=$?; fi
check "SIGTERM: remsimd exit status 0 (got $rc)" [ "$rc" = 0 ]
check "SIGTERM: within a few seconds" [ $((SECONDS - t0)) -le 8 ]
# shellcheck disable=SC2086
check "SIGTERM: no process of ours left ($children $known)" all_dead $children $known
stop_order=$(grep -o '\[[a-z/0-9]*\] stopping pid' "$LOG" | tr -d '[]' | awk '{print $1}' | tr '\n' ' ')
check "stopped in reverse start order ($stop_order)" [ "$stop_order" = "stubborn reader/1 reader/0 broker " ]
check "stubborn actor got SIGKILL after stop timeout" grep -q '\[stubborn\] pid [0-9]* ignored SIGTERM for 700 ms; sending SIGKILL' "$LOG"
check "'stopped' events for the readers" [ "$(ev_count reader/0 stopped)$(ev_count reader/1 stopped)" = 11 ]
check "'stopped' event for stubborn says killed by signal 9" grep -qP '\tstubborn\tstopped\t[0-9]+\tkilled by signal 9\t' "$EV"

# --- SIGKILL of remsimd: no actor survives ------------------------------------
: >"$EV"
spawn remsimd2 "$BIN/remsimd" -c "$T/role.cfg" -r "$RUN"
SUP2=$SPAWNED_PID
wait_for 10 ev_has stubborn started || fail "second remsimd did not start its actors"
kids=$(pgrep -P "$SUP2" | tr '\n' ' ')
check "second remsimd has children" [ "$(wc -w <<<"$kids")" -ge 4 ]
{ kill -KILL "$SUP2"; wait "$SUP2"; } 2>/dev/null	# (quiet: no "Killed" job notice)
# shellcheck disable=SC2086
check "SIGKILL of remsimd: children die too ($kids)" wait_for 5 all_dead $kids

finish
