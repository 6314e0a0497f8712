#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# hub_survival.sh: the broker is the one process every RSPRO byte passes
# through; this kills it (kill -9) in each role while two modem stand-ins
# keep STATUS APDUs flowing through two client roles -> bankd (2 slots) ->
# private pcscd + vpcd -> virtual cards, and checks that the traffic comes
# back by itself within the limit (1 s; more under the sanitizers), that
# the bankd and the clients re-register with the server (nothing left
# "connected" from before), that new connections are not taken for old ones
# (connection ids carry the broker's generation), and that the slot whose
# role was not hit does not notice.  Then whole roles: the bankd's and the
# server's remsimd are killed and restarted: the clients are served again
# within the limit of the bankd listening again, and a client that keeps
# working with its bankd is never told to disconnect (0.0.0.0:0) while the
# server restarts (the banks' grace period).
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/pcscd.sh"
. "$(dirname "$0")/../lib/system.sh"
. "$(dirname "$0")/../lib/recovery.sh"


pcscd_available || { skip "hub survival: pcscd/vpcd not usable here"; finish; }
recovery_rig || finish
clients_up() { recovery_clients_up 2; }

BANKD_CTL="ipc://$T/bankd-run/control"
SERVER_CTL="ipc://$T/server-run/control"

# outage_check WHAT PUMP SINCE: the pump's longest gap since SINCE is below LIMIT
outage_check() {
	local o; o=$(recovery_outage "$2" "$3")
	echo "# $1: slot $2 outage ${o} ms" >&2
	check "$1: slot $2 traffic resumed within $LIMIT ms (outage $o ms)" \
		[ "$o" != none ] && [ "$o" -lt "$LIMIT" ]
}

# --- the bankd's broker ----------------------------------------------------------
check "bankd broker killed" recovery_kill "$BANKD_CTL" broker; t0=$KILL_T0; sleep 3
outage_check "bankd broker kill" 0 "$t0"
outage_check "bankd broker kill" 1 "$t0"
check "bankd broker kill: bankmap re-registered with the server (log)" \
	grep -q 'server link: ConnectBankReq sent' <(sed -n '/generation .* -> /,$p' "$T/bankd.log")
bank_connected() { "${CTL[@]}" --json banks 2>/dev/null | grep -q '"bankId": *1'; }
check "bankd broker kill: the server lists bank 1" bank_connected
maps_active() { [ "$("${CTL[@]}" maps 2>/dev/null | grep -c ACTIVE)" = 2 ]; }
check "bankd broker kill: both maps ACTIVE" wait_for 5 maps_active
check "bankd broker kill: bankd's own status says the server link is connected" \
	eval "'$BIN/remsim-ctl' -e '$BANKD_CTL' banks 2>&1 | grep -qi connected"
check "bankd broker kill: no new connection taken for an old one" \
	bash -c "! grep -qE 'unsupported message connectClientReq|replaced by a restored connection' '$T/bankd.log'"
check "bankd broker kill: actors reported the old connections down" \
	grep -q 'broker restarted (generation' "$T/bankd.log"

# --- client 0's broker: slot 1 must not notice -------------------------------------------
check "client 0 broker killed" recovery_kill "ipc://$T/c0-run/control" broker; t0=$KILL_T0; sleep 3
outage_check "client broker kill" 0 "$t0"
outage_check "client broker kill" 1 "$t0"
check "client broker kill: client 0 registered again" wait_for 5 clients_up

# --- the server's broker: the data path does not even notice ------------------------------
check "server broker killed" recovery_kill "$SERVER_CTL" broker; t0=$KILL_T0; sleep 3
outage_check "server broker kill" 0 "$t0"
outage_check "server broker kill" 1 "$t0"
check "server broker kill: bank and clients re-registered" eval "bank_connected && clients_up"
check "server broker kill: both maps ACTIVE again" wait_for 5 maps_active
check "server broker kill: no identity-in-use rejections" bash -c "! grep -q 'identity in use' '$T/server.log'"

# --- the reader serving slot 0 killed under its modem -------------------------------------
check "reader/0 killed" recovery_kill "$BANKD_CTL" reader/0; t0=$KILL_T0; sleep 3
outage_check "reader kill" 0 "$t0"
outage_check "reader kill" 1 "$t0"
check "reader kill: the client presented card removal, re-insertion and a modem reset" \
	grep -q 'the bank re-opened the card (new ATR mid-session): presenting card removal' "$T/pump0.log"
check "reader kill: slot 1's client saw nothing of it" \
	bash -c "! grep -q 'the bank re-opened the card' '$T/pump1.log'"

# --- the bankd role (remsimd) killed and started again ---------------------------------------
kill -9 "$BANKD_PID"; wait "$BANKD_PID" 2>/dev/null
sleep 0.5
system_bankd 2
bankd_listens() { python3 -c "import socket; socket.create_connection(('127.0.0.1', $BANKD_PORT), 0.2).close()" 2>/dev/null; }
wait_for 10 bankd_listens
t0=$(recovery_now); sleep 3
for n in 0 1; do
	f=$(awk -v s="$t0" '$1 == "R" && $2 >= s { print int(($2 - s) * 1000); exit }' "$T/pump$n.txt")
	echo "# bankd role restart: slot $n first answer ${f:-none} ms after the bankd listened" >&2
	check "bankd role restart: slot $n served within $LIMIT ms of the bankd listening (${f:-none} ms)" \
		[ -n "$f" ] && [ "$f" -lt "$LIMIT" ]
done

# --- the server role (remsimd) killed and started again: the clients keep their bankd ---------

kill -9 "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null
mv "$T/server.log" "$T/server-1.log"
t0=$(recovery_now)
spawn server "$BIN/remsim-server" -c "$T/server.cfg"
SERVER_PID=$SPAWNED_PID
check "server role restart: clients and bank re-registered" wait_for 15 eval "bank_connected && clients_up"
check "server role restart: both maps ACTIVE again" wait_for 10 maps_active
sleep 1
outage_check "server role restart" 0 "$t0"
outage_check "server role restart" 1 "$t0"
check "server role restart: no client was told to disconnect (0.0.0.0:0)" \
	bash -c "! grep -q 'configClientBankReq .*bankd 0.0.0.0:0' '$T/server.log'"
check "server role restart: the grace period was announced" grep -q 'banks have 15000 ms to re-register' "$T/server.log"
check "server role restart: the clients' bankd links were never dropped" \
	bash -c "! grep -q 'disconnecting from the bankd' '$T/pump0.log' '$T/pump1.log'"
sanitizer_check
finish
