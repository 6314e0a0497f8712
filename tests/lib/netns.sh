# SPDX-License-Identifier: GPL-2.0-or-later
# tests/lib/netns.sh: run the calling test in a private network namespace
# (its own loopback, nothing else on the machine can take or see its ports),
# for tests whose peers have fixed ports (osmo-remsim's 9997/9998/9999).
# Source it BEFORE tests/lib/common.sh and call
#     netns_private "$0" "$@"
# As root with a working `unshare --net` it re-executes the script there
# (and returns only inside); otherwise it returns at once and the test runs
# in the machine's namespace (it should then check its ports itself).
netns_private() {
	[ -n "${REMSIM_TEST_NETNS:-}" ] && return 0
	[ "$(id -u)" = 0 ] && command -v unshare >/dev/null && command -v ip >/dev/null || return 0
	unshare --net true 2>/dev/null || return 0
	exec env REMSIM_TEST_NETNS=1 unshare --net bash -c 'ip link set lo up && exec bash "$@"' netns "$@"
}
