#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# packaging.sh: the Debian packages build (scripts/build-deb.sh runs
# `dpkg-buildpackage -us -uc -b` in a copy of the tree under $T, never in
# the repository) and hold what docs/install.md says: per package its
# programs, actors in /usr/libexec/remsim, unit, /etc files, man pages;
# the postinst creates the remsim user; the programs of the unpacked
# packages run (--version, actors found in libexec).  Takes a few minutes
# (a full build): REMSIM_SKIP_PACKAGING=1 skips it.
. "$(dirname "$0")/../lib/common.sh"

if [ "${REMSIM_SKIP_PACKAGING:-0}" = 1 ]; then
	skip "packaging (REMSIM_SKIP_PACKAGING=1)"
	finish
fi
for t in dpkg-buildpackage dh dpkg-deb; do
	command -v "$t" >/dev/null || { skip "packaging ($t not installed: scripts/install-deps.sh)"; finish; }
done

before=$(cd "$TOP" && git status --porcelain 2>/dev/null | md5sum)
TMPDIR=$T "$TOP/scripts/build-deb.sh" "$T/out" >"$T/build-deb.log" 2>&1; rc=$?
check "scripts/build-deb.sh (dpkg-buildpackage -us -uc -b): exit 0" [ "$rc" = 0 ]
[ "$rc" = 0 ] || { tail -n 30 "$T/build-deb.log"; finish; }
check "... the repository is left as it was (built in a copy)" \
	bash -c "[ \"\$(cd '$TOP' && git status --porcelain 2>/dev/null | md5sum)\" = '$before' ] && [ ! -e '$TOP/debian/build' ]"

V=$(cat "$TOP/VERSION")
ARCH=$(dpkg --print-architecture)
# has PKG PATH...: every PATH is in the package's file list
has() {
	local pkg=$1 deb=$T/out/${1}_${V}_$ARCH.deb; shift
	[ -f "$deb" ] || { echo "no $deb"; return 1; }
	dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' >"$T/$pkg.list"
	local p
	for p in "$@"; do grep -qxF "$p" "$T/$pkg.list" || { echo "$pkg lacks $p"; return 1; }; done
}
check "remsim-common: remsimd, remsim-ctl, rspro-dump, broker, sysusers.d, man pages" \
	has remsim-common /usr/bin/remsimd /usr/bin/remsim-ctl /usr/bin/rspro-dump \
	/usr/libexec/remsim/broker /usr/lib/sysusers.d/remsim.conf \
	/usr/share/man/man8/remsimd.8.gz /usr/share/man/man1/remsim-ctl.1.gz
check "remsim-server: launcher, mapstore, rest, unit, /etc/default, /etc/remsim/server.cfg" \
	has remsim-server /usr/bin/remsim-server /usr/libexec/remsim/mapstore /usr/libexec/remsim/rest \
	/lib/systemd/system/remsim-server.service /etc/default/remsim-server /etc/remsim/server.cfg \
	/usr/share/man/man1/remsim-server.1.gz
check "remsim-bankd: launcher, bankmap, reader, unit, /etc/default, /etc/remsim/bankd.cfg" \
	has remsim-bankd /usr/bin/remsim-bankd /usr/libexec/remsim/bankmap /usr/libexec/remsim/reader \
	/lib/systemd/system/remsim-bankd.service /etc/default/remsim-bankd /etc/remsim/bankd.cfg \
	/usr/share/man/man1/remsim-bankd.1.gz
check "remsim-client: launchers, usbslot, unit template, udev rule, pcscd driver" \
	has remsim-client /usr/bin/remsim-client /usr/bin/remsim-client-shell /usr/libexec/remsim/usbslot \
	'/lib/systemd/system/remsim-client@.service' /lib/udev/rules.d/60-remsim.rules \
	/usr/lib/pcsc/drivers/serial/libifd_remsim.so /etc/default/remsim-client \
	/usr/share/man/man1/remsim-client.1.gz /usr/share/man/man1/remsim-client-shell.1.gz
check "no actor program in /usr/bin of any package" bash -c \
	"! cat '$T'/remsim-*.list | grep -E '^/usr/bin/(broker|mapstore|rest|reader|bankmap|usbslot)$'"
check "every actor program of the build is in a package's /usr/libexec/remsim" bash -c \
	"for f in \$(cd '$TOP' && ls -d actors/*/ tools/*/); do n=\$(basename \$f); \
	 case \$n in remsim-*|remsimd|rspro-dump) continue ;; esac; \
	 cat '$T'/remsim-*.list | grep -qx /usr/libexec/remsim/\$n || { echo \"no package has \$n\"; exit 1; }; done"
check "no file in two packages" bash -c "[ -z \"\$(cat '$T'/remsim-*.list | grep -v '/$' | sort | uniq -d)\" ]"
check "remsim-common's postinst creates the remsim user" \
	bash -c "dpkg-deb -I '$T/out/remsim-common_${V}_$ARCH.deb' postinst | grep -q 'systemd-sysusers remsim.conf'"
check "remsim-server depends on remsim-common of the same version" \
	bash -c "dpkg-deb -f '$T/out/remsim-server_${V}_$ARCH.deb' Depends | grep -qF 'remsim-common (= $V)'"

# the unpacked packages run: versions, and remsimd finds the actors in libexec
X=$T/x
for p in remsim-common remsim-server remsim-bankd remsim-client; do dpkg-deb -x "$T/out/${p}_${V}_$ARCH.deb" "$X"; done
check "unpacked remsim-server --version: 'remsim-server $V'" \
	bash -c "[ \"\$('$X/usr/bin/remsim-server' --version)\" = 'remsim-server $V' ]"
sed -e "s|\"/run/remsim\"|\"$T/run\"|" "$X/etc/remsim/server.cfg" >"$T/server.cfg"
"$X/usr/bin/remsimd" -c "$T/server.cfg" --check >"$T/check.txt" 2>&1
check "unpacked remsimd --check on /etc/remsim/server.cfg: actors from /usr/libexec/remsim" bash -c \
	"grep -q '^actor broker $X/usr/bin/../libexec/remsim/broker' '$T/check.txt' && ! grep -q 'not executable' '$T/check.txt'"
finish
