# SPDX-License-Identifier: GPL-2.0-or-later
# bankd_map_common.bash: helpers for tests/integration/bankd_map_*.sh (sourced
# after tests/lib/common.sh; not a test itself).
#
# A bankd role runs under remsimd: broker + bankmap + reader/0..N-1, where the
# readers are tests/tools/fake-reader (no PC/SC) unless READER_PROG says
# otherwise.  The remsim-server and the clients are rspro-peer processes whose
# scripts are fed line by line through FIFOs, so a test can interleave steps
# of several peers:
#     peer_open srv -l 127.0.0.1:$P_SRV     # scripted server (accepts the bankd)
#     peer_do srv "expect connectBankReq bankId=1" "send connectBankRes result=ok"
#     peer_open c1 -c 127.0.0.1:$P_BK
#     peer_do c1 "send connectClientReq client=3:0" "expect connectClientRes result=cardNotPresent"
# peer_do returns 0 when every line ran (the peer prints "mark N" after them),
# 1 when the peer failed a step or exited (its log: $T/NAME.log).

P_SRV=$(free_port)
P_BK=$(free_port)
RUN="$T/run"
CTL="ipc://$RUN/control"
READER_PROG=${READER_PROG:-$TBIN/fake-reader}
# READER_SLOTS: the reader.slots entries, e.g. '{ slot = 0; reader = "Virtual PCD 00 00"; }'


# bankd_cfg FILE NSLOTS [EXTRA bankd SETTINGS...]: write a role config.
bankd_cfg() {
	local f=$1 n=$2; shift 2
	cat >"$f" <<EOF
run_dir = "$RUN";
supervisor = { backoff_initial_ms = 100; backoff_max_ms = 500; restart_intensity = 20; restart_period_s = 10; };
actors = (
  { name = "broker"; program = "$BIN/broker"; },
  { name = "bankmap"; program = "$BIN/bankmap"; },
  { name = "reader"; program = "$READER_PROG"; count = $n; }
);
broker = {
  listeners = ( { name = "clients"; bind = "127.0.0.1"; port = $P_BK; side = "bankd"; actor = "bankmap"; } );
  commands = { maps = "bankmap"; banks = "bankmap"; clients = "bankmap"; };
  keepalive_interval_ms = 600000;   # the FIFO-driven server peer answers PINGs only between steps
  keepalive_timeout_ms = 600000;
  connect_timeout_ms = 1000;
  backoff_unit_ms = 50;
};
bankd = {
  server_host = "127.0.0.1";
  server_port = $P_SRV;
  bank_id = 1;
  num_slots = $n;
  name = "test-bankd";
  stats_interval_s = 1;
$(printf '  %s\n' "$@")
};
reader = {
  sharing = "exclusive";
  poll_ms = 200;
  slots = ( ${READER_SLOTS:-} );
};
EOF
}

# bankd_start CFG: run remsimd on CFG, wait for bankmap's hello.
bankd_start() {
	spawn remsimd "$BIN/remsimd" -c "$1"
	REMSIMD_PID=$SPAWNED_PID
	wait_log "$T/remsimd.log" 'bankmap.*(started|welcome)' 15 && sleep 0.3
}

. "$TOP/tests/lib/peer.sh"
# peer_open NAME RSPRO-PEER-ARGS...: a FIFO-driven peer (tests/lib/peer.sh)
peer_open() { peer_fifo_open "$@"; }

# server_connect [NAME]: accept the bankd's connection as the server, answer ok.
server_connect() {
	local n=${1:-srv}
	peer_open "$n" -l "127.0.0.1:$P_SRV"
	peer_do "$n" "expect connectBankReq" "send connectBankRes result=ok"
}

# ctl JSON
ctl() { "$TBIN/zreq" -t 5000 "$CTL" "$1"; }
# ctl_has CMD REGEX: the reply to {"cmd":CMD} matches REGEX
ctl_has() { ctl "{\"cmd\":\"$1\"}" | grep -qE "$2"; }

# reader_log N: log of reader/N's program (remsimd passes its stdout/stderr through)
# told N REGEX [SEC]: wait until reader/N logged "told REGEX"
told() { wait_log "$T/remsimd.log" "reader/$1 .*told $2" "${3:-5}"; }
told_count() { grep -cE "reader/$1 .*told $2" "$T/remsimd.log"; }

# pid_of NAME: pid of an actor from the broker's status
pid_of() {
	ctl '{"cmd":"status"}' | python3 -c '
import json,sys
for a in json.load(sys.stdin)["result"]:
    if a["name"] == sys.argv[1]: print(a["pid"])' "$1"
}

# cpu_ticks PID: utime+stime in clock ticks
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }

