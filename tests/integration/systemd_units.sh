#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# systemd_units.sh: the installed units under a real systemd (PID 1 of private
# namespaces, tests/lib/sdboot.sh): `make install DESTDIR=... PREFIX=/usr/local`,
# then remsim-server.service and remsim-bankd.service started, stopped and
# killed by systemd itself: Type=notify readiness (systemctl start returns
# once the role is up), the remsim user, the runtime and state directories,
# Restart=always after a kill -9 of remsimd with the mappings kept, a bad
# option failing the unit loudly, and a real bankd serving a real card through
# pcscd (tests/lib/pcscd.sh) to the server's mapping.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/sdboot.sh"
. "$(dirname "$0")/../lib/pcscd.sh"
. "$(dirname "$0")/../lib/shelldrive.sh"
sd_available || { skip "systemd units: needs root, /lib/systemd/systemd, unshare, nsenter and overlayfs"; finish; }
trap 'sd_shutdown; cleanup_spawned' EXIT

case "$BUILD" in /*) ABS_BUILD=$BUILD ;; *) ABS_BUILD=$TOP/$BUILD ;; esac
SANVARS=()
grep -q __asan_init "$ABS_BUILD/bin/remsimd" 2>/dev/null && SANVARS=(SAN=1 OPT=-O1)
R=$T/root
make -s -C "$TOP" install BUILD="$ABS_BUILD" "${SANVARS[@]}" DESTDIR="$R" PREFIX=/usr/local >"$T/make.log" 2>&1; rc=$?
check "make install DESTDIR=... PREFIX=/usr/local (rc=$rc)" [ "$rc" = 0 ]
[ "$rc" = 0 ] || { cat "$T/make.log"; finish; }
# the example defaults, as debian/ installs them into /etc; bankd: one slot
mkdir -p "$T/sd/etc-up/default" "$T/sd/etc-up/remsim"
cp "$TOP"/etc/default/remsim-server "$T/sd/etc-up/default/"
sed 's/-n 5/-n 1/' "$TOP"/etc/default/remsim-bankd >"$T/sd/etc-up/default/remsim-bankd"
# a private pcscd with a virtual card; its socket is bind-mounted to the
# namespace's /run/pcscd, where the bankd unit looks for it
BANKD_READER=
if pcscd_available && pcscd_start 1 && vcard_start 0 && pcsc_wait_card 0 10; then
	BANKD_READER=${PCSC_READERS[0]}
	printf '"1","0","%s"\n' "$BANKD_READER" >"$T/sd/etc-up/remsim/bankd_pcsc_slots.csv"
	echo "mkdir -p /run/pcscd && mount --bind '$(dirname "$PCSCLITE_CSOCK_NAME")' /run/pcscd" >"$T/sd/inside-extra.sh"
else
	skip "bankd unit with a real card: pcscd/vpcd not usable here"
fi

sd_boot "$R" || { fail "systemd boots in private namespaces (see $T/systemd.log)"; finish; }
pass "systemd boots in private namespaces (pid $SD_PID)"

# --- server ---------------------------------------------------------------------------------
sd_run systemctl start remsim-server.service >"$T/start.log" 2>&1; rc=$?
check "systemctl start remsim-server: returns 0 (rc=$rc)" [ "$rc" = 0 ]
check "... and the unit is active once start returned (Type=notify: READY=1 came)" \
	[ "$(sd_run systemctl is-active remsim-server.service)" = active ]
MAIN=$(sd_run systemctl show -P MainPID remsim-server.service)
check "... MainPID is remsimd (pid $MAIN)" bash -c "sd_main=\$(nsenter -t $SD_PID -p -m -- cat /proc/$MAIN/comm); [ \"\$sd_main\" = remsimd ]"
check "... remsimd and its actors run as user remsim" \
	bash -c "[ \"\$(nsenter -t $SD_PID -p -m -- ps -o user= --ppid $MAIN | sort -u | tr -d ' ')\" = remsim ]"
check "... the control socket is in RuntimeDirectory /run/remsim" sd_run test -S /run/remsim/control
sd_run remsim-ctl status >"$T/status.log" 2>&1; rc=$?
check "remsim-ctl status over /run/remsim/control: exit 0, broker and mapstore running (rc=$rc)" \
	bash -c "[ $rc = 0 ] && grep -q 'mapstore.*running' '$T/status.log'"
sd_run remsim-ctl map 0:0 1:0 >"$T/map.log" 2>&1; rc=$?
check "remsim-ctl map 0:0 1:0 (rc=$rc)" [ "$rc" = 0 ]
check "... the database is in StateDirectory /var/lib/remsim" sd_run test -f /var/lib/remsim/server.db
check "... (written to the overlay's upper layer in \$T, not the host's /var/lib)" test -f "$T/sd/varlib-up/remsim/server.db"
check "REST on 127.0.0.1:9997 (the /etc/default file's --rest-listen) lists the map" \
	bash -c "nsenter -t $SD_PID -n -- curl -s http://127.0.0.1:9997/api/backend/v1/slotmaps | grep -q '\"bankId\":1'"

# the journal: our lines carry their syslog priority and no timestamp of their own
REST=$(sd_run pgrep -u 977 -x rest | head -n 1)
sd_run kill -9 "$REST"
jwarn() { sd_run journalctl -q -u remsim-server.service -p warning -o cat | grep -q 'rest.*killed by signal 9'; }
check "journal: remsimd's WARN line about the killed rest actor is at priority warning" wait_for 10 jwarn
check "... INFO lines are at priority info, not warning" bash -c \
	"nsenter -t $SD_PID -m -p -- journalctl -q -u remsim-server.service -p info..info -o cat | grep -q 'INFO .*started' &&
	 ! nsenter -t $SD_PID -m -p -- journalctl -q -u remsim-server.service -p warning -o cat | grep -q '^INFO'"
check "... and no timestamp of our own (the journal has it)" bash -c \
	"! nsenter -t $SD_PID -m -p -- journalctl -q -u remsim-server.service -o cat | grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T'"

# kill -9 of remsimd: systemd's Restart=always brings the role back, the map is kept
sd_run kill -9 "$MAIN"
restarted() { [ "$(sd_run systemctl show -P NRestarts remsim-server.service)" -ge 1 ] && [ "$(sd_run systemctl is-active remsim-server.service)" = active ]; }
check "kill -9 remsimd: systemd restarts the unit (NRestarts >= 1, active again)" wait_for 15 restarted
check "... and the map is still there" bash -c "nsenter -t $SD_PID -m -p -n -u -- remsim-ctl maps | grep -q 'B1:0'"

# --- bankd: a real card through pcscd, served to a client under the server's map -----------
if [ -n "$BANKD_READER" ]; then
	sd_run systemctl start remsim-bankd.service; rc=$?
	check "systemctl start remsim-bankd: returns 0, active (rc=$rc)" \
		bash -c "[ $rc = 0 ] && [ \"\$(nsenter -t $SD_PID -m -p -- systemctl is-active remsim-bankd.service)\" = active ]"
	bank_up() { sd_run remsim-ctl --json banks 2>/dev/null | grep -q '"bankId": *1'; }
	check "... it registers with the server (bank 1)" wait_for 15 bank_up
	active() { sd_run remsim-ctl maps 2>/dev/null | grep -q 'B1:0 *ACTIVE'; }
	check "... the map C0:0 -> B1:0 becomes ACTIVE" wait_for 15 active
	drive_start cli --default-atr 3b00 -- nsenter -t "$SD_PID" -n -- \
		"$BIN/remsim-client-shell" -i 127.0.0.1 -p 9998 -c 0 -n 0 --run-dir "$T/client-run"
	check "a client-shell in the namespace gets the card's ATR from the bankd unit" drive_ready cli 30
	drive_run cli 20 a0f2000016 60
	check "... 20 STATUS APDUs answered 9000 ($DRIVE_DONE)" \
		bash -c "[ '$(drive_val "$DRIVE_DONE" n)' = 20 ] && [ '$(drive_val "$DRIVE_DONE" not9000)' = 0 ]"
	BMAIN=$(sd_run systemctl show -P MainPID remsim-bankd.service)
	sd_run kill -9 "$BMAIN"
	brestarted() { [ "$(sd_run systemctl show -P NRestarts remsim-bankd.service)" -ge 1 ] && [ "$(sd_run systemctl is-active remsim-bankd.service)" = active ]; }
	check "kill -9 of the bankd's remsimd: systemd restarts remsim-bankd" wait_for 15 brestarted
	again() { drive_run cli 5 a0f2000016 5 && [ "$(drive_val "$DRIVE_DONE" not9000)" = 0 ]; }
	check "... and the same client is served again" wait_for 30 again
	drive_stop cli
	sd_run systemctl stop remsim-bankd.service
fi

sd_run systemctl stop remsim-server.service; rc=$?
check "systemctl stop remsim-server: 0, inactive (not failed) (rc=$rc)" \
	bash -c "[ $rc = 0 ] && [ \"\$(nsenter -t $SD_PID -m -p -- systemctl is-active remsim-server.service)\" = inactive ]"

# --- a bad option fails the unit loudly (no half-started role) ------------------------------
sd_run sh -c 'echo "SERVER_OPTS=\"--rest-listen 127.0.0.1:9997 --bogus\"" >/etc/default/remsim-server'
sd_run systemctl start remsim-server.service >"$T/bad-start.log" 2>&1; rc=$?
check "SERVER_OPTS with --bogus: systemctl start fails (rc=$rc)" [ "$rc" != 0 ]
check "... the unit's main process exited 2 (usage)" [ "$(sd_run systemctl show -P ExecMainStatus remsim-server.service)" = 2 ]
check "... the usage error is in the unit's journal" bash -c \
	"nsenter -t $SD_PID -m -p -- journalctl -q -u remsim-server.service -o cat | grep -q -- '--bogus'"
check "... no remsim process left in the namespace" bash -c "! nsenter -t $SD_PID -p -m -- pgrep -u 977 >/dev/null"
finish
