#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bankd_map_launcher.sh: remsim-bankd, the osmo-remsim-bankd compatible
# launcher: --help, -V, -i mandatory (exit 2), bankd_pcsc_slots.csv from the
# working directory (missing file, bad line -> FILE:LINE, exit 1; rows
# converted into reader.slots), -c bankd.cfg (errors with file:line, options
# override it), and a real start: the scripted server sees the ConnectBankReq
# built from -b -n -N, clients reach the listener of -I/-P, remsim-ctl works.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/bankd_map_common.bash"
L="$BIN/remsim-bankd"
W="$T/wd"; mkdir -p "$W"; cd "$W" || exit 1

"$L" --help >"$T/help.out" 2>&1; rc=$?
check "--help: exit 0, lists the osmo options" bash -c "[ $rc = 0 ] && grep -q -- '-i, --server-host' '$T/help.out' && grep -q -- '--permit-shared-pcsc' '$T/help.out'"
check "-V prints the version" bash -c "'$L' -V | grep -q '^remsim-bankd [0-9]'"
"$L" -n 2 >"$T/noi.out" 2>"$T/noi.err"; rc=$?
check "-i missing: exit 2, message and usage on stderr" \
	bash -c "[ $rc = 2 ] && grep -q 'mandatory' '$T/noi.err' && grep -q '^usage:' '$T/noi.err' && [ ! -s '$T/noi.out' ]"
"$L" -i 127.0.0.1 --dry-run >"$T/nocsv.out" 2>&1; rc=$?
check "no bankd_pcsc_slots.csv: exit 1 naming the file" bash -c "[ $rc = 1 ] && grep -q 'bankd_pcsc_slots.csv: cannot open' '$T/nocsv.out'"
printf '"1","0","Virtual PCD 00 00"\n\n"1","1"\n' >bankd_pcsc_slots.csv
"$L" -i 127.0.0.1 --dry-run >"$T/bad1.out" 2>&1; rc=$?
check "CSV row without a regex: exit 1, bankd_pcsc_slots.csv:3" \
	bash -c "[ $rc = 1 ] && grep -q 'bankd_pcsc_slots.csv:3: 2 column(s)' '$T/bad1.out'"
printf '"1","0","ok"\n"1","1","bad (regex"\n' >bankd_pcsc_slots.csv
"$L" -i 127.0.0.1 --dry-run >"$T/bad2.out" 2>&1; rc=$?
check "CSV invalid regex: exit 1, bankd_pcsc_slots.csv:2" \
	bash -c "[ $rc = 1 ] && grep -q 'bankd_pcsc_slots.csv:2: invalid regular expression \"bad (regex\"' '$T/bad2.out'"

printf '"1","0","Virtual PCD 00 00"\n"2","0","other bank"\n"1","1","sysmoOCTSIM \\[CCID\\] [0-9]{2} 01"\n' >bankd_pcsc_slots.csv
"$L" -i 127.0.0.1 -n 2 --dry-run >"$T/gen.cfg" 2>"$T/gen.err"; rc=$?
check "CSV converted: exit 0" test $rc = 0
cat >"$T/cfgcheck.py" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
rows = re.findall(r'slot = (\d+);\s*bank = (\d+);\s*reader = "((?:[^"\\]|\\.)*)";', t)
want = [("0", "1", "Virtual PCD 00 00"), ("0", "2", "other bank"), ("1", "1", r"sysmoOCTSIM \\[CCID\\] [0-9]{2} 01")]
sys.exit(0 if rows == want else print(rows) or 1)
PY
check "CSV rows become reader.slots in file order, with bank and regex verbatim" python3 "$T/cfgcheck.py" "$T/gen.cfg"
check "reader count follows -n" grep -qE 'count = 2;' "$T/gen.cfg"
check "listener defaults: 0.0.0.0:9999 to bankmap, side bankd" \
	bash -c "grep -q 'bind = \"0.0.0.0\"' '$T/gen.cfg' && grep -q 'port = 9999' '$T/gen.cfg' && grep -q 'actor = \"bankmap\"' '$T/gen.cfg'"

printf 'bankd = { server_host = "127.0.0.1" \n' >"$T/syntax.cfg"
"$L" -c "$T/syntax.cfg" --dry-run >"$T/syntax.out" 2>&1; rc2=$?
check "-c with a syntax error: exit 1, file:line" bash -c "[ $rc2 = 1 ] && grep -qE 'syntax.cfg:[0-9]+:' '$T/syntax.out'"
"$L" -c "$TOP/etc/bankd.cfg" -i 10.9.8.7 -n 4 -P 4444 -s --dry-run >"$T/etc.out" 2>&1; rc=$?
check "-c etc/bankd.cfg: options override it (-i -n -P -s), CSV not read" \
	bash -c "[ $rc = 0 ] && grep -q 'server_host = \"10.9.8.7\"' '$T/etc.out' && grep -q 'count = 4;' '$T/etc.out' && grep -q 'port = 4444;' '$T/etc.out' && grep -q 'sharing = \"shared\"' '$T/etc.out' && grep -q 'Virtual PCD 00 01' '$T/etc.out'"
check "etc/bankd.cfg passes remsimd --check" bash -c "'$BIN/remsimd' -c '$TOP/etc/bankd.cfg' --check >/dev/null"

# --- a real start -----------------------------------------------------------------------
spawn bankd "$L" -i 127.0.0.1 -p "$P_SRV" -b 5 -n 2 -N mybank -I 127.0.0.1 -P "$P_BK" -r "$RUN" -e 1 -T -L
LPID=$SPAWNED_PID
peer_open srv -l "127.0.0.1:$P_SRV"
check "launcher: ConnectBankReq carries -b 5, -n 2, -N mybank" \
	peer_do srv 'expect connectBankReq name="mybank" software="remsim-bankd" bankId=5 numberOfSlots=2' "send connectBankRes result=ok"
check "launcher: generated config in the run dir" test -f "$RUN/bankd.cfg"
check "launcher: createMapping for bank 5 slot 1 ok" \
	peer_do srv "send createMappingReq client=3:0 bank=5:1" "expect createMappingRes result=ok"
check "launcher: createMapping for bank 1: illegalBankId" \
	peer_do srv "send createMappingReq client=3:0 bank=1:1" "expect createMappingRes result=illegalBankId"
peer_open c -c "127.0.0.1:$P_BK"
check "launcher: unmapped client on -I/-P gets cardNotPresent" \
	peer_do c "send connectClientReq client=9:0" "expect connectClientRes result=cardNotPresent"
check "launcher: remsim-ctl maps" bash -c "'$BIN/remsim-ctl' -e '$CTL' maps | grep -q '5:1'"
check "launcher: -e 1 gives debug logging" wait_log "$T/bankd.log" 'DEBUG +bankmap' 3
check "launcher: the remsimd process is the launcher's (exec)" bash -c "tr '\0' ' ' </proc/$LPID/cmdline | grep -q 'remsimd -c $RUN/bankd.cfg'"
peer_close c
peer_close srv
kill -TERM "$LPID"
for _ in $(seq 1 100); do kill -0 "$LPID" 2>/dev/null || break; sleep 0.05; done
wait "$LPID"; rc=$?
check "launcher: SIGTERM stops the role, exit 0" test $rc = 0
cd "$TOP"
# an unknown option or an extra argument: usage, exit 2 (osmo-remsim-bankd ignores them)
"$BIN/remsim-bankd" -i 127.0.0.1 --bogus >/dev/null 2>"$T/bogus.err"; rc=$?
check "--bogus: exit 2 with usage (rc=$rc)" \
	eval '[ "$rc" = 2 ] && grep -q "unknown option .--bogus." "$T/bogus.err" && grep -q "^usage:" "$T/bogus.err"'
"$BIN/remsim-bankd" -i 127.0.0.1 extra >/dev/null 2>"$T/extra.err"; rc=$?
check "an extra argument: exit 2 (rc=$rc)" eval '[ "$rc" = 2 ] && grep -q "unexpected argument .extra." "$T/extra.err"'
sanitizer_check
finish
