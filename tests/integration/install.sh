#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# install.sh: `make install DESTDIR=$T/root PREFIX=/usr` (docs/install.md):
# the layout (user programs in bin/, actors only in libexec/remsim/, pcscd
# driver, units, sysusers.d, udev rule, man pages, examples), --version of
# every installed program, `systemd-analyze verify` on the installed units
# (SKIP without systemd-analyze), and an installed remsim-server that starts
# its actors from libexec (private ports and run dir) and tells a stand-in
# notification socket READY=1, then STOPPING=1 on SIGTERM.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/notify.sh"
. "$(dirname "$0")/../lib/peer.sh"
R=$T/root
case "$BUILD" in /*) ABS_BUILD=$BUILD ;; *) ABS_BUILD=$TOP/$BUILD ;; esac

# an absolute BUILD= (it once broke the asn1c step) and DESTDIR/PREFIX.  make
# install relinks when the version changed: the sanitizer build needs its flags.
SANVARS=()
grep -q __asan_init "$ABS_BUILD/bin/remsimd" 2>/dev/null && SANVARS=(SAN=1 OPT=-O1)
make -s -C "$TOP" install BUILD="$ABS_BUILD" "${SANVARS[@]}" DESTDIR="$R" PREFIX=/usr >"$T/make.log" 2>&1; rc=$?
check "make install DESTDIR=... PREFIX=/usr BUILD=/absolute: exit 0" [ "$rc" = 0 ]
[ "$rc" = 0 ] || { cat "$T/make.log"; finish; }

USER_PROGS="remsim-server remsim-bankd remsim-client remsim-client-shell remsimd remsim-ctl rspro-dump"
ACTORS="broker mapstore rest reader bankmap usbslot"
missing=
for p in $USER_PROGS; do [ -x "$R/usr/bin/$p" ] || missing="$missing bin/$p"; done
for p in $ACTORS; do [ -x "$R/usr/libexec/remsim/$p" ] || missing="$missing libexec/$p"; done
check "launchers, remsimd, remsim-ctl, rspro-dump in bin/; actors in libexec/remsim/${missing:+ (missing:$missing)}" [ -z "$missing" ]
check "... and nothing else in bin/" [ "$(ls "$R/usr/bin" | wc -l)" = 7 ]
check "... every actor program of the build is in libexec/remsim/" bash -c \
	"for p in \$(ls '$ABS_BUILD/bin'); do case ' $USER_PROGS ' in *\" \$p \"*) ;; *) [ -x '$R/usr/libexec/remsim/'\$p ] || exit 1 ;; esac; done"
IFDDIR=$(pkg-config --variable=usbdropdir libpcsclite)/serial
check "pcscd driver in $IFDDIR" test -f "$R$IFDDIR/libifd_remsim.so"
check "... the path docs/ifd.md and etc/reader.conf.d/remsim name" \
	bash -c "grep -q 'LIBPATH *$IFDDIR/libifd_remsim.so' '$TOP/etc/reader.conf.d/remsim' && grep -q '$IFDDIR/libifd_remsim.so' '$TOP/docs/ifd.md'"
U=$R/usr/lib/systemd/system
check "units remsim-server, remsim-bankd, remsim-client@" \
	test -f "$U/remsim-server.service" -a -f "$U/remsim-bankd.service" -a -f "$U/remsim-client@.service"
check "... ExecStart points at PREFIX/bin" grep -q '^ExecStart=/usr/bin/remsim-server ' "$U/remsim-server.service"
check "... Type=notify, User=remsim in each" bash -c \
	"for u in '$U'/*.service; do grep -q '^Type=notify' \$u && grep -q '^User=remsim' \$u || exit 1; done"
check "sysusers.d/remsim.conf creates user remsim" grep -q '^u remsim ' "$R/usr/lib/sysusers.d/remsim.conf"
check "udev rule gives 1d50:60e3/4004/4001 to group remsim" \
	grep -qE 'idVendor\}=="1d50".*60e3\|4004\|4001.*GROUP="remsim"' "$R/usr/lib/udev/rules.d/60-remsim.rules"
missing=
for m in man1/remsim-server.1 man1/remsim-bankd.1 man1/remsim-client.1 man1/remsim-client-shell.1 \
	 man1/remsim-ctl.1 man8/remsimd.8; do
	[ -f "$R/usr/share/man/$m" ] || missing="$missing $m"
done
check "man pages${missing:+ (missing:$missing)}" [ -z "$missing" ]
if command -v man >/dev/null; then
	check "... they render without warnings" bash -c \
		"for f in '$R'/usr/share/man/man*/*; do w=\$(LC_ALL=C.UTF-8 man --warnings -l \$f 2>&1 >/dev/null); [ -z \"\$w\" ] || { echo \"\$f: \$w\"; exit 1; }; done"
fi
check "example configs and /etc/default files in share/doc/remsim/examples" \
	test -f "$R/usr/share/doc/remsim/examples/server.cfg" -a -f "$R/usr/share/doc/remsim/examples/default/remsim-bankd"
check "LICENSE installed" test -f "$R/usr/share/doc/remsim/LICENSE"
if [ -d "$TOP/actors/rest/www" ]; then
	check "the REST dashboard's files in share/remsim/www" \
		bash -c "for f in '$TOP'/actors/rest/www/*; do cmp -s \$f '$R/usr/share/remsim/www/'\$(basename \$f) || exit 1; done"
fi

# --- versions ---------------------------------------------------------------------------
V=$("$BIN/remsim-server" --version | awk '{print $2}')
check "installed remsim-server --version: 'remsim-server $V'" \
	bash -c "[ \"\$('$R/usr/bin/remsim-server' --version)\" = 'remsim-server $V' ]"
bad=
for p in $USER_PROGS; do [ "$("$R/usr/bin/$p" --version 2>&1)" = "$p $V" ] || bad="$bad $p"; done
for f in "$R"/usr/libexec/remsim/*; do p=$(basename "$f"); [ "$("$f" --version 2>&1)" = "$p $V" ] || bad="$bad $p"; done
check "every installed program prints 'NAME VERSION'${bad:+ (wrong:$bad)}" [ -z "$bad" ]
check "version is the one scripts/version.sh gives" [ "$V" = "$("$TOP/scripts/version.sh")" ]

# --- systemd-analyze verify ---------------------------------------------------------------
if command -v systemd-analyze >/dev/null; then
	mkdir -p "$T/units"
	for u in "$U"/*.service; do sed "s|/usr/bin/|$R/usr/bin/|" "$u" >"$T/units/$(basename "$u")"; done
	cp "$T/units/remsim-client@.service" "$T/units/remsim-client@modem0.service"
	(cd "$T/units" && MANPATH=$R/usr/share/man systemd-analyze verify \
		./remsim-server.service ./remsim-bankd.service ./remsim-client@modem0.service) >"$T/verify.log" 2>&1
	rc=$?
	check "systemd-analyze verify passes on the units (their man pages found)" [ "$rc" = 0 ]
	[ "$rc" = 0 ] || cat "$T/verify.log"
else
	skip "systemd-analyze verify (systemd-analyze not installed)"
fi

# --- the installed server role starts its actors from libexec -------------------------------
P_RSPRO=$(free_port); P_REST=$(free_port)
notify_listen
spawn rs "$R/usr/bin/remsim-server" -r "$T/run" --state-dir "$T/state" -b 127.0.0.1 -p "$P_RSPRO" \
	--rest-listen "127.0.0.1:$P_REST"
RS_PID=$SPAWNED_PID
check "installed remsim-server: REST up" wait_log "$T/rs.log" 'rest .*listening on' 15
CTL="$R/usr/bin/remsim-ctl -e ipc://$T/run/control"
check "READY=1 sent to NOTIFY_SOCKET" wait_log "$T/notify.txt" '^READY=1$' 10
wait_for 5 bash -c "[ \$($CTL status | grep -c running) -ge 3 ]"
$CTL status >"$T/status.txt" 2>&1
check "remsim-ctl status: broker, mapstore, rest running" bash -c \
	"grep -qE '^broker .*running' '$T/status.txt' && grep -qE '^mapstore .*running' '$T/status.txt' && grep -qE '^rest .*running' '$T/status.txt'"
SHORT=${V%-dirty}
peer_fifo_open b1 -c "127.0.0.1:$P_RSPRO"
peer_do b1 "send connectBankReq bankid=1 slots=2 name=bank1" "expect connectBankRes result=ok"
check "the server's RSPRO identity carries swVersion $SHORT (no -dirty, <= 32)" \
	bash -c "grep -qF 'connectBankRes' '$T/b1.log' && grep 'connectBankRes' '$T/b1.log' | grep -qE ' ${SHORT//./\\.}( |\$)' && [ \${#SHORT} -le 32 ]"
peer_close b1
bad=
for p in $(pgrep -P "$RS_PID"); do
	exe=$(readlink "/proc/$p/exe")
	case "$exe" in "$R/usr/libexec/remsim/"*) ;; *) bad="$bad $exe" ;; esac
done
check "... each actor process runs the libexec program${bad:+ (not:$bad)}" bash -c "[ -z '$bad' ] && [ \$(pgrep -P $RS_PID | wc -l) -ge 3 ]"
kill -TERM "$RS_PID"; wait "$RS_PID"; rc=$?
check "SIGTERM: exit 0" [ "$rc" = 0 ]
check "... STOPPING=1 sent before it" grep -q '^STOPPING=1$' "$T/notify.txt"
sanitizer_check
finish
