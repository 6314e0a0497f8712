#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# broker_control.sh: the control socket: ipc file 0600 by default (0660 when
# group-writable is configured), tcp:// refused without CURVE keys with an
# error naming the config line, JSON errors, `status` from hellos and
# supervisor EVENTs, routing to the owning actor, and an error (not a hang)
# when that actor is down or does not answer.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/broker_common.bash"

cat >"$T/role.cfg" <<EOF
run_dir = "$RUN";
broker = {
  commands = { echo-count = "echo"; maps = "mapstore"; };
  ctl_timeout_ms = 500;
};
EOF
start_broker broker "$T/role.cfg" || fail "broker starts"

mode() { stat -c %a "$1"; }
check "control ipc file is 0600 by default" [ "$(mode "$RUN/control")" = 600 ]
check "hub ipc file is 0600" [ "$(mode "$RUN/hub")" = 600 ]

ctl '{"cmd":' >"$T/r1"
check "malformed JSON gets an error reply" grep -q '"ok":false,"error":"malformed JSON' "$T/r1"
ctl '[1,2]' >"$T/r2"
check "non-object request gets an error reply" grep -q '"ok":false' "$T/r2"
ctl '{"cmd":"frobnicate"}' >"$T/r3"
check "unknown command gets an error reply" grep -q "unknown command 'frobnicate'" "$T/r3"
ctl '{"cmd":"status","args":[],"json":true}' >"$T/r4"
check "status answered by the broker itself" grep -qE '"ok":true,"result":\[\{"name":"broker","pid":[0-9]+,"state":"running"' "$T/r4"
t0=$SECONDS
ctl '{"cmd":"maps"}' >"$T/r5"
check "command of an actor that never said hello: error at once" \
	bash -c "grep -q 'mapstore, which is not running' '$T/r5' && [ $((SECONDS - t0)) -le 2 ]"

start_echo echo || fail "echo actor starts"
ctl '{"cmd":"echo-count"}' >"$T/r6"
check "command routed to its actor and answered" grep -q '"ok":true,"result":{"echoed":0' "$T/r6"
ctl '{"cmd":"status"}' >"$T/r7"
check "status lists the actor from its hello" grep -qE '"name":"echo","pid":'"$ECHO_PID"',"state":"running"' "$T/r7"

kill -STOP "$ECHO_PID"
t0=$(date +%s%N)
ctl '{"cmd":"echo-count"}' >"$T/r8"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
kill -CONT "$ECHO_PID"
check "hung actor: error after ctl_timeout_ms, not a hang (${ms} ms)" \
	bash -c "grep -q 'did not reply within 500 ms' '$T/r8' && [ $ms -lt 3000 ]"
sleep 0.3	# the late reply is dropped by the broker
ctl '{"cmd":"echo-count"}' >"$T/r9"
check "actor answers again after it resumed" grep -q '"ok":true' "$T/r9"

# supervisor lifecycle EVENTs (the frame layout remsimd uses)
"$TBIN/zreq" -d remsimd "$HUB" EVENT echo exited "$ECHO_PID" "exit status 1" 2
"$TBIN/zreq" -d remsimd "$HUB" EVENT mapstore gaveup 4242 "killed by signal 9" 5
sleep 0.2
ctl '{"cmd":"status"}' >"$T/r10"
check "EVENT exited: state restarting, last_exit and restarts shown" \
	grep -qE '"name":"echo","pid":[0-9]+,"state":"restarting","restarts":2,"last_exit":"exit status 1"' "$T/r10"
check "EVENT gaveup: state failed" grep -qE '"name":"mapstore","pid":4242,"state":"failed","restarts":5,"last_exit":"killed by signal 9"' "$T/r10"
ctl '{"cmd":"echo-count"}' >"$T/r11"
check "command for an exited actor: error at once" grep -q 'not running' "$T/r11"
"$TBIN/zreq" -d remsimd "$HUB" EVENT echo started 999 "" 3
sleep 0.2
ctl '{"cmd":"status"}' >"$T/r12"
check "EVENT started: running with the new pid" grep -qE '"name":"echo","pid":999,"state":"running","restarts":3' "$T/r12"

# --- configurations that must be refused / honoured ----------------------------
P=$(free_port)
cat >"$T/tcp.cfg" <<EOF
run_dir = "$T/run-tcp";
control = "tcp://127.0.0.1:$P";
broker = { };
EOF
"$BIN/broker" --config "$T/tcp.cfg" >"$T/tcp.log" 2>&1
rc=$?
check "tcp control without CURVE keys: broker refuses to start" [ "$rc" != 0 ]
check "the error names the config line and CURVE" grep -q "tcp.cfg:2: control endpoint tcp://.*CURVE" "$T/tcp.log"

cat >"$T/tcpk.cfg" <<EOF
run_dir = "$T/run-tcpk";
control = "tcp://127.0.0.1:$P";
broker = { control_curve_cert = "$T/missing.cert"; control_curve_clients = "$T"; };
EOF
"$BIN/broker" --config "$T/tcpk.cfg" >"$T/tcpk.log" 2>&1
check "tcp control with an unreadable certificate: refused, line named" \
	grep -q "tcpk.cfg:2: cannot load CURVE server certificate" "$T/tcpk.log"

# a tcp:// hub is refused (no authentication on the hub)
PH=$(free_port)
cat >"$T/tcphub.cfg" <<EOF
run_dir = "$T/run-tcphub";
hub = "tcp://127.0.0.1:$PH";
broker = { };
EOF
"$BIN/broker" --config "$T/tcphub.cfg" >"$T/tcphub.log" 2>&1
rc=$?
check "tcp hub: broker refuses to start (exit $rc)" [ "$rc" != 0 ]
check "tcp hub: the error says why" grep -q "hub endpoint tcp://127.0.0.1:$PH refused: the hub must be an ipc:// endpoint" "$T/tcphub.log"

# tcp control with CURVE keys: an allowed client certificate gets answers,
# any other certificate gets nothing
mkdir -p "$T/clients" "$T/keys"
"$TBIN/fake-hub" --make-cert "$T/server.cert"
"$TBIN/fake-hub" --make-cert "$T/keys/ops.cert"
"$TBIN/fake-hub" --make-cert "$T/keys/intruder.cert"
cp "$T/keys/ops.cert" "$T/clients/"
PC=$(free_port)
cat >"$T/curve.cfg" <<EOF
run_dir = "$T/run-curve";
control = "tcp://127.0.0.1:$PC";
broker = { control_curve_cert = "$T/server.cert"; control_curve_clients = "$T/clients"; };
EOF
spawn broker-curve "$BIN/broker" --config "$T/curve.cfg"
wait_log "$T/broker-curve.log" 'ready: generation [0-9]*, hub' 10
"$BIN/remsim-ctl" -e "tcp://127.0.0.1:$PC" --curve-server-key "$T/server.cert" \
	--curve-client-cert "$T/keys/ops.cert" -t 3000 --json status >"$T/curve-ok.out" 2>&1
check "tcp control with CURVE: an allowed client certificate is answered" grep -q '\[' "$T/curve-ok.out"
"$BIN/remsim-ctl" -e "tcp://127.0.0.1:$PC" --curve-server-key "$T/server.cert" \
	--curve-client-cert "$T/keys/intruder.cert" -t 1000 status >"$T/curve-bad.out" 2>&1
rc=$?
check "tcp control with CURVE: an unknown client certificate gets no answer (exit $rc)" [ "$rc" = 3 ]
"$BIN/remsim-ctl" -e "tcp://127.0.0.1:$PC" status >"$T/curve-none.out" 2>&1
rc=$?
check "remsim-ctl refuses a tcp endpoint without keys (exit $rc)" [ "$rc" = 2 ]

cat >"$T/grp.cfg" <<EOF
run_dir = "$T/run-grp";
broker = { control_group_writable = true; };
EOF
spawn broker-grp "$BIN/broker" --config "$T/grp.cfg"
wait_log "$T/broker-grp.log" 'ready: generation [0-9]*, hub' 10
check "control_group_writable: control ipc file is 0660" [ "$(mode "$T/run-grp/control")" = 660 ]

cat >"$T/badkey.cfg" <<EOF
run_dir = "$T/run-bad";
broker = {
  listeners = ( { name = "x"; port = 1; side = "client"; actor = "a"; } );
};
EOF
"$BIN/broker" --config "$T/badkey.cfg" >"$T/badkey.log" 2>&1
check "bad listener side: error names file:line" grep -q 'badkey.cfg:3: .*side must be' "$T/badkey.log"
"$BIN/broker" --help >"$T/help.out" 2>&1
check "--help tells the options" grep -q -- '--control' "$T/help.out"
sanitizer_check
finish
