#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# launcher_options.sh: the launchers' one option parser (common/launch/):
# for remsim-server, remsim-bankd, remsim-client and remsim-client-shell an
# unknown option (with a did-you-mean), a missing argument, an out-of-range
# port and a bad log mask category each exit 2 with the exact message and
# the usage hint; --help lists every long option the parser accepts (each
# one listed is taken, every option of today is listed); -d DMAIN:DST2 and
# -d DMAIN,1:DRSPRO,3 are accepted and reach the role's processes unchanged
# as REMSIM_LOG_MASK (/proc/PID/environ of real actors); remsimd refuses a
# bad mask the same way.
. "$(dirname "$0")/../lib/common.sh"

# expect_usage NAME WANT CMD...: exit 2, WANT (a fixed string) as the first
# stderr line, then the synopsis and the --help hint
expect_usage() {
	local name=$1 want=$2; shift 2
	"$@" >"$T/u.out" 2>"$T/u.err"; local rc=$?
	local first; first=$(head -1 "$T/u.err")
	if [ "$rc" = 2 ] && [ "$first" = "$want" ] && sed -n 2p "$T/u.err" | grep -q '^usage: ' &&
	   sed -n 3p "$T/u.err" | grep -q -- "--help' for the list of options" && [ ! -s "$T/u.out" ]; then
		pass "$name"
	else
		fail "$name (rc=$rc, stderr: $(tr '\n' '|' <"$T/u.err"))"
	fi
}

CATS="known: DMAIN, DST2, DRSPRO, DREST, DSLOTMAP, DBANKDW, DGSMTAP, DBROKER, DSUP, DTPDU"
for P in remsim-server remsim-bankd remsim-client remsim-client-shell; do
	X=$BIN/$P
	case $P in
	remsim-server) PORT=-p; PORTL=--port ;;
	*) PORT=-p; PORTL=--server-port ;;
	esac
	expect_usage "$P: unknown long option, with a did-you-mean" \
		"$P: unknown option '--helpp' (did you mean '--help'?)" "$X" --helpp
	expect_usage "$P: unknown short option" "$P: unknown option '-y'" "$X" -y
	expect_usage "$P: missing argument" "$P: option $PORT/$PORTL needs a value (PORT)" "$X" "$PORT"
	expect_usage "$P: port out of range" \
		"$P: bad value '99999' for $PORT/$PORTL: a port number 1..65535" "$X" "$PORT" 99999
	expect_usage "$P: port 0 with --name=VALUE" \
		"$P: bad value '0' for $PORT/$PORTL: a port number 1..65535" "$X" "$PORTL=0"
	expect_usage "$P: bad category in the -d mask" \
		"$P: bad value 'DMAIN:DRSPR0,3' for -d/--debug: unknown log category 'DRSPR0' in log mask (did you mean 'DRSPRO'?; $CATS)" \
		"$X" -d DMAIN:DRSPR0,3
	expect_usage "$P: bad level in the -d mask" \
		"$P: bad value 'DMAIN,9' for -d/--debug: bad level '9' for DMAIN in log mask (osmocom numbers 0..8: 1 debug, 3 info, 5 notice, 7 error, 8 fatal; or a level name)" \
		"$X" -d DMAIN,9
	expect_usage "$P: a positional argument" "$P: unexpected argument 'extra' ($P takes options only)" "$X" extra

	# --help: every long option it lists is one the parser takes (two
	# positional arguments after it: whether it takes a value or not, the
	# parse ends in "unexpected argument" and nothing is started) ...
	"$X" --help >"$T/$P.help" 2>&1; rc=$?
	bad=""
	for o in $(grep -oE -- '--[a-z][a-z0-9-]+' "$T/$P.help" | sort -u); do
		[ "$o" = --help ] || [ "$o" = --version ] && continue
		"$X" "$o" extra1 extra2 >"$T/o.out" 2>&1 </dev/null
		grep -qE "unexpected argument 'extra|bad value 'extra1'" "$T/o.out" || bad="$bad $o"
	done
	check "$P: --help exits 0 and each of its long options is accepted (${bad:-all})" \
		eval '[ "$rc" = 0 ] && [ -z "$bad" ]'
done

# ... and every option the launchers accepted before the common parser is listed
want_listed() {
	local P=$1; shift
	local miss=""
	for o in "$@"; do grep -qE -- "(^|[ ,])$o([ ,=]|\$)" "$T/$P.help" || miss="$miss $o"; done
	check "$P: --help lists its options (missing:${miss:- none})" [ -z "$miss" ]
}
want_listed remsim-server -c --config -h --help -V --version -d --debug -L --disable-color -r --run-dir \
	--state-dir --database -b --bind -p --port --rest-listen --print-config --check -u --user
want_listed remsim-bankd -h --help -V --version -d --debug -i --server-host -p --server-port -b --bank-id \
	-n --num-slots -N --component-name -I --bind-ip -P --bind-port -s --permit-shared-pcsc -g --gsmtap-ip \
	-G --gsmtap-slot -L --disable-color -T --timestamp -e --log-level -c --config -r --run-dir --csv \
	--dry-run -u --user
want_listed remsim-client -h --help -v --version -d --debug -i --server-ip -p --server-port -c --client-id \
	-n --client-slot -a --atr -r --atr-ignore-rspro -e --event-script -L --disable-color \
	-Z --set-sim-presence -V --usb-vendor -P --usb-product -C --usb-config -I --usb-interface \
	-S --usb-altsetting -A --usb-address -H --usb-path --usb-serial --sim --ifd --config --run-dir \
	--print-config --usb-bulk-in -u --user
want_listed remsim-client-shell -h --help -v --version -d --debug -i --server-ip -p --server-port -c \
	--client-id -n --client-slot -a --atr -r --atr-ignore-rspro -e --event-script --config --run-dir \
	--print-config -V/--usb-vendor --usb-serial --sim --ifd --usb-bulk-in

# other kinds: ranges, hex, ADDR:PORT, osmo level numbers, bundled flags
expect_usage "remsim-bankd: -b out of range" \
	"remsim-bankd: bad value '1024' for -b/--bank-id: a whole number 0..1023" "$BIN/remsim-bankd" -i h -b 1024
expect_usage "remsim-bankd: -e beyond 8" \
	"remsim-bankd: bad value '9' for -e/--log-level: an osmocom log level 0..8 (1 debug, 3 info, 5 notice, 7 error, 8 fatal)" \
	"$BIN/remsim-bankd" -i h -e 9
expect_usage "remsim-server: --rest-listen without a port" \
	"remsim-server: bad value 'foo' for --rest-listen: ADDRESS:PORT with a port 1..65535 ([ADDRESS] for IPv6)" \
	"$BIN/remsim-server" --rest-listen foo
expect_usage "remsim-client: -c 5000 (a client id beyond 1023; it once started and gave the slot up)" \
	"remsim-client: bad value '5000' for -c/--client-id: a whole number 0..1023" "$BIN/remsim-client" -c 5000
expect_usage "remsim-client: -V not hex" \
	"remsim-client: bad value 'xyz' for -V/--usb-vendor: a hexadecimal number 0..ffff" "$BIN/remsim-client" -V xyz
expect_usage "remsim-client: -a too short" \
	"remsim-client: bad value '3b' for -a/--atr: an ATR of 2..55 octets in hex (e.g. '3b 00')" "$BIN/remsim-client" -a 3b
expect_usage "remsim-bankd: a flag given a value" \
	"remsim-bankd: option -s/--permit-shared-pcsc takes no value" "$BIN/remsim-bankd" --permit-shared-pcsc=1
"$BIN/remsim-client-shell" -V 1d50 -c 5 --print-config >"$T/sh.cfg" 2>"$T/sh.err"; rc=$?
check "remsim-client-shell: a SIMtrace2 option is ignored with a warning (rc=$rc)" \
	eval '[ "$rc" = 0 ] && grep -qx "remsim-client-shell: ignoring SIMtrace2/remsimd option -V/--usb-vendor" "$T/sh.err"'
"$BIN/remsimd" -c /nonexistent.cfg -d DMAIN:DFOO >/dev/null 2>"$T/rd.err"; rc=$?
check "remsimd: a bad mask category exits 2 (rc=$rc)" \
	eval '[ "$rc" = 2 ] && grep -qF "remsimd: bad value '"'DMAIN:DFOO'"' for -d/--debug: unknown log category '"'DFOO'"'" "$T/rd.err"'

# --- -d reaches the role's processes as REMSIM_LOG_MASK --------------------------------
# env_of PID VAR: the value of VAR in the environment of PID
env_of() { tr '\0' '\n' <"/proc/$1/environ" 2>/dev/null | sed -n "s/^$2=//p"; }
# actor_pid RUN NAME: the pid remsim-ctl status reports for actor NAME
actor_pid() {
	"$BIN/remsim-ctl" -e "ipc://$1/control" --json status 2>/dev/null |
		jq -r --arg n "$2" '.[] | select(.name == $n and .state == "running") | .pid'
}
# mask_reaches NAME RUN ACTOR MASK: ACTOR of the role in RUN runs with REMSIM_LOG_MASK=MASK
mask_reaches() {
	local pid="" i
	for i in $(seq 1 150); do
		pid=$(actor_pid "$2" "$3")
		[ -n "$pid" ] && break
		sleep 0.1
	done
	local got; got=$([ -n "$pid" ] && env_of "$pid" REMSIM_LOG_MASK)
	check "$1: $3 (pid ${pid:-none}) has REMSIM_LOG_MASK=$4 (got '${got}')" [ -n "$pid" ] && [ "$got" = "$4" ]
}

P_RS=$(free_port); P_REST=$(free_port)
spawn srv "$BIN/remsim-server" -r "$T/srun" --state-dir "$T/sstate" -b 127.0.0.1 -p "$P_RS" \
	--rest-listen "127.0.0.1:$P_REST" -d DMAIN:DST2
SRV=$SPAWNED_PID
mask_reaches "remsim-server -d DMAIN:DST2" "$T/srun" mapstore DMAIN:DST2
mask_reaches "remsim-server -d DMAIN:DST2" "$T/srun" rest DMAIN:DST2
# as in libosmocore, a mask names the categories that are on: remsimd (DSUP),
# the broker (DBROKER) and mapstore (DSLOTMAP) are down to errors
check "remsim-server -d DMAIN:DST2: the categories it does not name log no INFO line" \
	bash -c "! grep -q ' INFO ' '$T/srv.log'"

mkdir -p "$T/bwd"
printf '"1","0","no such reader"\n' >"$T/bwd/bankd_pcsc_slots.csv"
P_BK=$(free_port)
(cd "$T/bwd" && exec "$BIN/remsim-bankd" -i 127.0.0.1 -p "$P_RS" -n 1 -I 127.0.0.1 -P "$P_BK" -r "$T/brun" \
	-d DMAIN,1:DRSPRO,3 -T) >"$T/bankd.log" 2>&1 &
BK=$!; SPAWNED_PIDS+=("$BK")
mask_reaches "remsim-bankd -d DMAIN,1:DRSPRO,3" "$T/brun" bankmap DMAIN,1:DRSPRO,3
mask_reaches "remsim-bankd -d DMAIN,1:DRSPRO,3" "$T/brun" reader/0 DMAIN,1:DRSPRO,3
check "remsim-bankd: remsimd got -d unchanged" bash -c "tr '\0' ' ' </proc/$BK/cmdline | grep -qF -- '-d DMAIN,1:DRSPRO,3'"
check "remsim-bankd -T: bankmap has REMSIM_LOG_TIMESTAMPS=1" [ "$(env_of "$(actor_pid "$T/brun" bankmap)" REMSIM_LOG_TIMESTAMPS)" = 1 ]

spawn cl "$BIN/remsim-client" -i 127.0.0.1 -p "$P_RS" -c 4 -n 0 --ifd --run-dir "$T/crun" \
	-d DMAIN:DST2
mask_reaches "remsim-client -d DMAIN:DST2" "$T/crun" broker DMAIN:DST2

mkfifo "$T/shin"
exec 9<>"$T/shin"	# (read-write: the open does not wait for a reader); its stdin stays open
"$BIN/remsim-client-shell" -i 127.0.0.1 -p "$P_RS" -c 5 -n 0 --run-dir "$T/shrun" -d DMAIN,1:DRSPRO,3 \
	<&9 >"$T/sh.log" 2>&1 &
SH=$!; SPAWNED_PIDS+=("$SH")
wait_for 10 bash -c "tr '\0' ' ' </proc/$SH/cmdline | grep -q '^usbslot'"
check "remsim-client-shell -d DMAIN,1:DRSPRO,3: its usbslot has REMSIM_LOG_MASK" \
	[ "$(env_of "$SH" REMSIM_LOG_MASK)" = "DMAIN,1:DRSPRO,3" ]
exec 9>&-

# both of osmo's example masks are accepted by every launcher (config printed, exit 0)
for M in DMAIN:DST2 DMAIN,1:DRSPRO,3; do
	"$BIN/remsim-server" -d "$M" --print-config >/dev/null 2>"$T/m.err"; r1=$?
	(cd "$T/bwd" && "$BIN/remsim-bankd" -i h -d "$M" --dry-run) >/dev/null 2>>"$T/m.err"; r2=$?
	"$BIN/remsim-client" -d "$M" --print-config >/dev/null 2>>"$T/m.err"; r3=$?
	"$BIN/remsim-client-shell" -d "$M" --print-config >/dev/null 2>>"$T/m.err"; r4=$?
	check "-d $M accepted by all four launchers (rc $r1 $r2 $r3 $r4)" eval '[ "$r1$r2$r3$r4" = 0000 ] && [ ! -s "$T/m.err" ]'
done

# -e N alone: every category at that level; with -d: each category at least N
(cd "$T/bwd" && "$BIN/remsim-bankd" -i h -e 3 -d DMAIN:DST2 --dry-run) >/dev/null 2>"$T/ed.err"; rc=$?
check "remsim-bankd: -e and -d together are accepted (rc=$rc)" [ "$rc" = 0 ]

sanitizer_check
finish
