#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# install-deps.sh: installs every Debian package remsim needs to build, test,
# fuzz and run its demo.  Idempotent and non-interactive; run as root (or it
# uses sudo when present).  Does nothing when everything is installed already.
set -euo pipefail

PACKAGES=(
	# build
	build-essential pkg-config asn1c
	libczmq-dev libzmq3-dev libsodium-dev libusb-1.0-0-dev libpcsclite-dev
	libconfig-dev libsqlite3-dev libmicrohttpd-dev libjansson-dev libsystemd-dev
	# sanitizer runtime for clang (fuzzing) and the fuzzer itself
	clang libclang-rt-dev
	# tests and demo: real pcscd with the vpcd driver, sqlite3 CLI, HTTP
	pcscd pcsc-tools vsmartcard-vpcd sqlite3 curl python3 python3-requests procps iproute2 tshark
	# profiling the APDU path (tests/bench/profile_chain.sh)
	linux-perf strace
	# USB emulation for the libusb path of the client
	umockdev libumockdev-dev gir1.2-umockdev-1.0
	# the dashboard's browser test: headless chromium driven by selenium
	chromium chromium-driver python3-selenium
	# packaging test (tests/integration/packaging.sh) and the units' check
	dpkg-dev debhelper fakeroot systemd
)

missing=()
for p in "${PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" = 0 ]; then
	echo "install-deps: all ${#PACKAGES[@]} packages already installed"
	exit 0
fi

SUDO=
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null || { echo "install-deps: run as root (missing: ${missing[*]})" >&2; exit 1; }
	SUDO=sudo
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# pcscd's packaging may start the system daemon; our tests never use it (they
# run private instances with their own sockets), so leave it as it is.
echo "install-deps: done"
