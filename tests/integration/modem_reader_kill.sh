#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# modem_reader_kill.sh: the reader serving a SIMtrace2 slot is killed (-9)
# while the modem behind the board is in its session: the restarted reader
# re-opens the card and sends its ATR again; the client shows the modem a
# card removal, re-insertion and a modem reset within the limit (1 s; more
# under the sanitizers), so the modem does not wait for its own timeout: it
# reboots, reads the ATR and runs a new session.  Real server, bankd,
# private pcscd + vpcd + virtual card; the board and the modem are st2sim in
# modem mode on an ngff-cardem board (card-insert output, modem reset line).
# Then the client role's remsimd is killed (-9) and started again: the
# modem gets the card and a new session (a cold start of the role).
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/pcscd.sh"
. "$(dirname "$0")/../lib/system.sh"
. "$(dirname "$0")/../lib/recovery.sh"

pcscd_available || { skip "modem reader kill: pcscd/vpcd not usable here"; finish; }
check "rk: private pcscd with 2 readers" pcscd_start 2
vcard_start 0; vcard_start 1
check "rk: virtual cards present" eval "pcsc_wait_card 0 && pcsc_wait_card 1"
check "rk: server up" system_server
check "rk: bankd registered" system_bankd 1
spawn sim0 "$TBIN/st2sim" --socket "$T/sim0.sock" --board ngff --modem 60 --status-ms 20 --boot-ms 100 --timeout 30
SIM=$SPAWNED_PID
wait_for 5 test -S "$T/sim0.sock"
system_client 1
clients_up() { "${CTL[@]}" clients 2>/dev/null | grep -q 'CONNECTED_CLIENT'; }
check "rk: client registered" wait_for 15 clients_up
check "rk: map 0:0 -> 1:0 ACTIVE" system_map 0:0 1:0
statuses() { grep -c '^C-APDU: a0 f2 00 00' "$T/sim0.log"; }
session() { [ "$(statuses)" -ge "${1:-5}" ]; }
check "rk: the modem runs its session through the real card (STATUS every 20 ms)" wait_for 20 session 5

n_reset=$(grep -c '^# MODEM_RESET' "$T/sim0.log")
n_atr=$(grep -c '^ATR: ' "$T/sim0.log")
check "rk: reader/0 killed" recovery_kill "ipc://$T/bankd-run/control" reader/0
t0=$KILL_T0
reset_seen() { [ "$(grep -c '^# MODEM_RESET' "$T/sim0.log")" -gt "$n_reset" ]; }
wait_for 10 reset_seen
el=$(python3 -c "import time; print(int((time.monotonic() - $t0) * 1000))")
echo "# the modem was reset ${el} ms after the kill (includes 50 ms polling)" >&2
check "rk: the modem sees card removal, re-insertion and a reset within $LIMIT ms ($el ms)" \
	eval "reset_seen && [ $el -lt $LIMIT ]"
check "rk: ... in that order, after the kill" \
	bash -c "tail -n +1 '$T/sim0.log' | awk '/^# CARDINSERT 0/{a=NR} /^# CARDINSERT 1/{if(a)b=NR} /^# MODEM_RESET/{if(b)c=NR} END{exit !(a && b && c)}'"
new_atr() { [ "$(grep -c '^ATR: ' "$T/sim0.log")" -gt "$n_atr" ]; }
check "rk: the rebooted modem read the card's ATR again" wait_for 10 new_atr
n_st=$(statuses)
check "rk: ... and runs a new session" wait_for 10 session $((n_st + 5))
check "rk: the client logged why" grep -q 'the bank re-opened the card (new ATR mid-session)' "$T/client.log"
check "rk: the simulated modem saw no stall" bash -c "! grep -q '^STALL' '$T/sim0.log'"

# --- the client role's remsimd killed (-9) and started again: the board's
# host comes back and the modem gets a new session (a cold start of the role)
n_atr=$(grep -c '^ATR: ' "$T/sim0.log")
kill -9 "$CLIENT_PID"; wait "$CLIENT_PID" 2>/dev/null
gone() { ! pgrep -f "usbslot --hub ipc://$T/client-run/hub" >/dev/null; }
check "rk: killing the client's remsimd took its actors along" wait_for 5 gone
mv "$T/client.log" "$T/client-1.log"
t0=$(recovery_now)
system_client 1
check "rk: after the client role's restart the modem reads the ATR again" wait_for 15 new_atr
el=$(python3 -c "import time; print(int((time.monotonic() - $t0) * 1000))")
echo "# client role restart: the modem had the card again ${el} ms after the start" >&2
n_st=$(statuses)
check "rk: ... and runs a new session" wait_for 10 session $((n_st + 5))
sanitizer_check
finish
