# SPDX-License-Identifier: GPL-2.0-or-later
# tests/lib/sdboot.sh: a real systemd (Debian's /lib/systemd/systemd) as PID 1
# of private PID, mount, network and UTS namespaces, to run our installed
# units the way a host runs them.  Nothing of the host changes: /etc,
# /var/lib and /usr/local are overlays whose upper layers live in $T, /run is
# a private tmpfs, the network is a private loopback.  systemd reads only the
# units in $SD_UNITS (our installed ones, empty stand-ins for the targets
# their default dependencies name, and journald on its sockets, volatile),
# so no host service starts.
#     . tests/lib/sdboot.sh
#     sd_available || { skip "..."; finish; }
#     sd_boot ROOT          ROOT: a `make install DESTDIR=ROOT PREFIX=/usr/local`
#     sd_run CMD...         run CMD inside (systemctl, remsim-ctl, ...)
#     sd_shutdown           power it off (also done on exit)
# SD_PID is systemd's PID as the host sees it; $T/systemd.log its console.

sd_available() {
	[ "$(id -u)" = 0 ] && [ -x /lib/systemd/systemd ] && command -v unshare >/dev/null &&
		command -v nsenter >/dev/null && grep -qw overlay /proc/filesystems
}

# the targets and slices our units' default dependencies refer to, empty
_sd_standins() {
	local u
	for u in sysinit.target basic.target shutdown.target network-online.target \
		 multi-user.target remsim-test.target; do
		printf '[Unit]\nDescription=%s (test stand-in)\nDefaultDependencies=no\n' "$u" >"$SD_UNITS/$u"
	done
	printf '[Unit]\nDescription=system slice (test stand-in)\nDefaultDependencies=no\n' >"$SD_UNITS/system.slice"
	# the journal: Debian's systemd-journald on its two sockets (no /dev/log:
	# /dev is the host's), volatile storage in the private /run
	printf '[Unit]\nDescription=test journal\nWants=systemd-journald.socket systemd-journald.service\n' \
		>>"$SD_UNITS/remsim-test.target"
	cat >"$SD_UNITS/systemd-journald.socket" <<-U
	[Unit]
	Description=Journal Socket (test)
	DefaultDependencies=no
	[Socket]
	ListenDatagram=/run/systemd/journal/socket
	ListenStream=/run/systemd/journal/stdout
	PassCredentials=yes
	PassSecurity=yes
	SocketMode=0666
	Service=systemd-journald.service
	U
	cat >"$SD_UNITS/systemd-journald.service" <<-U
	[Unit]
	Description=Journal Service (test)
	DefaultDependencies=no
	Requires=systemd-journald.socket
	After=systemd-journald.socket
	[Service]
	Type=notify
	ExecStart=/lib/systemd/systemd-journald
	Sockets=systemd-journald.socket
	RuntimeDirectory=systemd/journal
	RuntimeDirectoryPreserve=yes
	U
	mkdir -p "$T/sd/etc-up/systemd/journald.conf.d"
	printf '[Journal]\nStorage=volatile\n' >"$T/sd/etc-up/systemd/journald.conf.d/remsim-test.conf"
}

sd_boot() {
	local root=$1 d
	SD_UNITS=$T/sd-units
	mkdir -p "$SD_UNITS" "$T/sd"
	cp "$root"/usr/local/lib/systemd/system/*.service "$SD_UNITS/"
	_sd_standins
	for d in etc varlib varlog usrlocal; do mkdir -p "$T/sd/$d-up" "$T/sd/$d-work"; done
	# the user the units run as (what sysusers.d/remsim.conf makes on a host)
	cat >"$T/sd/inside.sh" <<-IN
	set -e
	mount --make-rprivate /
	ip link set lo up
	mount -t tmpfs -o mode=0755 tmpfs /run
	mount -t overlay overlay -o lowerdir=/etc,upperdir=$T/sd/etc-up,workdir=$T/sd/etc-work /etc
	mount -t overlay overlay -o lowerdir=/var/lib,upperdir=$T/sd/varlib-up,workdir=$T/sd/varlib-work /var/lib
	mount -t overlay overlay -o lowerdir=/var/log,upperdir=$T/sd/varlog-up,workdir=$T/sd/varlog-work /var/log
	mount -t overlay overlay -o lowerdir=$root/usr/local,upperdir=$T/sd/usrlocal-up,workdir=$T/sd/usrlocal-work /usr/local
	grep -q '^remsim:' /etc/group || echo 'remsim:x:977:' >>/etc/group
	grep -q '^remsim:' /etc/passwd || echo 'remsim:x:977:977:remsim:/nonexistent:/usr/sbin/nologin' >>/etc/passwd
	mkdir -p /etc/remsim
	[ -f $T/sd/inside-extra.sh ] && . $T/sd/inside-extra.sh
	export SYSTEMD_UNIT_PATH=$SD_UNITS container=remsim-test
	exec /lib/systemd/systemd --system --unit=remsim-test.target --log-target=console --log-level=info
	IN
	spawn systemd unshare --kill-child=SIGKILL --pid --fork --mount --mount-proc --net --uts bash "$T/sd/inside.sh"
	SD_UNSHARE=$SPAWNED_PID
	SD_PID=
	local i
	for i in $(seq 1 100); do
		SD_PID=$(pgrep -P "$SD_UNSHARE" -x systemd 2>/dev/null | head -n 1)
		[ -n "$SD_PID" ] && sd_run systemctl is-system-running >/dev/null 2>&1 && return 0
		case "$(sd_run systemctl is-system-running 2>/dev/null)" in running|degraded) return 0 ;; esac
		sleep 0.1
	done
	echo "# systemd did not come up; see $T/systemd.log" >&2
	return 1
}

sd_run() { nsenter -t "$SD_PID" -m -p -n -u -- "$@"; }

sd_shutdown() {
	[ -n "${SD_PID:-}" ] || return 0
	kill -s RTMIN+14 "$SD_PID" 2>/dev/null	# immediate power-off: systemd exits
	local i
	for i in $(seq 1 100); do kill -0 "$SD_UNSHARE" 2>/dev/null || break; sleep 0.05; done
	SD_PID=
}
