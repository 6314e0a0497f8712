#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# remsimd_privileges.sh: least privilege (docs/remsimd.md "Privileges"): a
# server role with user = "nobody", group = "nogroup", started as root,
# creates its run and state dirs, hands them over and drops: remsimd and
# every actor run as nobody with no capabilities and no-new-privileges, the
# sqlite database is 0640 and owned by nobody, and the role works; the
# launcher's -u does the same; a non-root remsimd asked to switch user
# refuses with a clear error; without a user, no-new-privileges still holds.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/server_common.bash"
[ "$(id -u)" = 0 ] || { skip "needs root (to drop privileges)"; finish; }
getent passwd nobody >/dev/null && getent group nogroup >/dev/null \
	|| { skip "no user nobody / group nogroup"; finish; }
# the actors run as nobody: they must be able to reach the build's programs
# (a clone inside a private 0700 folder cannot be tested this way)
runuser -u nobody -- test -x "$BIN/broker" 2>/dev/null \
	|| { skip "user nobody cannot reach $BIN (a private folder above the build): privilege drop not tested"; finish; }
NOBODY=$(id -u nobody)
NOGROUP=$(getent group nogroup | cut -d: -f3)
chmod 755 "$T"	# the test's own dir: nobody must reach the run and state dirs

server_cfg "$T/server.cfg"
printf 'user = "nobody";\ngroup = "nogroup";\n' >>"$T/server.cfg"
check "server role starts as root with user = nobody" server_start "$T/server.cfg"
check "remsimd says whom it runs as" grep -q "running as uid $NOBODY gid $NOGROUP (nobody:nogroup)" "$T/remsimd.log"

# proc_ok PID: uid/gid nobody, no effective capabilities, no-new-privileges
proc_ok() {
	local st=/proc/$1/status
	awk -v u="$NOBODY" -v g="$NOGROUP" '
		/^Uid:/ { for (i = 2; i <= 5; i++) if ($i != u) bad = 1 }
		/^Gid:/ { for (i = 2; i <= 5; i++) if ($i != g) bad = 1 }
		/^CapEff:/ { if ($2 !~ /^0+$/) bad = 1 }
		/^CapPrm:/ { if ($2 !~ /^0+$/) bad = 1 }
		/^NoNewPrivs:/ { nnp = $2 }
		END { exit (bad || nnp != 1) }' "$st"
}
check "remsimd: uid/gid nobody, no capabilities, no-new-privileges" proc_ok "$REMSIMD_PID"
for a in broker mapstore rest; do
	pid=$(pid_of "$a")
	check "$a (pid $pid): uid/gid nobody, no capabilities, no-new-privileges" proc_ok "$pid"
done
check "run dir handed to nobody" [ "$(stat -c %u "$RUN")" = "$NOBODY" ]
check "the role works (map as root over the control socket)" rctl map 1:0 1:0
check "database owned by nobody, mode 0640" [ "$(stat -c '%u %a' "$DB")" = "$NOBODY 640" ]
server_stop

# the launcher's -u, with its built-in config
P2=$(free_port); R2=$(free_port)
spawn launcher "$BIN/remsim-server" -u nobody:nogroup -r "$T/run2" --state-dir "$T/state2" \
	-b 127.0.0.1 -p "$P2" --rest-listen "127.0.0.1:$R2"
LPID=$SPAWNED_PID
check "remsim-server -u nobody:nogroup: runs as nobody" \
	wait_log "$T/launcher.log" "running as uid $NOBODY gid $NOGROUP" 10
wait_log "$T/launcher.log" 'rest .*listening on' 10
check "... its actors too" bash -c "pgrep -P $LPID >/dev/null && for p in \$(pgrep -P $LPID); do awk '/^Uid:/ {exit (\$2 != $NOBODY)}' /proc/\$p/status || exit 1; done"
check "... state dir created and handed over" [ "$(stat -c %u "$T/state2")" = "$NOBODY" ]
kill -TERM "$LPID"; wait "$LPID" 2>/dev/null

# not root: a user switch is refused clearly
server_cfg "$T/s3.cfg"
sed -i "s|run_dir = \"$RUN\";|run_dir = \"$T/run3\";|" "$T/s3.cfg"
printf 'user = "root";\n' >>"$T/s3.cfg"
mkdir -p "$T/run3" "$T/state" && chown nobody "$T/run3" "$T/state"
setpriv --reuid=nobody --regid=nogroup --clear-groups "$BIN/remsimd" -c "$T/s3.cfg" >"$T/s3.log" 2>&1
rc=$?
[ $rc = 1 ] && grep -q "user/group root:- need remsimd to start as root (it runs as uid $NOBODY)" "$T/s3.log" \
	&& pass "non-root remsimd with user = root: exit 1, clear error" || fail "non-root user switch: rc $rc, $(tail -2 "$T/s3.log")"

# without a user: still no-new-privileges
server_cfg "$T/s4.cfg"
sed -i "s|run_dir = \"$RUN\";|run_dir = \"$T/run4\";|" "$T/s4.cfg"
sed -i "s|port = $P_RSPRO;|port = $(free_port);|; s|127.0.0.1:$P_REST|127.0.0.1:$(free_port)|" "$T/s4.cfg"
spawn s4 "$BIN/remsimd" -c "$T/s4.cfg"
S4=$SPAWNED_PID
wait_log "$T/s4.log" 'rest .*listening on' 10
check "without user: remsimd keeps its uid but has no-new-privileges" \
	bash -c "awk '/^NoNewPrivs:/ {exit (\$2 != 1)}' /proc/$S4/status"

sanitizer_check
finish
