#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ifd_osmo.sh: the PC/SC reader driver against the reference osmo-remsim
# server and bankd (fixed ports 9997/9998/9999, as osmo-remsim has them):
# pcscd -> libifd_remsim.so -> our client role -> osmo-remsim-bankd ->
# pcscd (vpcd) -> our virtual card; maps through osmo-remsim-server's REST
# API.  Needs OSMO_REMSIM_PREFIX (an install of osmo-remsim 1.0.0); SKIP
# without it.  It runs in a private network namespace (tests/lib/netns.sh),
# so the fixed ports are its own; where that is impossible it SKIPs when they
# are taken.
. "$(dirname "$0")/../lib/netns.sh"
netns_private "$0" "$@"
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/pcscd.sh"
. "$(dirname "$0")/../lib/system.sh"
. "$(dirname "$0")/../lib/ifd.sh"

P=${OSMO_REMSIM_PREFIX:-}
[ -n "$P" ] || { skip "ifd_osmo: OSMO_REMSIM_PREFIX not set (no osmo-remsim reference build)"; finish; }
[ -x "$P/bin/osmo-remsim-server" ] && [ -x "$P/bin/osmo-remsim-bankd" ] ||
	{ skip "ifd_osmo: no osmo-remsim-server/-bankd in $P/bin"; finish; }
pcscd_available || { skip "ifd_osmo: pcscd/vpcd not usable here"; finish; }
port_busy() { ss -Htln "sport = :$1" | grep -q .; }
for p in 9997 9998 9999; do
	port_busy "$p" && { skip "ifd_osmo: port $p is taken (osmo-remsim's ports are fixed)"; finish; }
done
URL=http://127.0.0.1:9997/api/backend/v1
rest() { curl -s --max-time 5 "$@"; }
osmo() { local n=$1; shift; spawn "$n" sh -c 'cd "$1" && shift && exec "$@"' sh "$T" env LD_LIBRARY_PATH="$P/lib" "$@"; }

check "ifd_osmo: bank pcscd with 1 reader" pcscd_start 1
vcard_start 0
check "ifd_osmo: virtual card present" pcsc_wait_card 0
direct_atr=$(pcsc_apdu 0 --atr)
APDUS=(a0a40000023f00 a0c0000017 a0a40000022fe2 a0b000000a a0a40000027f20 a0a40000026f07 a0b0000009
       a088000010000102030405060708090a0b0c0d0e0f a0c000000c)
want=$(pcsc_apdu 0 "${APDUS[@]}" | tr '\n' ' ')

osmo oserver "$P/bin/osmo-remsim-server"
printf '"1","0","%s"\n' "$PCSC_READER_0" >"$T/bankd_pcsc_slots.csv"
osmo obankd "$P/bin/osmo-remsim-bankd" -i 127.0.0.1 -b 1 -n 1
bank_up() { rest "$URL/banks" | grep -q '"bankId":1'; }
check "ifd_osmo: osmo-remsim-bankd registered with osmo-remsim-server" wait_for 15 bank_up
SRV_PORT=9998
SYSTEM_TRANSPORT=ifd system_client 1
client_up() { rest "$URL/clients" | grep -q '"peer":"C0:0"'; }
check "ifd_osmo: our client role registered with osmo-remsim-server" wait_for 15 client_up
check "ifd_osmo: pcscd with our driver serves" ifd_pcscd_start "remsim=$T/client.cfg"

MAP='{"bank":{"bankId":1,"slotNr":0},"client":{"clientId":0,"slotNr":0}}'
map() { [ "$(rest -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' -d "$MAP" "$URL/slotmaps")" = 201 ]; }
check "ifd_osmo: map C0:0 -> B1:0 (REST)" map
check "ifd_osmo: the reader shows the card" ifd_apdu --reader remsim --wait present --timeout 20
check "ifd_osmo: remote ATR = the bank card's" [ "$(ifd_apdu --reader remsim --atr)" = "$direct_atr" ]
got=$(ifd_apdu --reader remsim "${APDUS[@]}" | tr '\n' ' ')
check "ifd_osmo: SELECT MF, GET RESPONSE, ICCID, IMSI, RUN GSM ALGORITHM as on the bank reader" [ "$got" = "$want" ]
check "ifd_osmo: unmap (REST DELETE)" eval '[ "$(rest -o /dev/null -w "%{http_code}" -X DELETE "$URL/slotmaps/65536")" = 200 ]'
check "ifd_osmo: unmap -> no card" ifd_apdu --reader remsim --wait empty --timeout 20
check "ifd_osmo: remap" map
check "ifd_osmo: remap -> card back" ifd_apdu --reader remsim --wait present --timeout 20
check "ifd_osmo: remap -> SELECT MF" [ "$(ifd_apdu --reader remsim a0a40000023f00)" = 9f17 ]
check "ifd_osmo: pcscd survived" kill -0 "$IFD_PCSCD_PID"
finish
