#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# config_strict.sh: typos and wrong values in a role file are errors with
# file:line and the accepted alternatives, found by `remsimd --check` (which
# has every actor check its own part) and at start (the role exits 1, its
# FATAL line naming the actor and the reason): an unknown top-level group
# ("mapstor", "clinet"), unknown keys in an actor's group ("bind_prot",
# "server_hots"), in the supervisor and in a broker listener, a port given
# as a string and one out of range.  The shipped etc/*.cfg pass.
. "$(dirname "$0")/../lib/common.sh"

for f in server bankd client; do
	"$BIN/remsimd" -c "$TOP/etc/$f.cfg" -r "$T/run-$f" --check >"$T/ok-$f.out" 2>"$T/ok-$f.err"; rc=$?
	check "etc/$f.cfg passes --check, every actor's part (rc=$rc)" \
		eval "[ $rc = 0 ] && grep -q 'config ok: [0-9]* actor(s) checked their part' '$T/ok-$f.out'"
done

# bad CFG_TEXT WHAT REGEX: --check exits 1 and says REGEX (file:line first)
bad() {
	local name=$1 text=$2 re=$3
	printf '%s\n' "$text" >"$T/$name.cfg"
	"$BIN/remsimd" -c "$T/$name.cfg" -r "$T/run-$name" --check >"$T/$name.out" 2>"$T/$name.err"; local rc=$?
	sed 's/^/#   /' "$T/$name.err" | head -n 4 >&2
	check "$name: --check exits 1 (rc=$rc)" [ "$rc" = 1 ]
	check "$name: ... with $T/$name.cfg:LINE and the reason" grep -qE "$T/$name.cfg:[0-9]+: $re" "$T/$name.err"
}
SRV='run_dir = "/tmp/x"; actors = ( { name = "broker"; }, { name = "mapstore"; } );'
bad mapstor "$SRV
mapstor = { database = \"/tmp/x.db\"; };" "unknown group 'mapstor' in the role file \(did you mean 'mapstore'\?"
bad clinet 'actors = ( { name = "broker"; }, { name = "usbslot"; count = 2; } );
clinet = { server_host = "127.0.0.1"; };' "unknown group 'clinet' in the role file \(did you mean 'client'\?"
BK='actors = ( { name = "broker"; }, { name = "bankmap"; } );'
bad bind_prot "$BK
bankd = { server_host = \"127.0.0.1\"; bind_prot = 9999; };" "unknown key 'bind_prot' in bankd \(did you mean 'bind_port'\?"
bad server_hots "$BK
bankd = { server_hots = \"127.0.0.1\"; };" "unknown key 'server_hots' in bankd \(did you mean 'server_host'\?"
bad supervisor "$SRV
supervisor = { restart_intensty = 3; };" "unknown key 'restart_intensty' in supervisor \(did you mean 'restart_intensity'\?"
bad port_string "$SRV
broker = { listeners = ( { name = \"rspro\"; port = \"19998\"; side = \"server\"; actor = \"mapstore\"; } ); };" \
	"'broker.listeners.\\[0\\].port' must be an integer"
bad port_range "$SRV
broker = { listeners = ( { name = \"rspro\"; port = 199980; side = \"server\"; actor = \"mapstore\"; } ); };" \
	"'broker.listeners.\\[0\\].port' must be between 0 and 65535 \\(got 199980\\)"
bad listener_key "$SRV
broker = { listeners = ( { name = \"rspro\"; prot = 9998; side = \"server\"; actor = \"mapstore\"; } ); };" \
	"unknown key 'prot' in a broker listener \(did you mean 'port'\?"
bad rest_key 'actors = ( { name = "broker"; }, { name = "rest"; } );
rest = { lisen = "127.0.0.1:1"; };' "unknown key 'lisen' in rest \(did you mean 'listen'\?"
check "supervisor: the error lists the accepted keys" grep -q 'known: restart_intensity, restart_period_s' "$T/supervisor.err"

# at start: the role does not come up half-configured, it exits 1 and says why
printf '%s\n' "run_dir = \"$T/run-start\";" "$BK" 'bankd = { server_host = "127.0.0.1"; server_hots = "x"; };' >"$T/start.cfg"
timeout 30 "$BIN/remsimd" -c "$T/start.cfg" >"$T/start.log" 2>&1; rc=$?
check "start with a typo in an essential actor's group: remsimd exits 1 (rc=$rc)" [ "$rc" = 1 ]
check "... its FATAL line names bankmap and the typo with file:line" \
	grep -qE "FATAL .*essential actor bankmap given up \(.*$T/start.cfg:[0-9]+: unknown key 'server_hots' in bankd" "$T/start.log"
printf '%s\n' "run_dir = \"$T/run-start2\";" 'actors = ( { name = "broker"; } );' 'mapstor = { };' >"$T/start2.cfg"
timeout 30 "$BIN/remsimd" -c "$T/start2.cfg" >"$T/start2.log" 2>&1; rc=$?
check "start with an unknown group: remsimd refuses at once (rc=$rc)" \
	eval "[ $rc = 1 ] && grep -q \"unknown group 'mapstor'\" '$T/start2.log'"
finish
