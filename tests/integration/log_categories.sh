#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# log_categories.sh: per-category log levels in a real bankd role (remsimd +
# broker + reader/0 on a real pcscd + vpcd + virtual card, a scripted RSPRO
# client): DTPDU lines (command and response, with the slot context) only
# when asked for, by the config's `log` group, by REMSIM_LOG_MASK (osmo `-d`
# masks) and at run time (`remsim-ctl log DTPDU info`, kept over a kill -9 of
# the reader); a mask turns DRSPRO on and off independently of the reader's
# own category; bad categories/levels in the config (file:line, also under
# `remsimd --check`) and on remsim-ctl's command line (known names, exit 2);
# the syslog target: a role in a private mount namespace whose /dev/log is
# our own datagram socket gets every line with its priority and facility.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/pcscd.sh"
. "$(dirname "$0")/bankd_reader_common.bash"

if ! pcscd_available || [ ! -x "$BIN/reader" ] || [ ! -x "$BIN/remsimd" ]; then
	skip "log_categories: pcscd/vpcd, reader or remsimd not available"
	finish
fi
CTLBIN=$BIN/remsim-ctl
ATR_T0=3b1a1172656d73696d2053494d

check "pcscd with a vpcd reader" multi_pcscd 1 || finish
slot_vcard 0
check "card present" slot_wait_card 0
SEL=a0a40000023f00
SEL_RESP=$(slot_apdu 0 $SEL)
bankd_config 1
cp "$T/bankd.cfg" "$T/base.cfg"

# role NAME [log group]: start the bankd (log $T/NAME.log) with the base
# config plus a `log` group; waits for the reader.
role() {
	local name=$1
	cp "$T/base.cfg" "$T/bankd.cfg"
	[ -n "${2:-}" ] && printf 'log = %s;\n' "$2" >>"$T/bankd.cfg"
	spawn "$name" env "${ROLE_ENV[@]}" "$BIN/remsimd" -c "$T/bankd.cfg"
	REMSIMD_PID=$SPAWNED_PID
	wait_for 15 reader_ready
}
# the reader found its PC/SC reader (asked, not read from a log it may not write)
reader_ready() { "$TBIN/zreq" -t 1000 "$CTL" '{"cmd":"slots"}' 2>/dev/null | grep -qE '"card":"(READER|OPEN)"'; }
stop_role() {
	kill -TERM "$REMSIMD_PID" 2>/dev/null
	for _ in $(seq 1 100); do kill -0 "$REMSIMD_PID" 2>/dev/null || break; sleep 0.05; done
}
# traffic NAME: connect as C23:0 and relay one SELECT
traffic() {
	{ hello 23:0 "$ATR_T0"; tpdu_lines 23:0 1:0 $SEL "$SEL_RESP"; } >"$T/$1.script"
	peer_ok "$1: client served" 0 "$1"
}
ctl() { "$CTLBIN" -e "$CTL" "$@"; }
# remsimd answers `log` over its events connection to the hub, which it
# (re)connects on its own schedule after a start
remsimd_answers() { ctl log 2>/dev/null | grep -q "^remsimd  *DSUP"; }

# --- config: DTPDU on, timestamps off ---------------------------------------------
ROLE_ENV=(REMSIM_LOG_MASK=)
check "config log group: role starts" role cfg '{ categories = { DTPDU = "info"; }; timestamps = false; }'
traffic cfg_traffic
check "config DTPDU info: command line with slot context" \
	grep -q "^INFO   DTPDU reader/0 \[B1:0 C23:0\] cmd $SEL\$" "$T/cfg.log"
check "... and the response line" grep -q "^INFO   DTPDU reader/0 \[B1:0 C23:0\] rsp $SEL_RESP\$" "$T/cfg.log"
check "timestamps = false: no line starts with a date" eval '! grep -qE "^[0-9]{4}-" "$T/cfg.log"'
check "DRSPRO stays at info: no Rx/Tx debug lines" eval '! grep -q "DRSPRO reader/0 .*Rx connectClientReq" "$T/cfg.log"'
stop_role

# --- REMSIM_LOG_MASK (osmo -d): DRSPRO independent of DBANKDW ---------------------
ROLE_ENV=(REMSIM_LOG_MASK=DBANKDW,1:DRSPRO,7 REMSIM_LOG_TIMESTAMPS=0)
check "mask DBANKDW,1:DRSPRO,7: role starts" role maskA '{ categories = { DTPDU = "info"; }; }'
traffic maskA_traffic
check "mask A: the reader's own lines at info (ConnectClientRes ok)" grep -q 'reader/0 .*ConnectClientRes ok' "$T/maskA.log"
check "mask A: no DRSPRO Rx/Tx lines" eval '! grep -q "DRSPRO reader/0" "$T/maskA.log"'
check "mask A: the mask overrides the config: no DTPDU lines" eval '! grep -q "DTPDU reader/0" "$T/maskA.log"'
stop_role

ROLE_ENV=(REMSIM_LOG_MASK=DBANKDW,7:DRSPRO,1 REMSIM_LOG_TIMESTAMPS=0)
check "mask DBANKDW,7:DRSPRO,1: role starts" role maskB
traffic maskB_traffic
check "mask B: DRSPRO Rx line" grep -q '^DEBUG  DRSPRO reader/0 .*Rx connectClientReq (conn [0-9]*, [0-9]* octets)' "$T/maskB.log"
check "mask B: DRSPRO Tx line" grep -q '^DEBUG  DRSPRO reader/0 .*Tx tpduCardToModem' "$T/maskB.log"
check "mask B: the reader's own info lines off" eval '! grep -q "reader/0 .*ConnectClientRes ok" "$T/maskB.log"'
check "mask B: no DTPDU lines" eval '! grep -q "DTPDU reader/0" "$T/maskB.log"'

# --- run time: remsim-ctl log ------------------------------------------------------------
wait_for 10 remsimd_answers
out=$(ctl log 2>&1)
echo "$out" >"$T/ctl_log.out"
check "remsim-ctl log: a row per process (broker, reader/0, remsimd)" \
	eval 'grep -q "^broker  *DBROKER" <<<"$out" && grep -q "^reader/0  *DBANKDW" <<<"$out" && grep -q "^remsimd  *DSUP" <<<"$out"'
check "remsim-ctl log --json: reader/0 DRSPRO debug, DTPDU error (from the mask)" \
	eval 'ctl --json log | python3 -c "
import json, sys
r = {x[\"actor\"]: x for x in json.load(sys.stdin)}[\"reader/0\"][\"levels\"]
sys.exit(0 if r[\"DRSPRO\"] == \"DEBUG\" and r[\"DTPDU\"] == \"ERROR\" else 1)"'
out=$(ctl log DTPDU info 2>&1)
check "remsim-ctl log DTPDU info: every process answers with DTPDU info*" \
	eval '[ "$(grep -cE "^(broker|reader/0|remsimd) .* info\*\$" <<<"$out")" = 3 ]'
check "... kept in RUN_DIR/log-levels" grep -qx 'DTPDU,INFO' "$RUN/log-levels"
traffic rt_traffic
check "run time: DTPDU lines in the running reader" grep -q "DTPDU reader/0 \[B1:0 C23:0\] cmd $SEL\$" "$T/maskB.log"
OLD=$(reader_pid 0)
kill -9 "$OLD"
new_reader() { local p; p=$(reader_pid 0); [ -n "$p" ] && [ "$p" != "$OLD" ] && reader_ready; }
check "reader/0 restarted after kill -9" wait_for 10 new_reader
: >"$T/maskB.log"
sleep 0.3
traffic after_kill
check "after kill -9: the new reader still logs DTPDU lines" grep -q "DTPDU reader/0 \[B1:0 C23:0\] rsp $SEL_RESP\$" "$T/maskB.log"
out=$(ctl log all notice 2>&1)
check "remsim-ctl log all notice: every category of every process" \
	eval '[ "$(grep -cE "^(broker|reader/0|remsimd) .*( +notice\*){10}\$" <<<"$out")" = 3 ]'

# --- bad names on remsim-ctl's command line --------------------------------------
ctl log DTPUD info >"$T/bad1.out" 2>&1; rc=$?
check "remsim-ctl log DTPUD info: exit 2" test $rc = 2
check "... did you mean DTPDU, with the known names" \
	grep -q "unknown log category 'DTPUD' (did you mean 'DTPDU'?; known: all, DMAIN, DST2, DRSPRO, DREST, DSLOTMAP, DBANKDW, DGSMTAP, DBROKER, DSUP, DTPDU)" "$T/bad1.out"
ctl log DTPDU loud >"$T/bad2.out" 2>&1; rc=$?
check "remsim-ctl log DTPDU loud: exit 2, the known levels" \
	eval '[ $rc = 2 ] && grep -q "unknown log level .loud. (known: debug, info, notice, warn, error, fatal" "$T/bad2.out"'
ctl log DTPDU >/dev/null 2>&1; rc=$?
check "remsim-ctl log DTPDU (no level): usage, exit 2" test $rc = 2
check "the role refuses a bad category itself (code usage)" eval '"$TBIN/zreq" -t 3000 "$CTL" "{\"cmd\":\"log\",\"args\":[\"DNOPE\",\"info\"]}" | grep -q "\"code\":\"usage\""'
check "the levels are unchanged by the refused requests" grep -qx 'DMAIN,NOTICE:DST2,NOTICE:DRSPRO,NOTICE:DREST,NOTICE:DSLOTMAP,NOTICE:DBANKDW,NOTICE:DGSMTAP,NOTICE:DBROKER,NOTICE:DSUP,NOTICE:DTPDU,NOTICE' "$RUN/log-levels"
stop_role

# --- bad config: file:line, also under --check ---------------------------------------
badcfg() {	# NAME LOGGROUP EXPECTED-REGEX
	cp "$T/base.cfg" "$T/$1.cfg"
	printf 'log = %s;\n' "$2" >>"$T/$1.cfg"
	local line; line=$(wc -l <"$T/$1.cfg")
	"$BIN/remsimd" -c "$T/$1.cfg" --check >"$T/$1.out" 2>&1; local rc=$?
	if [ $rc = 1 ] && grep -qE "$1.cfg:$line: $3" "$T/$1.out"; then
		pass "$1: --check exits 1 with $1.cfg:$line and the reason"
	else
		fail "$1: --check exits 1 with $1.cfg:$line and the reason"; echo "  rc $rc: $(head -n 3 "$T/$1.out")"
	fi
}
badcfg badcat '{ categories = { DTPUD = "info"; }; }' "unknown key 'DTPUD' in log.categories \(did you mean 'DTPDU'\?; known: DMAIN, "
badcfg badmask '{ categories = "DMAIN,1:DRSPR,3"; }' "log.categories: unknown log category 'DRSPR' in log mask \(did you mean 'DRSPRO'"
badcfg badlevel '{ level = "loud"; }' "log.level must be one of debug, info, notice, warn, error, fatal"
badcfg badkey '{ target = "stderr"; timestamp = true; }' "unknown key 'timestamp' in log \(did you mean 'timestamps'"
badcfg badtarget '{ target = "file"; }' "log.target must be \"stderr\" or \"syslog\" \(got 'file'\)"
badcfg badfac '{ target = "syslog"; syslog_facility = "local9"; }' "log.syslog_facility must be one of user, daemon, local0 .. local7"
cp "$T/base.cfg" "$T/badstart.cfg"
printf 'log = { categories = { DTPUD = "info"; }; };\n' >>"$T/badstart.cfg"
"$BIN/remsimd" -c "$T/badstart.cfg" >"$T/badstart.out" 2>&1; rc=$?
check "bad log group at start: remsimd exits 1 naming file:line" \
	eval '[ $rc = 1 ] && grep -q "badstart.cfg:[0-9]*: unknown key .DTPUD." "$T/badstart.out"'
cp "$T/base.cfg" "$T/good.cfg"
printf 'log = { level = "debug"; categories = { DTPDU = 3; DRSPRO = "error"; }; target = "syslog"; timestamps = true; syslog_facility = "local3"; };\n' >>"$T/good.cfg"
check "a full valid log group passes --check" eval '"$BIN/remsimd" -c "$T/good.cfg" --check >"$T/good.out" 2>&1'

# --- syslog target ------------------------------------------------------------------
# In a private mount namespace /dev is replaced by our own directory holding
# the real null/zero/urandom nodes and, as "log", a datagram socket we read.
if ! unshare --mount true 2>/dev/null; then
	skip "syslog target: cannot create a mount namespace here (needs root / CAP_SYS_ADMIN)"
else
	mkdir -p "$T/dev"
	cat >"$T/syslog_sink.py" <<'PY'
import os, re, signal, socket, sys, time
path, out = sys.argv[1:3]
signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
os.chmod(path, 0o666)
print("ready", flush=True)
f = open(out, "w")
end = time.time() + 120
while time.time() < end:
    d = s.recv(65536).decode(errors="replace")
    pri = int(d[1:d.index(">")])
    rest = re.sub(r"^\w{3} [ \d]\d \d\d:\d\d:\d\d ", "", d[d.index(">") + 1:])
    f.write("fac=%d sev=%d %s\n" % (pri >> 3, pri & 7, rest))
    f.flush()
PY
	spawn syslog_sink python3 "$T/syslog_sink.py" "$T/dev/log" "$T/syslog.txt"
	wait_log "$T/syslog_sink.log" ready 5
	cat >"$T/nsrole.sh" <<EOF
set -e
for n in null zero urandom random; do touch "$T/dev/\$n"; mount --bind /dev/\$n "$T/dev/\$n"; done
mount --rbind "$T/dev" /dev
exec "$BIN/remsimd" -c "$T/good.cfg"
EOF
	ROLE_ENV=(REMSIM_LOG_MASK=)
	spawn nsrole env "${ROLE_ENV[@]}" unshare --mount --propagation private sh "$T/nsrole.sh"
	REMSIMD_PID=$SPAWNED_PID
	check "syslog: the reader's start reaches the socket (facility local3 = 19, info = 6)" \
		wait_for 15 grep -qE '^fac=19 sev=6 reader/0\[[0-9]+\]: .*-> READER' "$T/syslog.txt"
	check "a new role starts without the earlier role's run-time levels" test ! -e "$RUN/log-levels"
	traffic sys_traffic
	check "syslog: DTPDU line at info with its category and slot context" \
		grep -qE "^fac=19 sev=6 reader/0\[[0-9]+\]: DTPDU \[B1:0 C23:0\] cmd $SEL\$" "$T/syslog.txt"
	check "syslog: debug lines with priority 7 (level = debug)" grep -qE '^fac=19 sev=7 (broker|reader/0)\[' "$T/syslog.txt"
	check "syslog: DRSPRO at error: no Rx/Tx lines" eval '! grep -q "DRSPRO" "$T/syslog.txt"'
	wait_for 10 remsimd_answers
	ctl log DBANKDW info >"$T/sys_ctl.out" 2>&1
	check "syslog: the run-time notice with priority 5 from remsimd" \
		wait_for 5 grep -qE '^fac=19 sev=5 remsimd\[[0-9]+\]: \[-\] log level of DBANKDW set to INFO at run time' "$T/syslog.txt"
	{ hello 23:0 "$ATR_T0"; echo "send tpduModemToCard client=23:0 bank=1:0 data=a0a40000"; echo "expect-close 3000"; } >"$T/short.script"
	peer_ok "syslog: a 4-octet TPDU refused" 0 short
	check "syslog: its error line with priority 3" grep -qE '^fac=19 sev=3 reader/0\[[0-9]+\]: \[B1:0 C23:0\] illegal TPDU length 4 ' "$T/syslog.txt"
	check "syslog: nothing of it on stderr" eval '! grep -q "illegal TPDU length" "$T/nsrole.log"'
	stop_role
fi

sanitizer_check
finish
