#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fd_flood.sh: 1,500 idle TCP connections against the server's and the
# bankd's RSPRO ports while both roles run with a file descriptor limit of
# 1,024 (systemd's default): no broker aborts (libzmq asserts when it cannot
# accept on its own sockets), connections beyond the listener's cap are
# refused with a rate-limited log line, the slot already working keeps
# working through the flood, and a client that comes after it is served.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/pcscd.sh"
. "$(dirname "$0")/../lib/system.sh"
. "$(dirname "$0")/../lib/recovery.sh"

pcscd_available || { skip "fd flood: pcscd/vpcd not usable here"; finish; }
check "flood: private pcscd with 2 readers" pcscd_start 2
vcard_start 0; vcard_start 1
check "flood: virtual cards present" eval "pcsc_wait_card 0 && pcsc_wait_card 1"
SYSTEM_WRAP="prlimit --nofile=1024:1024"
check "flood: server up (fd limit 1024)" system_server
check "flood: bankd up (fd limit 1024)" system_bankd 2
check "flood: the roles log their descriptor limit" \
	eval "grep -q 'file descriptor limit 1024' '$T/server.log' && grep -q 'file descriptor limit 1024' '$T/bankd.log'"
recovery_pump 0 0
check "flood: client 0 registered" wait_for 15 recovery_clients_up 1
check "flood: map 0:0 -> 1:0 ACTIVE" system_map 0:0 1:0
check "flood: APDUs flow on slot 0" wait_for 20 recovery_flowing 0
SRV_BROKER=$(recovery_broker_pid "ipc://$T/server-run/control")
BKD_BROKER=$(recovery_broker_pid "ipc://$T/bankd-run/control")

t0=$(recovery_now)
spawn flood_srv python3 "$TOP/tests/tools/conn-flood.py" 127.0.0.1 "$SRV_PORT" 1500 --hold 4
FS=$SPAWNED_PID
spawn flood_bkd python3 "$TOP/tests/tools/conn-flood.py" 127.0.0.1 "$BANKD_PORT" 1500 --hold 4
FB=$SPAWNED_PID
wait "$FS" "$FB" 2>/dev/null
cat "$T/flood_srv.log" "$T/flood_bkd.log" | sed 's/^/# /' >&2
check "flood: 1,500 connections were attempted on each port" \
	eval "grep -q 'FLOOD opened=' '$T/flood_srv.log' && grep -q 'FLOOD opened=' '$T/flood_bkd.log'"
check "flood: the server's broker did not die (pid $SRV_BROKER)" kill -0 "$SRV_BROKER"
check "flood: the bankd's broker did not die (pid $BKD_BROKER)" kill -0 "$BKD_BROKER"
check "flood: nothing aborted" bash -c "! grep -qiE 'abort|Too many open files \\(src/|killed by signal' '$T/server.log' '$T/bankd.log'"
check "flood: refusals beyond the cap were logged" \
	grep -q 'listener rspro: connection from .* refused: .* open, max_connections' "$T/server.log"
check "flood: ... on the bankd port too" \
	grep -q 'listener clients: connection from .* refused: .* open, max_connections' "$T/bankd.log"
n=$(grep -c 'refused: .* open, max_connections' "$T/server.log")
check "flood: ... rate-limited ($n lines for hundreds of refusals)" [ "$n" -le 3 ]
o=$(recovery_outage 0 "$t0")
check "flood: slot 0 kept working through the flood (longest gap $o ms)" [ "$o" != none ] && [ "$o" -lt "$LIMIT" ]
check "flood: control socket still answers" "${CTL[@]}" status

# a client that comes after the flood
recovery_pump 1 1
check "flood: a new client registers after the flood" wait_for 15 recovery_clients_up 2
check "flood: ... and gets its mapping ACTIVE" system_map 1:0 1:1
check "flood: ... and its APDUs answered" wait_for 20 recovery_flowing 1
sanitizer_check
finish
