#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# client_umockdev.sh: the usbslot actor's libusb path (--transport usb,
# common/st2/st2_usb.c) under umockdev, as in st2_umockdev.sh (see
# docs/usb-testing.md): remsimd + broker + usbslot run inside umockdev-run
# with a fake SIMtrace2 (1d50:60e3 at path 1-1, address 2) whose usbmon pcap
# is replayed in order.  The slot selects the device by VID:PID, path,
# address, configuration and interface, keeps 4 bulk-IN transfers pending,
# sends CONFIG and (once OPERATIONAL with a scripted server and bankd) SIM
# select, ATR, card insert and modem reset, turns the status IRQs into
# ClientSlotStatusInd, relays one TPDU (its header completing right after a
# PTS indication) to the bankd and its answer back over USB, and sees the
# unplug.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/client_common.bash"

if ! command -v umockdev-run >/dev/null 2>&1; then
	skip "client_umockdev: umockdev-run not installed"; finish
fi
SYS=/sys/devices/pci0000:00/0000:00:14.0/usb1/1-1
# the fake board: a SIMtrace2 (1d50:60e3) at USB path 1-1, address 2
cp "$TOP/tests/tools/st2host/simtrace2.umockdev" "$T/st2.umockdev"
python3 "$TOP/tests/tools/st2host/st2_usbmon_pcap.py" "$T/st2.pcap" unplug relay burst

PS=$(free_port); PB=$(free_port)
event_script
cat >"$T/client.cfg" <<EOC
run_dir = "$RUN";
broker = { connect_timeout_ms = 300; backoff_unit_ms = 20; };
actors = ( { name = "broker"; }, { name = "usbslot"; count = 1; } );
client = {
  server_host = "127.0.0.1"; server_port = $PS; client_id = 7; client_slot = 0;
  event_script = "$T/ev.sh";
  transport = "usb";
  reopen_min_ms = 60000;   # no re-open: the pcap replay has one session only
  usb = { vendor = "1d50"; product = "60e3"; path = "1-1"; address = 2; config = 1;
          interface = 0; altsetting = 0; no_dev_mem = true; };
};
EOC
peer srv "$PS" <<EOS
$(server_lines "$PB" 0)
expect-close 30000
EOS
# no SetAtrReq: the pcap has exactly one SET_ATR (the default 3b 00)
peer bkd "$PB" <<EOS
expect connectClientReq clientSlot=C7:0
send connectClientRes type=bankd result=ok
serve-card 30000
EOS
BKD=$PEER_PID

export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
umockdev-run --device "$T/st2.umockdev" --pcap "$SYS=$T/st2.pcap" -- \
	"$BIN/remsimd" -c "$T/client.cfg" >"$T/client.log" 2>&1 &
CL=$!
SPAWNED_PIDS+=("$CL")

check "umockdev: device selected by VID:PID/path/address, interface claimed" \
	wait_log "$T/client.log" 'interface 0 claimed: OUT 0x04 IN 0x85 IRQ 0x86, 4 bulk-IN' 10
check "umockdev: slot OPERATIONAL" wait_log "$T/client.log" 'state WAIT_BANKD -> OPERATIONAL' 10
check "umockdev: board CONFIG answer received" wait_log "$T/client.log" 'board config: features 0x00000001' 10
check "umockdev: status IRQ -> clientSlotStatusInd" wait_log "$T/client.log" 'Tx clientSlotStatusInd\(reset_act=1, vcc_act=1, clk_act=1' 10
check "umockdev: PTS indication right before the TPDU header (burst) processed" \
	wait_log "$T/client.log" 'PTS Indication \(ff 10 94 7b\)' 10
check "umockdev: unplug detected" wait_log "$T/client.log" 'board gone \(unplugged' 10
check "umockdev: 4 bulk-IN transfers pending after every event pass" \
	wait_log "$T/client.log" 'bulk-IN transfers in flight after each of [1-9][0-9]* event passes: min 4 max 4' 5
check "umockdev: event script gets REMSIM_USB_PATH and REMSIM_USB_INTERFACE" \
	eval 'ev_has request-card-insert "^REMSIM_USB_PATH=1-1\$" && ev_has request-card-insert "^REMSIM_USB_INTERFACE=0\$"'
kill -TERM "$CL"; wait "$CL"; rc=$?
check "umockdev: remsimd exits 0 (rc=$rc)" [ "$rc" = 0 ]
peer_wait "$BKD" 10
check "umockdev: the TPDU went to the bankd and its answer out over USB" \
	grep -q 'serve-card: tpdus=1 status=[1-9]' "$T/bkd.log"
check "umockdev: no errors but the unplug, no crash, no re-open" \
	bash -c "! grep -E 'ERROR|killed by|claimed.*claimed' '$T/client.log' | grep -v 'SIMtrace2 device gone' | grep -q ."
check "umockdev: one device open (reopen_min_ms not reached)" [ "$(grep -c 'interface 0 claimed' "$T/client.log")" = 1 ]
finish
