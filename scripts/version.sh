#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# version.sh: prints remsim's version.  In a git checkout: `git describe
# --tags --always --dirty` (a tag like v1.2.0 loses its "v"; without any tag
# the VERSION file's number is put in front: 0.1.0-g1234abc).  Without .git
# (a release tarball, the Debian build's copy): the VERSION file.
cd "$(dirname "$0")/.." || exit 1
base=$(cat VERSION 2>/dev/null || echo 0.0.0)
if [ -e .git ] && d=$(git describe --tags --always --dirty 2>/dev/null); then
	case $d in
	v[0-9]*) echo "${d#v}" ;;
	[0-9]*.*) echo "$d" ;;
	*) echo "$base-g$d" ;;
	esac
else
	echo "$base"
fi
