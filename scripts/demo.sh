#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# demo.sh: the README's main command.  On a machine with no hardware it
# installs what it needs, builds, and runs one whole remsim system on
# loopback:
#   server   remsim-server (broker + mapstore + REST) on a private port
#   bankd    remsim-bankd with one reader actor, behind a private pcscd with
#            Debian's vpcd driver and our virtual SIM card (tests/tools/vcard)
#   client   remsim-client-shell (the stdin/stdout frontend: a stand-in for
#            the modem and its SIMtrace2 board)
# It maps client slot 0:0 to bank slot 1:0 with `remsim-ctl map`, sends a
# few real SIM commands through client -> bankd -> pcscd -> card, prints them
# with their responses and where each hop's log is, and stops everything.
#   scripts/demo.sh [--no-install]
set -u
cd "$(dirname "$0")/.."
if [ "${1:-}" != "--no-install" ]; then
	scripts/install-deps.sh || exit 1
	make -j"$(nproc 2>/dev/null || echo 2)" >/dev/null || { echo "demo: build failed (run make)"; exit 1; }
fi
export BUILD=${BUILD:-build}
KEEP_TMP=1
. tests/lib/common.sh
. tests/lib/pcscd.sh
set +u

say() { printf '\n== %s\n' "$*"; }
die() { echo "demo: $*" >&2; TEST_FAILS=1; exit 1; }

pcscd_available || die "pcscd or the vpcd driver is missing (scripts/install-deps.sh installs them)"
say "a private pcscd with one vpcd reader, and our virtual SIM card in it"
pcscd_start 1 || die "pcscd did not start (log: $PCSCD_LOG)"
vcard_start 0
pcsc_wait_card 0 10 || die "the virtual card did not appear in ${PCSC_READERS[0]}"
echo "reader: ${PCSC_READERS[0]}   card ATR: $(pcsc_apdu 0 -a 2>/dev/null | head -n 1)"

SRV=$(free_port); REST=$(free_port); BANKD=$(free_port)
say "remsim-server: RSPRO on 127.0.0.1:$SRV, REST on 127.0.0.1:$REST"
"$BIN/remsim-server" -r "$T/server-run" --state-dir "$T/server-state" --database "$T/server.db" -b 127.0.0.1 -p "$SRV" \
	--rest-listen "127.0.0.1:$REST" --print-config >"$T/server.cfg" || die "remsim-server --print-config failed"
# the bankd below listens on a private port; tell the server to announce it
sed -i "s/^mapstore = {/mapstore = { bankd_port = $BANKD;/" "$T/server.cfg"
spawn server "$BIN/remsim-server" -c "$T/server.cfg"
CTL=(  "$BIN/remsim-ctl" -e "ipc://$T/server-run/control" )
wait_for 10 "${CTL[@]}" status >/dev/null 2>&1 || die "server not up (log: $T/server.log)"

say "remsim-bankd: bank 1, one slot, clients on 127.0.0.1:$BANKD"
printf '"1","0","%s"\n' "${PCSC_READERS[0]}" >"$T/bankd_pcsc_slots.csv"
spawn bankd "$BIN/remsim-bankd" -i 127.0.0.1 -p "$SRV" -b 1 -n 1 -I 127.0.0.1 -P "$BANKD" \
	--csv "$T/bankd_pcsc_slots.csv" -r "$T/bankd-run"
bank_up() { "${CTL[@]}" banks 2>/dev/null | grep -q 'B1'; }
wait_for 15 bank_up || die "the bankd did not register (log: $T/bankd.log)"

say "remsim-client-shell: client 0 slot 0"
mkfifo "$T/client.in"
exec 7<>"$T/client.in"
"$BIN/remsim-client-shell" -i 127.0.0.1 -p "$SRV" -c 0 -n 0 --run-dir "$T/client-run" \
	<"$T/client.in" >"$T/client.out" 2>"$T/client.log" &
SPAWNED_PIDS+=("$!")
client_up() { "${CTL[@]}" clients 2>/dev/null | grep -q 'C0:0'; }
wait_for 15 client_up || die "the client did not register (log: $T/client.log)"
"${CTL[@]}" banks; "${CTL[@]}" clients

say "remsim-ctl map 0:0 1:0"
"${CTL[@]}" map 0:0 1:0 || die "map refused"
# the shell prints the default ATR (-a) first, then the card's from the bankd
card_atr() { grep '^SET_ATR:' "$T/client.out" | grep -vq '^SET_ATR: 3b 00 $'; }
wait_for 20 card_atr || die "the card's ATR did not reach the client (logs: $T/*.log)"
"${CTL[@]}" maps
echo "client got the card's ATR: $(grep '^SET_ATR:' "$T/client.out" | tail -n 1)"

say "SIM commands: modem (client shell) -> client -> bankd -> pcscd -> card -> back"
APDUS=(
	"a0a40000023f00:SELECT MF (GSM)"
	"a0c0000016:GET RESPONSE"
	"a0a40000022fe2:SELECT EF.ICCID"
	"a0b000000a:READ BINARY (ICCID)"
	"a0a40000027f20:SELECT DF.GSM"
	"a0a40000026f07:SELECT EF.IMSI"
	"a0b0000009:READ BINARY (IMSI)"
	"a088000010000102030405060708090a0b0c0d0e0f:RUN GSM ALGORITHM"
	"a0f2000016:STATUS"
)
for e in "${APDUS[@]}"; do
	apdu=${e%%:*}; what=${e#*:}
	before=$(grep -c '^R-APDU:' "$T/client.out")
	echo "$apdu" >&7
	got_one() { [ "$(grep -c '^R-APDU:' "$T/client.out")" -gt "$before" ]; }
	if wait_for 5 got_one; then
		printf '%-22s C-APDU %s\n%-22s %s\n' "$what" "$apdu" "" "$(grep '^R-APDU:' "$T/client.out" | tail -n 1)"
	else
		printf '%-22s C-APDU %s: no answer\n' "$what" "$apdu"; TEST_FAILS=1
	fi
done

say "history of the mapping (sqlite: $T/server.db)"
"${CTL[@]}" history --limit 5
exec 7>&-

say "logs of each hop"
cat <<LOGS
  server (broker, mapstore, rest):  $T/server.log
  bankd (broker, bankmap, reader):  $T/bankd.log
  client (broker, usbslot/shell):   $T/client.log   (shell output: $T/client.out)
  pcscd and the virtual card:       $PCSCD_LOG  $T/vcard0.log
  mapping database:                 $T/server.db   e.g. sqlite3 $T/server.db 'select * from history_v'
LOGS
say "stopping everything"
[ "$TEST_FAILS" = 0 ] && echo "demo: ok" || echo "demo: some steps failed; see the logs above"
exit "$TEST_FAILS"
