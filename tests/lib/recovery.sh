# SPDX-License-Identifier: GPL-2.0-or-later
# tests/lib/recovery.sh: helpers for fault-recovery tests and benchmarks on
# top of tests/lib/system.sh: modem stand-ins that keep APDUs flowing through
# shell clients (tests/tools/apdu-pump.py) and the outage they saw.
#   recovery_rig                    pcscd (2 readers) + cards, server, bankd (2 slots), two
#                                   pumped shell clients C0:0 -> B1:0 and C1:0 -> B1:1; 0 when
#                                   APDUs flow on both (checks print PASS/FAIL lines)
#   recovery_kill CTL_EP ACTOR      kill -9 that actor of a role; sets KILL_T0 (0: pid unknown)
#   recovery_pump N CLIENT_ID       remsim-client-shell C<id>:0 driven by a pump; $T/pumpN.txt
#                                   (it re-sends an unanswered APDU after RECOVERY_RETRY_MS, default 100)
#   recovery_now                    CLOCK_MONOTONIC seconds (the pump's clock)
#   recovery_outage N SINCE         longest gap (ms) between answers of pump N from SINCE on,
#                                   or "none" when no answer came after SINCE
#   recovery_answers_after N SINCE  answers of pump N after SINCE
#   recovery_actor_pid CTL_EP NAME  pid of that actor of the role at that control endpoint
#   recovery_broker_pid CTL_EP      the same for the broker

# LIMIT: the recovery time the tests require (1 s; more under the sanitizers)
LIMIT=1000
case "$BUILD" in *asan*) LIMIT=3000 ;; esac

recovery_pump() {
	local n=$1 cid=$2
	spawn "pump$n" python3 "$TOP/tests/tools/apdu-pump.py" --out "$T/pump$n.txt" --seconds 600 --retry-ms "${RECOVERY_RETRY_MS:-100}" \
		-- "$BIN/remsim-client-shell" -i 127.0.0.1 -p "$SRV_PORT" -c "$cid" -n 0 \
		--run-dir "$T/c$n-run"
	eval "PUMP${n}_PID=$SPAWNED_PID"
}

recovery_now() { python3 -c 'import time; print("%.6f" % time.monotonic())'; }

recovery_outage() {
	python3 - "$T/pump$1.txt" "$2" <<'PY'
import sys
since = float(sys.argv[2])
ts = [float(l.split()[1]) for l in open(sys.argv[1]) if l.startswith("R ")]
after = [t for t in ts if t >= since]
if not after:
    print("none"); sys.exit()
before = [t for t in ts if t < since]
seq = ([before[-1]] if before else [since]) + after
print(int(max(b - a for a, b in zip(seq, seq[1:])) * 1000) if len(seq) > 1 else 0)
PY
}

recovery_answers_after() {
	awk -v s="$2" '$1 == "R" && $2 >= s { n++ } END { print n + 0 }' "$T/pump$1.txt"
}

recovery_actor_pid() {
	"$BIN/remsim-ctl" -e "$1" --json status 2>/dev/null | python3 -c '
import json, sys
r = json.load(sys.stdin)
r = r.get("result", r) if isinstance(r, dict) else r
print(next((a["pid"] for a in r if a["name"] == sys.argv[1]), ""))' "$2"
}

recovery_broker_pid() { recovery_actor_pid "$1" broker; }

recovery_clients_up() { [ "$("${CTL[@]}" clients 2>/dev/null | grep -c 'CONNECTED_CLIENT')" -ge "${1:-2}" ]; }
recovery_flowing() {
	local s n; s=$(recovery_now); sleep 0.3
	for n in "$@"; do [ "$(recovery_answers_after "$n" "$s")" -gt 3 ] || return 1; done
}

recovery_rig() {
	check "rig: private pcscd with 2 readers" pcscd_start 2 || return 1
	vcard_start 0; vcard_start 1
	check "rig: virtual cards present" eval "pcsc_wait_card 0 && pcsc_wait_card 1" &&
	check "rig: server up" system_server &&
	check "rig: bankd registered with 2 slots" system_bankd 2 || return 1
	recovery_pump 0 0
	recovery_pump 1 1
	check "rig: both clients registered" wait_for 15 recovery_clients_up 2 &&
	check "rig: map 0:0 -> 1:0 ACTIVE" system_map 0:0 1:0 &&
	check "rig: map 1:0 -> 1:1 ACTIVE" system_map 1:0 1:1 &&
	check "rig: APDUs flow on both slots" wait_for 20 recovery_flowing 0 1
}

recovery_kill() {
	local pid; pid=$(recovery_actor_pid "$1" "$2")
	KILL_T0=0
	[ -n "$pid" ] || return 1
	KILL_T0=$(recovery_now)
	kill -9 "$pid"
}
