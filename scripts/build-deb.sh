#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# build-deb.sh: builds the Debian packages (remsim-common, remsim-server,
# remsim-bankd, remsim-client) from a copy of this tree, never inside it.
#   scripts/build-deb.sh [OUTDIR]      (default: ./deb-out)
# The copy holds the files git knows (committed or not, ignored ones left
# out; without git: everything but build folders) and no .git, so the
# version is the VERSION file's.  Needs dpkg-dev, debhelper and the build
# dependencies (scripts/install-deps.sh).  The .deb files land in OUTDIR.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
OUT=$(mkdir -p "${1:-deb-out}" && cd "${1:-deb-out}" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/remsim-deb.XXXXXX")
[ "${REMSIM_DEB_KEEP:-0}" = 1 ] || trap 'rm -rf "$WORK"' EXIT
SRC=$WORK/remsim-$(cat "$TOP/VERSION")
mkdir -p "$SRC"
if git -C "$TOP" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$TOP" && git ls-files -z -co --exclude-standard | while IFS= read -r -d '' f; do
		[ -e "$f" ] && printf '%s\0' "$f"; done | tar --null -T - -cf -) | tar -C "$SRC" -xf -
else
	tar -C "$TOP" --exclude='./build*' --exclude='./deb-out' -cf - . | tar -C "$SRC" -xf -
fi
echo "build-deb: building in $SRC"
(cd "$SRC" && dpkg-buildpackage -us -uc -b -j"${REMSIM_DEB_JOBS:-2}") >"$WORK/build.log" 2>&1 || {
	grep -E "^dh_missing: warning" "$WORK/build.log" >&2
	tail -n 40 "$WORK/build.log" >&2
	echo "build-deb: dpkg-buildpackage failed" >&2
	exit 1
}
cp "$WORK"/*.deb "$OUT"/
cp "$WORK/build.log" "$OUT/build.log"
ls "$OUT"/*.deb
