# SPDX-License-Identifier: GPL-2.0-or-later
# tests/lib/osmo.sh: the real osmo-remsim 1.0.0 programs (bankd, client-shell)
# for interop tests and side-by-side benchmarks.  They are found through
# OSMO_REMSIM_PREFIX (an install prefix: bin/osmo-remsim-bankd,
# bin/osmo-remsim-client-shell, lib/); without it callers print SKIP.
# Source after tests/lib/common.sh.
#   osmo_available                 0 if the programs are there, else 1 and OSMO_WHY says why
#   osmo_bankd NAME BANK SRV_PORT BIND_PORT READER [ARGS...]
#                                  osmo-remsim-bankd with one slot on READER (pcscd
#                                  reader name), in $T/NAME (its csv's folder), log
#                                  $T/NAME.log; its pid in OSMO_BANKD_PID.  1.0.0 takes
#                                  the server port only as --server-port (not -p) and
#                                  always opens readers SHARED
#   OSMO_CLIENT_SHELL              command prefix of osmo-remsim-client-shell (array)

osmo_available() {
	local p=${OSMO_REMSIM_PREFIX:-} b
	if [ -z "$p" ]; then
		OSMO_WHY="OSMO_REMSIM_PREFIX is not set (an osmo-remsim 1.0.0 install prefix)"
		return 1
	fi
	for b in osmo-remsim-bankd osmo-remsim-client-shell; do
		if [ ! -x "$p/bin/$b" ]; then
			OSMO_WHY="no $p/bin/$b (OSMO_REMSIM_PREFIX=$p)"
			return 1
		fi
	done
	OSMO_CLIENT_SHELL=(env "LD_LIBRARY_PATH=$p/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$p/bin/osmo-remsim-client-shell")
	return 0
}

osmo_bankd() {
	local name=$1 bank=$2 srv=$3 port=$4 reader=$5; shift 5
	mkdir -p "$T/$name"
	printf '"%d","0","%s"\n' "$bank" "$reader" >"$T/$name/bankd_pcsc_slots.csv"
	spawn "$name" env "LD_LIBRARY_PATH=$OSMO_REMSIM_PREFIX/lib" /bin/sh -c 'cd "$1" && shift && exec "$@"' sh \
		"$T/$name" "$OSMO_REMSIM_PREFIX/bin/osmo-remsim-bankd" -i 127.0.0.1 --server-port "$srv" -b "$bank" -n 1 \
		-I 127.0.0.1 -P "$port" "$@"
	OSMO_BANKD_PID=$SPAWNED_PID
}
