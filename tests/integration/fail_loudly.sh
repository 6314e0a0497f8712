#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fail_loudly.sh: a role that cannot work exits, non-zero, saying why, so
# that its service manager can act; a role that lost one slot keeps serving
# the others and says which slot failed.
#  - the server's RSPRO port is taken: the broker cannot listen, is given up,
#    and remsimd stops the role and exits 1 with one FATAL line naming the
#    broker and its reason ("cannot listen on ...: Address already in use");
#  - a non-essential actor (a reader) given up: the role keeps running, the
#    other actors too; `remsim-ctl status` shows it failed with its reason
#    (its last FATAL line) and exits 1;
#  - an essential actor (`essential = true`) given up: the role stops, exit 1.
. "$(dirname "$0")/../lib/common.sh"

# --- the server's RSPRO port is taken ------------------------------------------------
P=$(free_port); R=$(free_port)
spawn holder python3 -c "import socket,time; s=socket.socket(); s.bind(('127.0.0.1', $P)); s.listen(); time.sleep(60)"
sleep 0.3
"$BIN/remsim-server" -r "$T/srv-run" --state-dir "$T/srv-state" --database "$T/srv.db" -b 127.0.0.1 -p "$P" \
	--rest-listen "127.0.0.1:$R" >"$T/srv.log" 2>&1 &
SRV=$!; SPAWNED_PIDS+=("$SRV")
exited() { ! kill -0 "$SRV" 2>/dev/null; }
check "port in use: the server role exits by itself" wait_for 30 exited
wait "$SRV"; rc=$?
check "port in use: ... with status 1 (rc=$rc)" [ "$rc" = 1 ]
check "port in use: one FATAL line names the broker and why" \
	grep -qE "FATAL .*essential actor broker given up \(.*cannot listen on 127.0.0.1:$P: Address already in use" "$T/srv.log"
check "port in use: remsimd's last line says it exits with status 1" \
	bash -c "tail -n 1 '$T/srv.log' | grep -q 'exiting with status 1'"
check "port in use: nothing logs (null)" bash -c "! grep -q '(null)' '$T/srv.log'"

# --- a slot's actor given up: the role goes on, status says so ------------------------------
cat >"$T/role.cfg" <<CFG
run_dir = "$T/run";
supervisor = { restart_intensity = 2; restart_period_s = 20; backoff_initial_ms = 50; backoff_max_ms = 100; };
actors = (
  { name = "broker"; },
  { name = "reader"; program = "$TBIN/crashy-actor"; count = 2; },
  { name = "flaky"; program = "$TBIN/crashy-actor";
    args = [ "--exit-after", "30", "--status", "3", "--reason", "card reader 'X' gone" ]; }
);
CFG
spawn role "$BIN/remsimd" -c "$T/role.cfg"
ROLE=$SPAWNED_PID
CTL=("$BIN/remsim-ctl" -e "ipc://$T/run/control")
failed_shown() { "${CTL[@]}" status 2>/dev/null | grep -qE '^flaky +.*failed'; }
check "slot failure: the actor is given up and shown failed" wait_for 15 failed_shown
check "slot failure: the role keeps running" kill -0 "$ROLE"
"${CTL[@]}" status >"$T/status.txt" 2>"$T/status.err"; rc=$?
check "slot failure: remsim-ctl status exits 1 (rc=$rc)" [ "$rc" = 1 ]
check "slot failure: ... and says why on stderr" grep -q 'an actor of the role has failed' "$T/status.err"
check "slot failure: status shows the exit status and the actor's reason" \
	grep -qE "^flaky .*exit status 3: card reader 'X' gone" "$T/status.txt"
check "slot failure: the other actors are running" \
	eval "grep -qE '^reader/0 +[0-9]+ +running' '$T/status.txt' && grep -qE '^reader/1 +[0-9]+ +running' '$T/status.txt'"
check "slot failure: remsimd logged the give-up with the reason" \
	grep -q "flaky.*giving up: restart intensity exceeded.*exit status 3: card reader 'X' gone" "$T/role.log"
kill -TERM "$ROLE"; wait "$ROLE"; rc=$?
check "slot failure: SIGTERM still exits 0 (rc=$rc)" [ "$rc" = 0 ]

# --- an essential actor given up: the role stops ---------------------------------------------
sed -e 's|{ name = "flaky";|{ name = "flaky"; essential = true;|' -e "s|$T/run|$T/run2|" "$T/role.cfg" >"$T/role2.cfg"
spawn role2 "$BIN/remsimd" -c "$T/role2.cfg"
ROLE2=$SPAWNED_PID
gone2() { ! kill -0 "$ROLE2" 2>/dev/null; }
check "essential: the role stops by itself" wait_for 20 gone2
wait "$ROLE2"; rc=$?
check "essential: exit status 1 (rc=$rc)" [ "$rc" = 1 ]
check "essential: the FATAL line names the actor and its reason" \
	grep -q "FATAL .*essential actor flaky given up (.*card reader 'X' gone)" "$T/role2.log"
no_orphans() {
	local p
	for p in $(sed -n 's/.*started .* (pid \([0-9]*\),.*/\1/p' "$T/role2.log"); do
		kill -0 "$p" 2>/dev/null && return 1
	done
	return 0
}
check "essential: the other actors were stopped (no orphans)" no_orphans
check "config: 'essential = false' on the broker is refused with file:line" \
	bash -c "sed 's|{ name = \"broker\"; }|{ name = \"broker\"; essential = false; }|' '$T/role.cfg' >'$T/bad.cfg'; \
	! '$BIN/remsimd' -c '$T/bad.cfg' --check 2>'$T/bad.err' && grep -qE 'bad.cfg:[0-9]+: .*broker is always essential' '$T/bad.err'"
sanitizer_check
finish
